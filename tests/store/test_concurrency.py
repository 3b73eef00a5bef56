"""Two approvers on one step at the same moment: exactly one wins, the other gets a typed error.

Real threads, each with its own connection from the pool, released together by a barrier.
"""

from __future__ import annotations

import threading

import pytest

import agency_core.store as st
from agency_core.errors import StateError
from tests.store.helpers import claim

ROUNDS = {"postgresql": 50, "sqlite": 10}


def _race(store: st.Store, request_id: str) -> list[object]:
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def approve(slot: int, approver: str) -> None:
        barrier.wait()
        try:
            with store.transaction() as tx:
                outcomes[slot] = tx.approvals.approve(
                    request_id, 0, approver, key=f"{request_id}-{approver}"
                )
        except Exception as exc:
            outcomes[slot] = exc

    threads = [
        threading.Thread(target=approve, args=(i, who)) for i, who in enumerate(("H1", "H2"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_approvers_on_one_step_exactly_one_wins(db, staffed):
    rounds = ROUNDS[db.backend]
    winners = {"H1": 0, "H2": 0}
    for n in range(rounds):
        request_id = f"RACE-{n}"
        with staffed.transaction() as tx:
            tx.approvals.submit(claim(request_id), key=f"submit-{request_id}")
        outcomes = _race(staffed, request_id)
        errors = [o for o in outcomes if isinstance(o, Exception)]
        wins = [o for o in outcomes if not isinstance(o, Exception)]
        assert len(wins) == 1, outcomes
        assert len(errors) == 1, outcomes
        loser = errors[0]
        assert isinstance(loser, StateError), repr(loser)
        if isinstance(loser, st.Refused):
            assert loser.controls == {"APR-07"}
        winners[wins[0].actor] += 1  # type: ignore[attr-defined]
        with staffed.transaction() as tx:
            state = tx.approvals.get(request_id)
        assert len(state.history) == 1
        assert state.next_step == 1
        assert state.history[0].actor == wins[0].actor  # type: ignore[attr-defined]
    assert sum(winners.values()) == rounds


def _submit_twice(store: st.Store, request_id: str) -> list[object]:
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def submit(slot: int) -> None:
        barrier.wait()
        try:
            with store.transaction() as tx:
                results[slot] = tx.approvals.submit(claim(request_id), key=request_id)
        except Exception as exc:
            results[slot] = exc

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_the_same_submission_sent_concurrently_has_one_effect(pg_db, staffed):
    for n in range(20):
        results = _submit_twice(staffed, f"DUP-{n}")
        assert all(isinstance(r, st.Submission) for r in results), results
        assert results[0] == results[1]


def test_a_lost_connection_leaves_no_half_written_approval(pg_db, staffed):
    import sqlalchemy as sa

    with staffed.transaction() as tx:
        tx.approvals.submit(claim(), key="submit")
    admin = sa.create_engine(pg_db.url.split("?")[0], isolation_level="AUTOCOMMIT")
    try:
        with pytest.raises(st.StoreError), staffed.transaction() as tx:  # noqa: PT012
            tx.approvals.approve("R1", 0, "H1", key="a0")  # written, not committed
            pid = tx.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with admin.connect() as conn:
                conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
            tx.approvals.approve("R1", 1, "V1", key="a1")  # the connection is gone
    finally:
        admin.dispose()
    with staffed.transaction() as tx:
        state = tx.approvals.get("R1")
    assert (state.history, state.next_step, state.status) == ((), 0, st.Status.PENDING)


def _both(store: st.Store, calls: list[tuple[str, str, str, str]]) -> list[object]:
    """Run two duty calls ``(subject, duty, actor, key)`` at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def perform(slot: int) -> None:
        subject, duty, actor, key = calls[slot]
        barrier.wait()
        try:
            with store.transaction() as tx:
                results[slot] = tx.duties.perform(subject, duty, actor, key=key)
        except Exception as exc:
            results[slot] = exc

    threads = [threading.Thread(target=perform, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


SOD_ROUNDS = {"postgresql": 200, "sqlite": 20}


def test_conflicting_duties_sent_together_never_both_stand(db, staffed):
    rounds = SOD_ROUNDS[db.backend]
    for n in range(rounds):
        subject = f"PAY-{n}"
        results = _both(
            staffed,
            [
                (subject, "approve_payment", "F1", f"{subject}-a"),
                (subject, "pay", "F1", f"{subject}-p"),
            ],
        )
        refused = [r for r in results if isinstance(r, st.Refused)]
        assert len(refused) == 1, results
        assert refused[0].controls == {"SOD-03"}
        assert results.count(None) == 1, results
    found = {f.control: f for f in st.run_audit(staffed)}
    assert found["SOD-03"].count == 0


def test_a_duty_replayed_with_its_key_returns_the_recorded_answer(db, staffed):
    for n in range(SOD_ROUNDS[db.backend]):
        call = (f"PAY-{n}", "pay", "F1", f"pay-{n}")
        assert _both(staffed, [call, call]) == [None, None]
    with staffed.database.connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM duties").scalar()
    assert count == SOD_ROUNDS[db.backend]


def test_serialisation_failures_are_a_retryable_conflict(pg_db, staffed):
    from agency_core.store.session import translated

    with pytest.raises(st.Conflict) as caught, translated(), staffed.database.connect() as conn:
        conn.exec_driver_sql(
            "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'serialization_failure'; END $$"
        )
    assert caught.value.retryable
    assert not isinstance(caught.value, st.StoreError)
    with pytest.raises(st.StoreError), translated(), staffed.database.connect() as conn:
        conn.exec_driver_sql("SELECT 1/0")
