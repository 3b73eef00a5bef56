"""A stored complaint never closes without a plan and a satisfied client, whatever is tried."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import agency_customer_service.plugin
import attrs
from agency_customer_service import ClientResponse, Complaint
from agency_customer_service.store import CustomerService
from hypothesis import given, settings
from hypothesis import strategies as st

import agency_core.store as store_api
from agency_core import Engine
from agency_core.entities import Employee
from agency_core.errors import AgencyError
from agency_core.store.audit import run_audit

ANY_STEP = st.one_of(
    st.tuples(st.just("assign"), st.sampled_from(["business", "finance"])),
    st.tuples(st.just("escalate"), st.just("")),
    st.tuples(st.just("plan"), st.sampled_from(["", "  ", "refund", "re-file"])),
    st.tuples(st.just("inform"), st.just("")),
    st.tuples(st.just("respond"), st.sampled_from(list(ClientResponse))),
)


@st.composite
def steps(draw: st.DrawFn) -> list[tuple[str, str]]:
    """The handling path twice (a reopening, then a close), with any step slipped in anywhere."""
    path: list[tuple[str, str]] = []
    for _round in range(2):
        path += [
            ("assign", "business"),
            ("plan", draw(st.sampled_from(["", "refund", "re-file"]))),
            ("inform", ""),
            ("respond", draw(st.sampled_from(list(ClientResponse)))),
        ]
    for extra in draw(st.lists(ANY_STEP, max_size=4)):
        path.insert(draw(st.integers(0, len(path))), extra)
    return path


def test_cs04_property_a_stored_complaint_never_closes_without_plan_and_response(
    tmp_path: Path, complaint: Complaint
) -> None:
    store = store_api.open(
        f"sqlite:///{tmp_path}/p.db", engine=Engine(plugins=[agency_customer_service.plugin])
    )
    store.upgrade()
    with store.transaction() as tx:
        for person in ("K1", "BM"):
            tx.employees.put(Employee(person, "customer_service"))
    ids = itertools.count()
    closed: list[str] = []

    @settings(max_examples=25, deadline=None)
    @given(path=steps(), days=st.lists(st.sampled_from([0, 1, 2, 15]), min_size=12, max_size=12))
    def run(path: list[tuple[str, str]], days: list[int]) -> None:
        n = next(ids)
        item = attrs.evolve(complaint, id=f"CP-{n}")
        with store.transaction() as tx:
            CustomerService(tx).receive(item, key=f"r{n}")
        when = item.received_at
        for index, ((step, arg), day) in enumerate(zip(path, days, strict=False)):
            when += timedelta(days=day)
            key = f"{n}/{index}"
            try:
                with store.transaction() as tx:
                    cs = CustomerService(tx)
                    if step == "assign":
                        cs.assign(item.id, arg, "K1", key=key, at=when)
                    elif step == "escalate":
                        cs.escalate(item.id, "BM", key=key, at=when)
                    elif step == "plan":
                        cs.plan(item.id, arg, "BM", key=key, at=when)
                    elif step == "inform":
                        cs.inform(item.id, "K1", key=key, at=when)
                    else:
                        cs.respond(item.id, ClientResponse(arg), "K1", key=key, at=when)
            except AgencyError:
                pass  # refused or not a move the machine knows: nothing changed
        with store.transaction() as tx:
            state = tx.tracked.get(item.id).state
            facts = CustomerService(tx).facts(item.id)
        if state == "closed":
            closed.append(item.id)
            assert facts.plan.strip()
            assert facts.response is ClientResponse.SATISFIED

    try:
        run()
        assert closed, "no example closed a complaint: the property was never exercised"
        cs04 = [f for f in run_audit(store) if f.control == "CS-04"]
        assert [f.count for f in cs04] == [0]
    finally:
        store.dispose()
