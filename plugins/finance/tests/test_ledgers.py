"""FIN-04 (receivables reconciled with clients), FIN-08 (cash and every bank account reconciled
each period, differences reported) and FIN-05 (stocktake differences explained and approved)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from agency_finance import AccountKind, DifferenceKind, Finance, Reconciliation, StocktakeDifference
from agency_finance.sweeps import last_period_end
from agency_finance.tables import StocktakeRow
from hypothesis import given
from hypothesis import strategies as st_

import agency_core.store as st
from agency_core import ApprovalRequest, Engine, Money
from agency_core.decision import Outcome, Severity
from agency_core.errors import InvalidInput, StateError
from agency_core.store import Refused, run_audit

END = date(2026, 2, 28)


def rec(
    book: str, actual: str, *, kind: str = "bank", explanation: str = "", keeper: str | None = "C1"
) -> Reconciliation:
    return Reconciliation(
        "BANK-1", kind, END, Money(book, "CNY"), Money(actual, "CNY"), "K1", explanation, keeper
    )


def test_balances_that_agree_are_reconciled(engine: Engine) -> None:
    decision = engine.decide(rec("1000", "1000"))
    assert (decision.outcome, decision.findings) == (Outcome.ALLOW, ())


@pytest.mark.parametrize(
    ("kind", "control"), [("bank", "FIN-08"), ("cash", "FIN-08"), ("client", "FIN-04")]
)
def test_an_unexplained_difference_is_denied(engine: Engine, kind: str, control: str) -> None:
    decision = engine.decide(rec("1000", "999.99", kind=kind))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {control}
    assert decision.findings[0].facts["difference"] == "-0.01 CNY"


def test_an_explained_difference_is_reported(engine: Engine) -> None:
    decision = engine.decide(rec("1000", "1200", explanation="deposit in transit 未达账项"))
    assert decision.outcome is Outcome.ALLOW
    (finding,) = decision.findings
    assert (finding.control, finding.severity) == ("FIN-08", Severity.WARNING)


def test_the_keeper_of_an_account_does_not_reconcile_it(engine: Engine) -> None:
    own = Reconciliation(
        "CASH-1", "cash", END, Money("1", "CNY"), Money("1", "CNY"), "C1", "", "C1"
    )
    assert engine.decide(own).controls == {"FIN-08"}


amounts = st_.integers(0, 10**9).map(lambda c: str(Decimal(c).scaleb(-2)))


@given(book=amounts, actual=amounts, explained=st_.booleans())
def test_only_an_exact_match_passes_without_a_word(
    engine: Engine, book: str, actual: str, explained: bool
) -> None:
    decision = engine.decide(rec(book, actual, explanation="counted twice" if explained else ""))
    same = Decimal(book) == Decimal(actual)
    assert (decision.outcome is Outcome.DENY) == (not same and not explained)
    assert bool(decision.findings) == (not same)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("account_kind", "safe"),
        ("period_end", "2026-02-28"),
        ("book", "1"),
        ("reconciler", ""),
        ("keeper", ""),
    ],
)
def test_bad_reconciliations_are_refused_naming_the_field(field: str, value: object) -> None:
    fields = {
        "account": "BANK-1",
        "account_kind": "bank",
        "period_end": END,
        "book": Money(1, "CNY"),
        "actual": Money(1, "CNY"),
        "reconciler": "K1",
    }
    with pytest.raises(InvalidInput, match=field):
        Reconciliation(**{**fields, field: value})  # type: ignore[arg-type]


def test_the_last_period_is_the_one_that_ended_before_the_day() -> None:
    assert last_period_end(date(2026, 3, 15), 1) == date(2026, 2, 28)
    assert last_period_end(date(2026, 3, 1), 1) == date(2026, 2, 28)
    assert last_period_end(date(2026, 3, 31), 3) == date(2025, 12, 31)
    assert last_period_end(date(2026, 4, 1), 3) == date(2026, 3, 31)
    assert last_period_end(date(2026, 1, 5), 12) == date(2025, 12, 31)


def test_the_store_reconciles_a_client_against_its_stored_receivables(store: st.Store) -> None:
    with store.transaction() as tx:
        fin = Finance(tx)
        fin.credit.set_limit("ACME", Money("10000", "CNY"))
        fin.credit.charge("AR-1", "ACME", Money("300", "CNY"), date(2026, 2, 10))
        fin.credit.charge("AR-2", "ACME", Money("200", "CNY"), date(2026, 3, 10))  # after the end
        fin.reconciliations.open_account("ACME", AccountKind.CLIENT, "CNY")
    with pytest.raises(InvalidInput, match="receivables"), store.transaction() as tx:
        Finance(tx).reconciliations.reconcile(
            "ACME", END, Money("300", "CNY"), "K1", book=Money("300", "CNY")
        )
    with pytest.raises(Refused) as caught, store.transaction() as tx:
        Finance(tx).reconciliations.reconcile("ACME", END, Money("500", "CNY"), "K1")
    assert caught.value.controls == {"FIN-04"}
    with store.transaction() as tx:
        decision = Finance(tx).reconciliations.reconcile("ACME", END, Money("300", "CNY"), "K1")
    assert decision.findings == ()


def test_the_sweeps_report_unreconciled_accounts_and_differences(store: st.Store) -> None:
    with store.transaction() as tx:
        fin = Finance(tx)
        recs = fin.reconciliations
        recs.open_account("BANK-1", "bank", "CNY", keeper="C1")
        recs.open_account("BANK-2", "bank", "CNY", keeper="C1")
        recs.open_account("CASH-1", "cash", "CNY", keeper="C1")
        recs.open_account("ACME", "client", "CNY")
        recs.open_account("IDLE", "client", "CNY")
        fin.credit.set_limit("ACME", Money("10000", "CNY"))
        fin.credit.charge("AR-1", "ACME", Money("300", "CNY"), date(2026, 2, 10))
        recs.reconcile("BANK-1", END, Money("1000", "CNY"), "K1", book=Money("1000", "CNY"))
        recs.reconcile(
            "CASH-1", END, Money("90", "CNY"), "K1", book=Money("100", "CNY"), explanation="short"
        )
        recs.reconcile("ACME", date(2025, 12, 31), Money("0", "CNY"), "K1")
        january = date(2026, 1, 31)
        recs.reconcile("BANK-2", january, Money("5", "CNY"), "K1", book=Money("5", "CNY"))
    found = {(f.control, f.title): f.sample for f in run_audit(store, on=date(2026, 3, 11))}
    assert found[("FIN-08", "cash and bank accounts not reconciled for the last period")] == (
        "BANK-2",
    )
    assert found[
        ("FIN-08", "cash and bank reconciliations of the last period with a difference")
    ] == ("CASH-1:2026-02-28",)
    unreconciled = "clients owing money whose receivables were not reconciled for the last period"
    assert found[("FIN-04", unreconciled)] == ()  # the quarter ended 2025-12-31, reconciled
    later = {(f.control, f.title): f.sample for f in run_audit(store, on=date(2026, 4, 11))}
    assert later[("FIN-04", unreconciled)] == ("ACME",)  # owes since February, Q1 not reconciled
    # reconcile_within_days (10): February's reconciliations are due from 2026-03-11
    within = {(f.control, f.title): f.sample for f in run_audit(store, on=date(2026, 3, 10))}
    assert within[("FIN-08", "cash and bank accounts not reconciled for the last period")] == ()


def test_an_account_kind_must_be_known(store: st.Store) -> None:
    with pytest.raises(InvalidInput, match="kind"), store.transaction() as tx:
        Finance(tx).reconciliations.open_account("SAFE", "safe", "CNY")


# -- FIN-05 ----------------------------------------------------------------------------------------


def diff(explanation: str = "water damage, insurer notified") -> StocktakeDifference:
    return StocktakeDifference(
        "D1", "PC-7", DifferenceKind.DAMAGE, Money("4000", "CNY"), END, "K1", explanation
    )


def test_an_explained_difference_needs_approval(engine: Engine) -> None:
    decision = engine.decide(diff())
    assert decision.outcome is Outcome.NEEDS_APPROVAL
    assert decision.controls == {"FIN-05"}
    assert "毁损" in decision.findings[0].message("zh-CN")


def test_an_unexplained_stocktake_difference_is_denied(engine: Engine) -> None:
    assert engine.decide(diff(" ")).outcome is Outcome.DENY


@pytest.mark.parametrize(
    ("field", "value"), [("difference", "loss"), ("amount", Money(0, "CNY")), ("counted_on", None)]
)
def test_bad_differences_are_refused_naming_the_field(field: str, value: object) -> None:
    fields = {
        "id": "D1",
        "asset": "PC-7",
        "difference": "surplus",
        "amount": Money(1, "CNY"),
        "counted_on": END,
        "counted_by": "K1",
    }
    with pytest.raises(InvalidInput, match=field):
        StocktakeDifference(**{**fields, field: value})  # type: ignore[arg-type]


def test_the_store_settles_a_difference_only_with_its_approved_request(store: st.Store) -> None:
    with pytest.raises(Refused), store.transaction() as tx:
        Finance(tx).stocktakes.record(diff(""))
    with store.transaction() as tx:
        Finance(tx).stocktakes.record(diff())
    request = ApprovalRequest("ST-1", "stocktake_difference", Money("4000", "CNY"), "finance", "K1")
    with store.transaction() as tx:
        tx.approvals.submit(request, key="st-1")
    with pytest.raises(StateError, match="pending"), store.transaction() as tx:
        Finance(tx).stocktakes.resolve("D1", "ST-1")
    (open_,) = [f for f in run_audit(store) if f.control == "FIN-05"]
    assert open_.sample == ("D1",)
    with store.transaction() as tx:  # a settlement written past the checks, on a pending request
        tx.session.add(
            StocktakeRow(
                id="D2",
                asset="PC-8",
                kind="shortage",
                amount=Decimal(4000),
                currency="CNY",
                counted_on=END,
                counted_by="K1",
                explanation="lost",
                approval_id="ST-1",
            )
        )
    (written,) = [f for f in run_audit(store) if f.control == "FIN-05"]
    assert written.sample == ("D1", "D2")
    with store.transaction() as tx:
        tx.session.delete(tx.session.get(StocktakeRow, "D2"))
    with store.transaction() as tx:
        tx.approvals.approve("ST-1", 0, "F1", key="st-1-0", at=datetime(2026, 3, 3, tzinfo=UTC))
        Finance(tx).stocktakes.resolve("D1", "ST-1")
    (settled,) = [f for f in run_audit(store) if f.control == "FIN-05"]
    assert settled.count == 0


def test_every_ledger_refuses_an_id_it_already_holds(store: st.Store) -> None:
    from agency_finance.tables import PaymentRow

    with store.transaction() as tx:
        fin = Finance(tx)
        fin.budgets.create("B1", "sales", 2026, Money("10", "CNY"), owner="H1")
        fin.credit.set_limit("ACME", Money("100", "CNY"))
        fin.credit.charge("AR-1", "ACME", Money("1", "CNY"), END)
        fin.reconciliations.open_account("BANK-1", "bank", "CNY")
        fin.reconciliations.reconcile(
            "BANK-1", END, Money("1", "CNY"), "K1", book=Money("1", "CNY")
        )
        fin.stocktakes.record(diff())
        tx.session.add(
            PaymentRow(
                id="P1",
                request_id="R0",
                payer="C1",
                amount=Decimal(1),
                currency="CNY",
                paid_at=datetime(2026, 3, 2, tzinfo=UTC),
            )
        )
    again = [
        lambda fin: fin.budgets.create("B1", "sales", 2026, Money("10", "CNY"), owner="H1"),
        lambda fin: fin.credit.charge("AR-1", "ACME", Money("1", "CNY"), END),
        lambda fin: fin.reconciliations.open_account("BANK-1", "bank", "CNY"),
        lambda fin: fin.reconciliations.reconcile(
            "BANK-1", END, Money("1", "CNY"), "K1", book=Money("1", "CNY")
        ),
        lambda fin: fin.stocktakes.record(diff()),
        lambda fin: fin.payments.pay("P1", "R0", "C1"),
    ]
    for action in again:
        with pytest.raises(StateError, match="already recorded"), store.transaction() as tx:
            action(Finance(tx))
