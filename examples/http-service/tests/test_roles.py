"""Who may call what: the oversight endpoints are for the oversight roles, and fail closed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from agency_http import app as service_module
from agency_http.app import (
    DESTROYERS,
    HOLD_PLACERS,
    HOLD_RELEASERS,
    KEEPERS,
    OPERATIONS,
    OVERSIGHT,
    create_app,
)
from agency_http.cli import put_staff
from agency_http.loadtest import claim
from agency_http.tokens import issue
from starlette.testclient import TestClient

from agency_core.entities import Employee

from .conftest import Prepared, row_counts

OVERSEEN = (("POST", "/log/verify"), ("POST", "/log/checkpoint"), ("GET", "/audit"))
"""The firm-wide audit, the log's verification and its signed checkpoints."""
HOLDS = {
    ("POST", "/records/{number}/holds"): HOLD_PLACERS,
    ("POST", "/holds/{hold}/release"): HOLD_RELEASERS,
    ("POST", "/destruction-lists/{id}/execute"): DESTROYERS,
    ("POST", "/records/{number}/loans"): KEEPERS,
    ("POST", "/records/{number}/backups"): KEEPERS,
}
"""Holding a record (RET-03), lifting the hold, destroying records (RET-04), lending them
(RET-06) and keeping their backups (RET-07)."""
WORK = ("run_audit", "verify_log", "take_checkpoint")
"""What the oversight endpoints do, watched: a refused call must do none of it."""


def test_the_oversight_endpoints_are_for_the_oversight_roles() -> None:
    gated = {(op.method, op.path): op.roles for op in OPERATIONS if op.roles}
    assert gated == dict.fromkeys(OVERSEEN, OVERSIGHT) | HOLDS
    assert frozenset({"auditor"}) == OVERSIGHT  # the default policy's oversight role
    assert frozenset({"legal_reviewer", "archives_head"}) == HOLD_PLACERS
    assert frozenset({"legal_reviewer"}) == HOLD_RELEASERS  # not who approves destruction
    assert frozenset({"archives_head"}) == DESTROYERS  # the records' keeper (RET-04)
    assert frozenset({"archives_head"}) == KEEPERS  # lending, backups (RET-06, RET-07)


def _watched(ran: list[str], name: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def watched(*args: Any, **kwargs: Any) -> Any:
        ran.append(name)
        return work(*args, **kwargs)

    return watched


@pytest.fixture
def keyed(
    prepared: Prepared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, list[str]]]:
    """The app with a log key (checkpoints can be signed), a claim in the log, and what ran."""
    key = tmp_path / "log.key"
    key.write_bytes(b"k" * 48)
    key.chmod(0o600)
    ran: list[str] = []
    for name in WORK:
        monkeypatch.setattr(
            service_module, name, _watched(ran, name, getattr(service_module, name))
        )
    with TestClient(create_app(prepared.config(log_key_file=key))) as client:
        submitted = client.post(
            "/approvals",
            json=claim("C-1", "12000", "chen"),
            headers={**prepared.auth("chen"), "Idempotency-Key": "s"},
        )
        assert submitted.status_code == 201
        yield client, ran


@pytest.mark.parametrize("who", ["chen", "sun", "li"])  # a clerk, two heads of other things
def test_without_an_oversight_role_refused_before_anything(
    keyed: tuple[TestClient, list[str]], prepared: Prepared, who: str
) -> None:
    client, ran = keyed
    before = row_counts(prepared.url)
    for method, path in OVERSEEN:
        # a body that is not JSON: refused before it is read, not answered 400
        answer = client.request(method, path, content=b"{not json", headers=prepared.auth(who))
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json() == {"errors": [f"{method} {path} is for the roles auditor only"]}
    assert ran == []  # no audit run, no log walked, no checkpoint signed
    assert row_counts(prepared.url) == before


def test_an_auditor_may(keyed: tuple[TestClient, list[str]], prepared: Prepared) -> None:
    client, ran = keyed
    auditor = prepared.auth("wu")
    verified = client.post("/log/verify", json={}, headers=auditor)
    assert verified.status_code == 200, verified.text
    assert verified.json()["ok"] is True
    checkpoint = client.post("/log/checkpoint", headers=auditor)
    assert checkpoint.status_code == 200, checkpoint.text
    assert checkpoint.json()["seq"] == 1
    audited = client.get("/audit", params={"on": "2026-11-30"}, headers=auditor)
    assert audited.status_code == 200, audited.text
    assert audited.json()["offences"] == 0
    assert sorted(ran) == sorted(WORK)


def test_a_caller_missing_from_the_staff_is_refused(
    keyed: tuple[TestClient, list[str]], prepared: Prepared
) -> None:
    client, ran = keyed
    ghost = issue(Path(prepared.env["AGENCY_HTTP_TOKENS"]), "ghost")  # a token, no employee
    for method, path in OVERSEEN:
        answer = client.request(method, path, headers={"Authorization": f"Bearer {ghost}"})
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json() == {"errors": ["ghost is not in the firm's staff: refused"]}
    assert ran == []


def test_a_role_that_inherits_auditor_may(prepared: Prepared, tmp_path: Path) -> None:
    """The default policy has no such role: a firm's policy that adds one."""
    policy = tmp_path / "policy.toml"
    default = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")
    policy.write_text(
        default + '\n[roles.chief_auditor]\nname_en = "Chief auditor"\ninherits = ["auditor"]\n',
        encoding="utf-8",
    )
    put_staff(prepared.url, [Employee("gao", "audit", {"chief_auditor"}, "高稽核")])
    token = issue(Path(prepared.env["AGENCY_HTTP_TOKENS"]), "gao")
    with TestClient(create_app(prepared.config(policy=policy))) as client:
        for method, path in (("POST", "/log/verify"), ("GET", "/audit")):
            answer = client.request(method, path, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, (path, answer.text)
        refused = client.get("/audit", headers=prepared.auth("chen"))
        assert refused.status_code == 403


def test_the_document_says_who_may_call(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    gated = {
        (m.upper(), p)
        for p, ops in paths.items()
        for m, op in ops.items()
        if op.get("x-agency-roles")
    }
    assert gated == set(OVERSEEN) | set(HOLDS)
    for (method, path), roles in HOLDS.items():
        assert paths[path][method.lower()]["x-agency-roles"] == sorted(roles)
    for method, path in OVERSEEN:
        spec = paths[path][method.lower()]
        assert spec["x-agency-roles"] == ["auditor"]
        assert "auditor" in spec["description"]
        assert "403" in spec["description"]
    assert paths["/decide"]["post"]["description"] == "Any authenticated employee may call it."


def test_a_clerk_neither_holds_a_record_nor_lifts_a_hold(
    client: TestClient, prepared: Prepared
) -> None:
    made = client.post(
        "/records",
        json={"record_class": "voucher", "closed_on": "1990-06-30"},
        headers=prepared.auth("chen"),
    )
    number = made.json()["number"]
    hold = {"hold_id": "LH-1", "reason": "litigation", "on": "2026-01-05"}
    for who in ("sun", "ma"):  # the head of archives, the legal reviewer
        placed = client.post(
            f"/records/{number}/holds",
            json=hold | {"hold_id": f"LH-{who}"},
            headers=prepared.auth(who),
        )
        assert placed.status_code == 201, (who, placed.text)
    before = row_counts(prepared.url)
    refused = client.post(f"/records/{number}/holds", json=hold, headers=prepared.auth("chen"))
    assert refused.status_code == 403, refused.text
    assert refused.json() == {
        "errors": [
            "POST /records/{number}/holds is for the roles archives_head, legal_reviewer only"
        ]
    }
    release = {"on": "2026-02-01"}
    for who in ("chen", "sun", "wang"):  # a clerk, and two approvers of destruction lists
        lifted = client.post("/holds/LH-ma/release", json=release, headers=prepared.auth(who))
        assert lifted.status_code == 403, (who, lifted.text)
    assert row_counts(prepared.url) == before
    lifted = client.post("/holds/LH-ma/release", json=release, headers=prepared.auth("ma"))
    assert lifted.status_code == 200, lifted.text
    held = client.get(f"/records/{number}", headers=prepared.auth("sun")).json()["holds"]
    assert {h["id"]: h["released_on"] for h in held} == {"LH-sun": None, "LH-ma": "2026-02-01"}
