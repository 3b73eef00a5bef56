"""What the log cannot store never reaches it, and a failed flush fails only its own decisions."""

from __future__ import annotations

import pytest

import agency_core.store as st
from agency_core import DutyCheck, Engine
from agency_core.errors import InvalidInput, PolicyError
from agency_core.policy import parse_policy
from agency_core.policy.load import default_policy
from tests.store.helpers import claim

BAD_CODES = ["x" * 65, "E\x001", "E\x1b[31m", "E\ud800"]


@pytest.mark.parametrize("actor", BAD_CODES)
def test_an_identifier_the_store_cannot_hold_is_refused_where_it_enters(actor):
    with pytest.raises(InvalidInput):
        DutyCheck("PAY-1", "pay", actor)
    DutyCheck("PAY-1", "pay", "x" * 64)  # the longest the store holds


def test_a_policy_version_the_log_cannot_hold_is_refused():
    source = default_policy().source
    assert source
    from importlib import resources

    text = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")
    version = next(line for line in text.splitlines() if line.startswith("version"))
    for bad in ('"' + "v" * 65 + '"', '"v\\u0000"'):
        with pytest.raises(PolicyError, match="version"):
            parse_policy(text.replace(version, f"version = {bad}").encode())


def test_a_failed_flush_fails_only_the_decisions_it_held(store, monkeypatch):
    log = st.DecisionLog(store, batch_size=2)
    store.use(Engine(plugins=[log]))
    append = st.log.LogRepository.append

    def refusing(self, entries):  # the database refuses every batch holding R-POISON's requester
        if any(e.actor == "POISON" for e in entries):
            raise st.StoreError("value too long")
        return append(self, entries)

    monkeypatch.setattr(st.log.LogRepository, "append", refusing)
    store.engine.route_approval(claim("R1", requester="POISON"))
    store.engine.route_approval(claim("R2"))  # fills the batch
    denied = store.engine.route_approval(claim("R3"))  # finds it full: the flush fails
    assert denied.outcome == "deny"
    assert "ENG-01" in denied.controls
    assert [e.actor for e in log.failed] == ["POISON", "E1"]
    assert log.buffered == 1  # R3's denial, as the host received it
    for n in range(4, 8):  # later decisions are logged again
        assert store.engine.route_approval(claim(f"R{n}")).outcome == "needs_approval"
    assert log.flush() == 1
    assert st.verify_log(store).entries == 5
