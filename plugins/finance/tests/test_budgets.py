"""FIN-02, APR-08 (spending within the approved budget and approved adjustments) and FIN-09
(budgets filed by their department, approved by management before anything draws on them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from agency_finance import BudgetFacts, BudgetPosition, BudgetSpend, Finance
from hypothesis import given
from hypothesis import strategies as st_

import agency_core.store as st
from agency_core import Employee, Engine, Money
from agency_core.decision import Outcome
from agency_core.errors import InvalidInput
from agency_core.store import Refused, run_audit
from agency_core.transitions import Move, TransitionCheck

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def position(
    amount: str = "100000",
    adjustments: str = "0",
    spent: str = "0",
    *,
    state: str = "approved",
    approved_at: datetime | None = T0,
    currency: str = "CNY",
) -> BudgetPosition:
    return BudgetPosition(
        "B1",
        "sales",
        2026,
        state,
        approved_at if state == "approved" else None,
        Money(amount, currency),
        Money(adjustments, currency),
        Money(spent, currency),
    )


def spend(
    budget: BudgetPosition, amount: str, at: datetime = T0 + timedelta(days=1)
) -> BudgetSpend:
    return BudgetSpend("S1", budget, Money(amount, "CNY"), "E1", at)


def test_spending_within_the_budget_is_allowed(engine: Engine) -> None:
    decision = engine.decide(spend(position(spent="99000"), "1000"))
    assert decision.outcome is Outcome.ALLOW


def test_spending_past_the_budget_needs_an_adjustment(engine: Engine) -> None:
    decision = engine.decide(spend(position(spent="99000"), "1000.01"))
    assert decision.outcome is Outcome.NEEDS_APPROVAL
    (finding,) = decision.findings
    assert finding.control == "FIN-02"
    assert finding.facts["excess"] == "0.01 CNY"
    assert finding.facts["action"] == "budget_adjustment"


def test_approved_adjustments_raise_the_ceiling(engine: Engine) -> None:
    budget = position(adjustments="5000", spent="99000")
    assert engine.decide(spend(budget, "6000")).outcome is Outcome.ALLOW
    assert engine.decide(spend(budget, "6000.01")).outcome is Outcome.NEEDS_APPROVAL


@pytest.mark.parametrize("state", ["draft", "filed"])
def test_nothing_draws_on_a_budget_management_has_not_approved(engine: Engine, state: str) -> None:
    decision = engine.decide(spend(position(state=state), "1"))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"FIN-09"}


def test_an_approval_time_without_the_approved_state_is_not_approval(engine: Engine) -> None:
    filed = attrs.evolve(position(), state="filed")
    assert filed.approved_at is not None
    assert engine.decide(spend(filed, "1")).controls == {"FIN-09"}


def test_spending_dated_before_the_approval_is_denied(engine: Engine) -> None:
    decision = engine.decide(spend(position(), "1", at=T0 - timedelta(seconds=1)))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"FIN-09"}


def test_spending_in_another_currency_is_denied(engine: Engine) -> None:
    budget = position(currency="USD")
    assert engine.decide(spend(budget, "1")).controls == {"FEE-06"}


ledger = st_.lists(
    st_.tuples(st_.sampled_from(["spend", "approved", "pending"]), st_.integers(1, 50_000)),
    max_size=30,
)


@given(budget=st_.integers(0, 100_000), operations=ledger)
def test_spending_never_passes_the_budget_without_an_approved_adjustment(
    engine: Engine, budget: int, operations: list[tuple[str, int]]
) -> None:
    """Book every spending the engine allows: the total never passes budget + approved ones."""
    approved, spent = Decimal(0), Decimal(0)
    for kind, cents in operations:
        amount = Decimal(cents).scaleb(-2)
        if kind == "approved":
            approved += amount
        elif kind == "spend":
            current = position(str(budget), str(approved), str(spent))
            decision = engine.decide(spend(current, str(amount)))
            fits = spent + amount <= budget + approved
            assert (decision.outcome is Outcome.ALLOW) == fits
            if decision.outcome is Outcome.ALLOW:
                spent += amount
        assert spent <= budget + approved  # a pending adjustment never counts


def move(
    actor: Employee, to_state: str, data: BudgetFacts | None, *, filed: bool = True
) -> TransitionCheck:
    history = (Move("draft", "filed", "H1", T0),) if filed else ()
    from_state = "filed" if filed else "draft"
    return TransitionCheck("budget", "B1", from_state, to_state, actor, T0, data, history)


FACTS = BudgetFacts("sales", 2026, Money("100000", "CNY"))
HEAD = Employee("H1", "sales", {"dept_head"})
FINANCE = Employee("F1", "finance", {"finance_manager"})
MANAGER = Employee("G1", "office", {"general_manager"})


def test_a_department_files_its_own_draft(engine: Engine) -> None:
    assert engine.decide(move(HEAD, "filed", FACTS, filed=False)).outcome is Outcome.ALLOW
    refused = engine.decide(move(FINANCE, "filed", FACTS, filed=False))
    assert refused.outcome is Outcome.DENY
    assert refused.controls == {"FIN-09"}


def test_only_management_approves_a_budget(engine: Engine) -> None:
    assert engine.decide(move(MANAGER, "approved", FACTS)).outcome is Outcome.ALLOW
    for actor in (HEAD, FINANCE):
        decision = engine.decide(move(actor, "approved", FACTS))
        assert decision.outcome is Outcome.DENY
        assert decision.controls == {"FIN-09"}


def test_a_budget_cannot_skip_filing(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="filed"):
        engine.decide(move(MANAGER, "approved", FACTS, filed=False))


def test_a_budget_move_without_its_facts_is_denied(engine: Engine) -> None:
    assert engine.decide(move(MANAGER, "approved", None)).controls == {"FIN-09"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("department", ""), ("fiscal_year", "2026"), ("fiscal_year", 26), ("amount", Decimal(1))],
)
def test_bad_budget_facts_are_refused_naming_the_field(field: str, value: object) -> None:
    fields = {"department": "sales", "fiscal_year": 2026, "amount": Money("1", "CNY")}
    with pytest.raises(InvalidInput, match=field):
        BudgetFacts(**{**fields, field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [("budget", "B1"), ("amount", Money(0, "CNY")), ("spender", ""), ("at", T0.date())],
)
def test_bad_spending_is_refused_naming_the_field(field: str, value: object) -> None:
    fields = {
        "id": "S1",
        "budget": position(),
        "amount": Money("1", "CNY"),
        "spender": "E1",
        "at": T0,
    }
    with pytest.raises(InvalidInput, match=field):
        BudgetSpend(**{**fields, field: value})  # type: ignore[arg-type]


def test_a_bad_position_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="approved_at"):
        BudgetPosition(
            "B1", "sales", 2026, "approved", T0.replace(tzinfo=None), *[Money(0, "CNY")] * 3
        )


# -- the stored ledger -----------------------------------------------------------------------------


def approved_budget(store: st.Store, amount: str = "100000") -> None:
    with store.transaction() as tx:
        budgets = Finance(tx).budgets
        budgets.create("B1", "sales", 2026, Money(amount, "CNY"), owner="H1")
        budgets.move("B1", "filed", "H1", key="b1-filed")
        budgets.move("B1", "approved", "G1", key="b1-approved")


def test_the_store_refuses_spending_until_management_approves(store: st.Store) -> None:
    with store.transaction() as tx:
        Finance(tx).budgets.create("B1", "sales", 2026, Money("100000", "CNY"), owner="H1")
    with pytest.raises(Refused) as caught, store.transaction() as tx:
        Finance(tx).budgets.spend("S1", "B1", Money("1", "CNY"), "E1")
    assert caught.value.controls == {"FIN-09"}
    with store.transaction() as tx:
        Finance(tx).budgets.move("B1", "filed", "H1", key="b1-filed")
    with pytest.raises(Refused) as not_management, store.transaction() as tx:
        Finance(tx).budgets.move("B1", "approved", "F1", key="b1-approved")
    assert not_management.value.controls == {"FIN-09"}
    with store.transaction() as tx:
        Finance(tx).budgets.move("B1", "approved", "G1", key="b1-approved")
        Finance(tx).budgets.spend("S1", "B1", Money("1", "CNY"), "E1")
        assert Finance(tx).budgets.position("B1").spent == Money("1", "CNY")


def test_the_store_books_over_budget_only_after_an_approved_adjustment(store: st.Store) -> None:
    approved_budget(store)
    with store.transaction() as tx:
        Finance(tx).budgets.spend("S1", "B1", Money("99999.99", "CNY"), "E1")
    with pytest.raises(Refused) as caught, store.transaction() as tx:
        Finance(tx).budgets.spend("S2", "B1", Money("500.02", "CNY"), "E1")
    assert caught.value.controls == {"FIN-02"}
    assert caught.value.decision.outcome is Outcome.NEEDS_APPROVAL
    with store.transaction() as tx:
        budgets = Finance(tx).budgets
        request = budgets.adjustment_request("B1", "ADJ-1", Money("500", "CNY"), "E1")
        submitted = tx.approvals.submit(request, key="adj-1")
        assert submitted.route.roles == ("dept_head", "finance_manager")  # APR-08's matrix
        budgets.adjust("B1", "ADJ-1")
    with pytest.raises(Refused), store.transaction() as tx:  # pending: it does not count yet
        Finance(tx).budgets.spend("S2", "B1", Money("500.01", "CNY"), "E1")
    with store.transaction() as tx:
        tx.approvals.approve("ADJ-1", 0, "H1", key="adj-1-0")
        tx.approvals.approve("ADJ-1", 1, "F1", key="adj-1-1")
    with pytest.raises(Refused), store.transaction() as tx:
        Finance(tx).budgets.spend("S2", "B1", Money("500.02", "CNY"), "E1")
    with store.transaction() as tx:
        Finance(tx).budgets.spend("S2", "B1", Money("500.01", "CNY"), "E1")
        position = Finance(tx).budgets.position("B1")
    assert (position.ceiling, position.remaining) == (Decimal("100500"), Decimal(0))


def test_an_adjustment_must_be_a_budget_adjustment_of_the_department(store: st.Store) -> None:
    from agency_core import ApprovalRequest

    approved_budget(store)
    with store.transaction() as tx:
        claim = ApprovalRequest("R1", "expense_reimbursement", Money("10", "CNY"), "sales", "E1")
        tx.approvals.submit(claim, key="r1")
        other = ApprovalRequest("ADJ-9", "budget_adjustment", Money("10", "CNY"), "ops", "E1")
        tx.approvals.submit(other, key="adj-9")
    for request_id in ("R1", "ADJ-9"):
        with pytest.raises(InvalidInput), store.transaction() as tx:
            Finance(tx).budgets.adjust("B1", request_id)


def test_the_sweeps_find_spending_past_a_budget_and_before_its_approval(store: st.Store) -> None:
    from agency_finance.tables import SpendRow

    approved_budget(store, "100")
    with store.transaction() as tx:
        budgets = Finance(tx).budgets
        budgets.create("B2", "ops", 2027, Money("100", "CNY"), owner="H1")
        budgets.spend("S1", "B1", Money("60.10", "CNY"), "E1")
        tx.session.add_all(  # written past the checks, straight into the ledger
            [
                SpendRow(
                    id="S2",
                    budget_id="B1",
                    amount=Decimal("39.91"),
                    currency="CNY",
                    spender="E1",
                    at=T0,
                ),
                SpendRow(
                    id="S3",
                    budget_id="B2",
                    amount=Decimal("1"),
                    currency="CNY",
                    spender="E1",
                    at=T0,
                ),
            ]
        )
    found = {
        (f.title, f.count, f.sample)
        for f in run_audit(store, on=date(2026, 3, 2))
        if f.control in ("FIN-02", "FIN-09")
    }
    assert found == {
        ("budgets spent beyond their approved amount and adjustments", 1, ("B1",)),
        ("spending booked before its budget was approved", 1, ("S3",)),
        ("budgets not approved before their fiscal year starts", 0, ()),
    }
    title = "budgets not approved before their fiscal year starts"
    on_the_last_day = {f.title: f.sample for f in run_audit(store, on=date(2026, 12, 31))}
    assert on_the_last_day[title] == ()
    next_year = {f.title: f.sample for f in run_audit(store, on=date(2027, 1, 1))}
    assert next_year[title] == ("B2",)


def test_a_budget_pays_only_for_its_fiscal_year_on_the_firms_clock(engine: Engine) -> None:
    budget = position()  # fiscal 2026, the calendar year under the default policy
    new_year_in_beijing = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 2027-01-01 00:00 +08:00
    last_minute = new_year_in_beijing - timedelta(minutes=1)
    assert engine.decide(spend(budget, "1", at=last_minute)).outcome is Outcome.ALLOW
    decision = engine.decide(spend(budget, "1", at=new_year_in_beijing))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"FIN-09"}
    assert decision.findings[0].facts["year"] == 2027


def test_a_fiscal_year_follows_the_policys_first_month_and_zone() -> None:
    from pathlib import Path

    import agency_finance.plugin
    from agency_finance.policy import fiscal_year

    import agency_core
    from agency_core import parse_policy

    default = Path(agency_core.__file__).parent / "policy" / "default.toml"
    text = (
        default.read_text(encoding="utf-8")
        .replace("fiscal_year_start_month = 1", "fiscal_year_start_month = 4")
        .replace('timezone = "Asia/Shanghai"', 'timezone = "UTC"')
    )
    bound = Engine(parse_policy(text.encode()), plugins=[agency_finance.plugin]).policy
    assert fiscal_year(bound, datetime(2026, 3, 31, 23, 59, tzinfo=UTC)) == 2025
    assert fiscal_year(bound, datetime(2026, 4, 1, 0, 0, tzinfo=UTC)) == 2026
