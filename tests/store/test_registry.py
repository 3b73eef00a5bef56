"""The records registry: numbering (RET-05), retention (RET-01/02), holds (RET-03), the
destruction procedure (RET-04), loans (RET-06) and backups (RET-07)."""

from __future__ import annotations

import threading
from datetime import date

import attrs
import pytest

import agency_core.store as st
from agency_core import (
    Appraisal,
    ApprovalRequest,
    DestructionItem,
    DestructionList,
    Money,
    Outcome,
    Signature,
)
from agency_core.errors import InvalidInput, NotFound, StateError

TODAY = date(2026, 3, 2)


def test_numbers_follow_the_scheme_and_are_never_reused(store):
    with store.transaction() as tx:
        first = tx.records.register("voucher", closed_on=date(2024, 6, 30), title="June")
        second = tx.records.register("voucher", closed_on=date(2024, 7, 31))
        other_year = tx.records.register("voucher", closed_on=date(2025, 1, 31))
        report = tx.records.register("annual_report", closed_on=date(2024, 12, 31))
    assert [first.number, second.number] == ["PZ-2024-000001", "PZ-2024-000002"]
    assert other_year.number == "PZ-2025-000001"
    assert report.number == "NB-2024-000001"
    with store.transaction() as tx:
        assert tx.records.check(first.number, TODAY).controls.isdisjoint({"RET-05"})
        third = tx.records.register("voucher", closed_on=date(2024, 8, 31))
    assert third.number == "PZ-2024-000003"
    with pytest.raises(InvalidInput), store.transaction() as tx:
        tx.records.register("no_such_class", closed_on=TODAY)


def test_due_dates_come_from_the_engine(store):
    with store.transaction() as tx:
        voucher = tx.records.register("voucher", closed_on=date(2024, 6, 30))
        card = tx.records.register("fixed_asset_card", closed_on=date(2024, 6, 30))
        annual = tx.records.register("annual_report", closed_on=date(2024, 12, 31))
        both = tx.records.register("tax_return", also=["voucher"], closed_on=date(2024, 3, 1))
        assert tx.records.due_on(voucher.number) == date(2055, 1, 1)  # RET-02
        assert tx.records.due_on(both.number) == date(2055, 1, 1)  # the longest wins
        assert tx.records.due_on(card.number) is None  # waits for its event
        tx.records.record_event(card.number, date(2030, 5, 1))
        assert tx.records.due_on(card.number) == date(2035, 5, 2)
        assert tx.records.retention(annual.number).permanent
        assert tx.records.due_on(annual.number) is None


def _old_voucher(tx, month: int = 6) -> str:
    return tx.records.register("voucher", closed_on=date(1990, month, 30)).number


def test_a_hold_blocks_destruction_until_released(store):
    with store.transaction() as tx:
        number = _old_voucher(tx)
        assert tx.records.check_disposal(number, TODAY).outcome is Outcome.ALLOW
        tx.records.place_hold(number, "H-1", "tax dispute", on=date(2026, 1, 5), matter="CASE-7")
        refused = tx.records.check_disposal(number, TODAY)
        assert refused.outcome is Outcome.DENY
        assert "RET-03" in refused.controls
        tx.records.release_hold("H-1", on=date(2026, 2, 1))
        assert tx.records.check_disposal(number, TODAY).outcome is Outcome.ALLOW
        with pytest.raises(StateError):
            tx.records.release_hold("H-1", on=date(2026, 2, 2))
        with pytest.raises(NotFound):
            tx.records.release_hold("H-404", on=TODAY)


def _borrowing(tx, request_id: str = "L1") -> str:
    request = ApprovalRequest(request_id, "archive_borrowing", Money("0", "CNY"), "sales", "E1")
    tx.approvals.submit(request, key=request_id)
    tx.approvals.approve(request_id, 0, "A1", key=f"{request_id}-a")
    return request_id


def test_loans_need_an_approved_request_and_block_destruction(staffed):
    with staffed.transaction() as tx:
        number = _old_voucher(tx)
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.records.lend(
            number, "LN-1", "E1", lent_on=TODAY, due_on=date(2026, 3, 9), approval_id=None
        )
    assert refused.value.controls == {"RET-06"}
    with staffed.transaction() as tx:
        approval = _borrowing(tx)
        tx.records.lend(
            number, "LN-1", "E1", lent_on=TODAY, due_on=date(2026, 3, 9), approval_id=approval
        )
        with pytest.raises(StateError, match="already on loan"):
            tx.records.lend(number, "LN-2", "E1", lent_on=TODAY, due_on=TODAY, approval_id=approval)
        assert "RET-06" in tx.records.check_disposal(number, TODAY).controls
        assert tx.records.overdue_loans(date(2026, 3, 9)) == []
        overdue = tx.records.overdue_loans(date(2026, 3, 12))
        assert overdue == [st.OverdueLoan("LN-1", number, "E1", date(2026, 3, 9), 3)]
        assert tx.records.loan("LN-1").borrower == "E1"
        assert tx.records.loan("LN-1").returned_on is None
        tx.records.return_loan("LN-1", on=date(2026, 3, 12))
        assert tx.records.loan("LN-1").returned_on == date(2026, 3, 12)
        with pytest.raises(NotFound):
            tx.records.loan("LN-404")
        assert tx.records.overdue_loans(date(2026, 3, 12)) == []
        assert tx.records.check_disposal(number, date(2026, 3, 13)).outcome is Outcome.ALLOW


def test_a_loan_needs_the_borrowers_own_borrowing_request(staffed):
    """RET-06: an approved request lends a record only when it is a borrowing request (the
    policy's ``borrowing_action``) and the borrower's own; any other approval lends nothing."""
    with staffed.transaction() as tx:
        number = _old_voucher(tx)
        claim = ApprovalRequest("X1", "expense_reimbursement", Money("100", "CNY"), "sales", "E1")
        tx.approvals.submit(claim, key="X1")
        tx.approvals.approve("X1", 0, "H1", key="X1-a")
        tx.approvals.approve("X1", 1, "V1", key="X1-b")
        assert tx.approvals.get("X1").status == "approved"
        someone_elses = _borrowing(tx, "L9")  # approved, but E1's, not H1's
    for approval, borrower in [("X1", "E1"), (someone_elses, "H1")]:
        with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
            tx.records.lend(
                number, "LN-1", borrower, lent_on=TODAY, due_on=TODAY, approval_id=approval
            )
        assert refused.value.controls == {"RET-06"}
    with staffed.transaction() as tx:
        tx.records.lend(number, "LN-1", "E1", lent_on=TODAY, due_on=TODAY, approval_id="L9")


def test_important_records_keep_a_backup(store):
    with store.transaction() as tx:
        number = tx.records.register("contract", closed_on=TODAY, important=True).number
        assert "RET-07" in tx.records.check(number, TODAY).controls
        assert tx.records.add_backup(number, "offsite vault B", on=TODAY) == 1
        assert "RET-07" not in tx.records.check(number, TODAY).controls


def _listing(numbers: list[str], supervisors: tuple[str, ...] = ("S1", "S2")) -> DestructionList:
    return DestructionList(
        id="XL-1",
        destruction_on=TODAY,
        items=[DestructionItem(n, f"voucher {n}", "V1", 1990, 1990, 30, 36) for n in numbers],
        appraisals=[Appraisal(n, "destroy", "A1") for n in numbers],
        approvals=[Signature("G1"), Signature("A1"), Signature("C1")],
        supervisors=[Signature(s, checked_before=True, signed_after=True) for s in supervisors],
    )


def test_destruction_follows_the_procedure_and_the_list_is_kept(staffed):
    with staffed.transaction() as tx:
        numbers = [_old_voucher(tx, 6), _old_voucher(tx, 7)]
        tx.destruction.propose(_listing(numbers))
    with staffed.transaction() as tx:
        decision = tx.destruction.execute("XL-1")
        assert decision.outcome is Outcome.ALLOW
    with staffed.transaction() as tx:
        assert tx.destruction.get("XL-1") == _listing(numbers)
        kept = tx.records.retention("XH-2026-000001")
        assert kept.permanent  # the list itself is kept permanently
        with pytest.raises(StateError, match="already executed"):
            tx.destruction.execute("XL-1")
        with pytest.raises(StateError, match="destroyed"):
            tx.records.place_hold(numbers[0], "H-9", "late claim", on=TODAY)
        fresh = _old_voucher(tx, 8)
    assert fresh == "PZ-1990-000003"  # destroyed numbers are not given again


def test_destruction_needs_two_supervisors_from_archives_and_accounting(staffed):
    with staffed.transaction() as tx:
        numbers = [_old_voucher(tx)]
        tx.destruction.propose(_listing(numbers, supervisors=("S1",)))
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.destruction.execute("XL-1")
    assert refused.value.controls == {"RET-04"}
    with staffed.transaction() as tx:
        assert tx.records.get(numbers[0]).number == numbers[0]
        assert tx.records.check_disposal(numbers[0], TODAY).outcome is Outcome.ALLOW


def test_a_held_record_cannot_be_destroyed_through_a_list(staffed):
    with staffed.transaction() as tx:
        numbers = [_old_voucher(tx)]
        tx.records.place_hold(numbers[0], "H-1", "litigation", on=date(2026, 1, 1))
        tx.destruction.propose(_listing(numbers))
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.destruction.execute("XL-1")
    assert "RET-03" in refused.value.controls


def _unsigned(numbers: list[str]) -> DestructionList:
    return attrs.evolve(_listing(numbers), approvals=(), supervisors=())


def test_each_signer_signs_a_proposed_list(staffed):
    """A host with authenticated callers proposes the list unsigned; each signer adds theirs."""
    with staffed.transaction() as tx:
        numbers = [_old_voucher(tx)]
        tx.destruction.propose(_unsigned(numbers))
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.destruction.execute("XL-1")
    assert refused.value.controls == {"RET-04"}  # nobody signed yet
    signed = _listing(numbers)
    with staffed.transaction() as tx:
        for signature in signed.approvals:
            tx.destruction.sign("XL-1", signature, capacity=st.Capacity.APPROVAL)
        for signature in signed.supervisors:
            listing = tx.destruction.sign("XL-1", signature, capacity=st.Capacity.SUPERVISION)
    assert listing == signed
    with staffed.transaction() as tx:
        assert tx.destruction.get("XL-1") == signed
        assert tx.destruction.execute("XL-1").outcome is Outcome.ALLOW


def test_a_signature_is_given_once_per_capacity_and_only_on_a_proposed_list(staffed):
    with staffed.transaction() as tx:
        numbers = [_old_voucher(tx)]
        tx.destruction.propose(_unsigned(numbers))
        tx.destruction.sign("XL-1", Signature("A1"), capacity=st.Capacity.APPROVAL)
    with pytest.raises(StateError, match="A1 already signed"), staffed.transaction() as tx:
        tx.destruction.sign("XL-1", Signature("A1", "archives_head"), capacity=st.Capacity.APPROVAL)
    with pytest.raises(StateError, match="A1 already signed"), staffed.transaction() as tx:
        tx.destruction.sign("XL-1", Signature("A1"), capacity=st.Capacity.APPROVAL)
    with staffed.transaction() as tx:  # the same person in the other capacity
        supervision = Signature("A1", checked_before=True, signed_after=True)
        tx.destruction.sign("XL-1", supervision, capacity=st.Capacity.SUPERVISION)
        assert tx.destruction.get("XL-1").approvals == (Signature("A1"),)
        assert tx.destruction.get("XL-1").supervisors == (supervision,)
    with pytest.raises(NotFound), staffed.transaction() as tx:
        tx.destruction.sign("XL-9", Signature("G1"), capacity=st.Capacity.APPROVAL)
    with pytest.raises(InvalidInput), staffed.transaction() as tx:
        tx.destruction.sign("XL-1", "G1", capacity=st.Capacity.APPROVAL)
    with pytest.raises(InvalidInput), staffed.transaction() as tx:
        tx.destruction.sign("XL-1", Signature("G1"), capacity="approval")


def test_an_executed_list_takes_no_more_signatures(staffed):
    with staffed.transaction() as tx:
        numbers = [_old_voucher(tx)]
        tx.destruction.propose(_listing(numbers))
    with staffed.transaction() as tx:
        tx.destruction.execute("XL-1")
    with pytest.raises(StateError, match="already executed"), staffed.transaction() as tx:
        tx.destruction.sign("XL-1", Signature("H1"), capacity=st.Capacity.APPROVAL)
    with staffed.transaction() as tx:
        assert tx.destruction.get("XL-1") == _listing(numbers)


def _sign_twice(store, list_id: str) -> list[object]:
    """The same approval given by two threads released together; each one's result or error."""
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def sign(slot: int) -> None:
        barrier.wait()
        try:
            with store.transaction() as tx:
                capacity = st.Capacity.APPROVAL
                outcomes[slot] = tx.destruction.sign(list_id, Signature("G1"), capacity=capacity)
        except Exception as exc:
            outcomes[slot] = exc

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_one_person_signing_twice_at_once_is_stored_once(db, staffed):
    """Two requests of the same signer race (a double click): the list's row lock lets one in."""
    rounds = {"postgresql": 20, "sqlite": 5}[db.backend]
    with staffed.transaction() as tx:
        numbers = [_old_voucher(tx)]
    for n in range(rounds):
        list_id = f"XL-R{n}"
        with staffed.transaction() as tx:
            tx.destruction.propose(attrs.evolve(_unsigned(numbers), id=list_id))
        outcomes = _sign_twice(staffed, list_id)
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert len(errors) == 1, outcomes
        assert isinstance(errors[0], StateError), repr(errors[0])
        with staffed.transaction() as tx:
            assert tx.destruction.get(list_id).approvals == (Signature("G1"),)
