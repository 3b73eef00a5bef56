"""What a replacement of the finance plugin must keep, for the conformance kit (FIN-01..FIN-09).

Every oracle computes its answer from the plugin's own policy section (``[plugins.finance]``,
the shipped defaults when a replacement has none) and the core policy (currency, clock, roles),
never by calling the plugin's functions: which control must deny, which needs approval, which
reports. The examples reach the edges of each rule: amounts on every limit and one minor unit of
the policy's currency either side (a fen in yuan, a yen, a fils in dinars), mixed currencies,
instants around the turn of a fiscal year written in far offsets, delegated approval steps,
Chinese ids and blank (full-width space) explanations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from agency_core import Money
from agency_core.decision import Decision, Outcome, Severity
from agency_core.entities import ApprovalRequest, Employee, StepAction, Verdict
from agency_core.entities.money import CURRENCIES
from agency_core.errors import PluginError
from agency_core.testing import strategies as S
from agency_core.testing.conformance import Property, Subject, Violation
from agency_core.transitions import Move, TransitionCheck
from agency_finance.entities import (
    AccountKind,
    ApprovalState,
    Attachment,
    AttachmentKind,
    BudgetFacts,
    BudgetPosition,
    BudgetSpend,
    CreditCharge,
    CreditPosition,
    DifferenceKind,
    ExpenseClaim,
    Payment,
    Reconciliation,
    StocktakeDifference,
)
from agency_finance.policy import SECTION, FinancePolicy

__all__ = ["PROPERTIES"]

OTHER = "USD"
"""A currency other than the policy's (the policy's is CNY unless a firm says otherwise)."""
BLANKS = ("", " ", "\u3000", "\t\n")
"""Explanations that say nothing: empty, a space, a full-width space (全角空格), white space."""
WORDS = ("盘点时发现的差异，已查明原因", "bank charges not yet booked", "客户未入账的回款")
BUDGET_KIND = "budget"


def _spec(subject: Subject) -> FinancePolicy:
    try:
        return subject.engine.policy.section(SECTION, FinancePolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return FinancePolicy()


def _places(subject: Subject) -> int:
    """Digits after the point of the policy's currency (2 for CNY, 0 for JPY, 3 for KWD)."""
    return CURRENCIES[subject.policy.currency]


def _unit(subject: Subject) -> Decimal:
    """The policy currency's minor unit, the step of every edge (0.01 yuan, 1 yen, 0.001 dinar)."""
    return _unit_of(subject.policy.currency)


def _unit_of(currency: str) -> Decimal:
    """The minor unit of ``currency``."""
    return Decimal(1).scaleb(-CURRENCIES[currency])


def _amount(subject: Subject, value: str) -> Decimal:
    """``value`` as an amount of the policy's currency, rounded to its minor unit as Money does."""
    return Money(value, subject.policy.currency).amount


def _other(subject: Subject) -> str:
    return "EUR" if subject.policy.currency == OTHER else OTHER


def _strongest(decision: Decision, control: str) -> Severity | None:
    """The most severe finding of ``control`` in ``decision`` (None: no finding of it)."""
    order = list(Severity)
    found = [f.severity for f in decision.findings if f.control == control]
    return max(found, key=order.index) if found else None


def _must(
    control: str, expected: Severity | None, example: object, decision: Decision, why: str
) -> None:
    """Fail unless the strongest finding of ``control`` is ``expected`` (None: none, or only an
    INFO note, which explains without deciding)."""
    got = _strongest(decision, control)
    if expected is None and got in (None, Severity.INFO):
        return
    if got is expected:
        return
    want = expected.value if expected is not None else "nothing"
    have = got.value if got is not None else "nothing"
    raise Violation(
        control, f"must give {want} under {control}, gave {have} ({why})", example, [decision]
    )


def _denied(control: str, example: object, decision: Decision, why: str) -> None:
    """A request that cannot be decided as given (two currencies) must be denied, whichever
    control says so (fail closed)."""
    if decision.outcome is not Outcome.DENY:
        raise Violation(
            control, f"must deny ({why}), got {decision.outcome.value}", example, [decision]
        )


def _edges(unit: Decimal, *bounds: Decimal) -> list[Decimal]:
    """Each bound and one minor unit ``unit`` either side, none below ``unit``; a bound between
    two amounts of the currency gives the two amounts below it and the one above."""
    floors = [b.quantize(unit, ROUND_FLOOR) for b in bounds]
    return sorted({f + d for f in floors for d in (-unit, Decimal(0), unit) if f + d >= unit})


# --- FIN-01: attachments cover the claim --------------------------------------------------------


@st.composite
def _covered_claims(draw: st.DrawFn, subject: Subject) -> ExpenseClaim:
    currency, unit, places = subject.policy.currency, _unit(subject), _places(subject)
    category = draw(st.sampled_from(sorted(_spec(subject).categories) or ["travel"]))
    amount = draw(
        st.sampled_from([unit, Decimal("800"), Decimal("10000")])
        | st.decimals(unit, 10**6, places=places)
    )
    delta = draw(st.sampled_from([-unit, Decimal(0), unit, Decimal(-1), Decimal(5)]))
    total = max(amount + delta, Decimal(0))
    parts = draw(st.integers(1, 3))
    cuts = sorted(
        draw(st.lists(st.decimals(0, total, places=places), min_size=parts - 1, max_size=parts - 1))
    )
    shares = [b - a for a, b in zip([Decimal(0), *cuts], [*cuts, total], strict=True)]
    numbers = [f"发票-{i}" if i % 2 else f"INV-{i}" for i in range(len(shares))]
    kinds = [draw(st.sampled_from(AttachmentKind)) for _ in shares]
    attachments = [
        Attachment(kind, number, Money(share, currency))
        for kind, number, share in zip(kinds, numbers, shares, strict=True)
    ]
    twist = draw(st.sampled_from(["none", "none", "duplicate", "reused", "currency"]))
    claimed_before: tuple[str, ...] = ()
    if twist == "duplicate":  # the same invoice attached again, for the same amount
        attachments.append(draw(st.sampled_from(attachments)))
    elif twist == "reused":
        used = draw(st.sampled_from(attachments))
        claimed_before = (f"{used.kind.value}:{used.number}",)
    elif twist == "currency":
        index = draw(st.integers(0, len(attachments) - 1))
        moved = attachments[index]
        attachments[index] = Attachment(
            moved.kind, moved.number, Money(moved.amount.amount, _other(subject))
        )
    return ExpenseClaim(
        "报销-1",
        "员工甲",
        "销售部",
        category,
        Money(amount, currency),
        date(2024, 2, 29),
        tuple(attachments),
        claimed_before,
    )


def _claim_cases(subject: Subject, _thorough: bool) -> Iterable[ExpenseClaim]:
    """Covered exactly, short by a minor unit, an invoice attached twice to cover it, an invoice
    another claim used, an attachment in another currency."""
    own = subject.policy.currency

    def claim(
        amount: Decimal | str, *parts: tuple[str, Decimal | str, str], before: tuple[str, ...] = ()
    ) -> ExpenseClaim:
        attached = tuple(Attachment(AttachmentKind.INVOICE, n, Money(a, c)) for n, a, c in parts)
        return ExpenseClaim(
            "报销-1",
            "员工甲",
            "销售部",
            "travel",
            Money(amount, own),
            date(2024, 2, 29),
            attached,
            before,
        )

    part = _amount(subject, "500.25")
    yield claim("800", ("发票-1", part, own), ("INV-2", 800 - part, own))
    yield claim(800 + _unit(subject), ("发票-1", "800", own))
    yield claim("800", ("发票-1", "400", own), ("发票-1", "400", own))
    yield claim("800", ("发票-1", "800", own), before=("invoice:发票-1",))
    yield claim("800", ("发票-1", "800", _other(subject)))


def _fin01(subject: Subject, claim: ExpenseClaim) -> None:
    decision = subject.engine.decide(claim)
    if any(a.amount.currency != claim.amount.currency for a in claim.attachments):
        _denied("FIN-01", claim, decision, "attachments in another currency cannot be added")
        return
    keys = [(a.kind.value, a.number) for a in claim.attachments]
    reused = any(f"{kind}:{number}" in claim.claimed_before for kind, number in keys)
    total = sum((a.amount.amount for a in claim.attachments), Decimal(0))
    if len(set(keys)) != len(keys):
        _must("FIN-01", Severity.DENY, claim, decision, "an attachment attached twice")
    elif reused:
        _must("FIN-01", Severity.DENY, claim, decision, "an attachment another claim used")
    elif total < claim.amount.amount:
        _must("FIN-01", Severity.DENY, claim, decision, f"attachments total {total}")
    else:
        _must("FIN-01", None, claim, decision, f"attachments total {total}, covering the claim")


# --- FIN-02: spending within the budget and its approved adjustments ---------------------------


@st.composite
def _spends(draw: st.DrawFn, subject: Subject) -> BudgetSpend:
    unit, places = _unit(subject), _places(subject)
    amount = draw(st.sampled_from([Decimal(100000), unit]) | st.decimals(0, 10**6, places=places))
    adjustments = draw(
        st.sampled_from([Decimal(0), Decimal(20000)]) | st.decimals(0, 10**5, places=places)
    )
    spent = draw(
        st.sampled_from([Decimal(0), amount, amount + adjustments + unit])
        | st.decimals(0, 2 * 10**5, places=places)
    )
    edges = _edges(unit, amount + adjustments - spent, amount - spent) or [unit]
    money = draw(st.sampled_from(edges) | st.decimals(unit, 3 * 10**5, places=places))
    year = draw(st.integers(2024, 2027))
    start = _fiscal_start(subject, year)
    day = draw(st.sampled_from([start, start + timedelta(days=200)]))
    at = draw(S.instants_on(day, subject.policy))
    kept = _other(subject) if draw(st.integers(0, 9)) == 0 else None  # another currency
    return _spend(subject, money, amount, adjustments, spent, at=at, year=year, currency=kept)


def _spend(
    subject: Subject,
    money: Decimal,
    amount: Decimal,
    adjustments: Decimal,
    spent: Decimal,
    *,
    at: datetime | None = None,
    year: int = 2026,
    state: str = "approved",
    approved_at: datetime | None = None,
    currency: str | None = None,
) -> BudgetSpend:
    own = subject.policy.currency
    kept = currency or own
    start = datetime.combine(
        _fiscal_start(subject, year), datetime.min.time(), S.firm_zone(subject.policy)
    )
    position = BudgetPosition(
        "预算-2026-销售",
        "销售部",
        year,
        state,
        approved_at or (start - timedelta(days=30) if state == "approved" else None),
        Money(amount, kept),
        Money(adjustments, kept),
        Money(spent, kept),
    )
    return BudgetSpend(
        "支出-1", position, Money(money, own), "员工甲", at or start + timedelta(days=100)
    )


def _spend_cases(subject: Subject, _thorough: bool) -> Iterable[BudgetSpend]:
    """Each edge of what is left (with and without adjustments, half spent, spent past it) and
    a budget in another currency."""
    amount, unit = Decimal(100000), _unit(subject)
    for adjustments in (Decimal(0), Decimal(20000)):
        for spent in (Decimal(0), _amount(subject, "50000.5"), amount + adjustments + unit):
            for money in _edges(unit, amount + adjustments - spent, amount - spent) or [unit]:
                yield _spend(subject, money, amount, adjustments, spent)
    yield _spend(subject, unit, amount, Decimal(0), Decimal(0), currency=_other(subject))


def _year_cases(subject: Subject, _thorough: bool) -> Iterable[BudgetSpend]:
    """Spending one microsecond either side of the turn of the fiscal year, written in every
    offset, on the budgets of both years; spending a microsecond before the approval; and on a
    draft and a filed budget."""
    zone, unit = S.firm_zone(subject.policy), _unit(subject)
    start = datetime.combine(_fiscal_start(subject, 2026), datetime.min.time(), zone)
    for at in (start - timedelta(microseconds=1), start):
        for offset in S.TIMEZONES:
            for year in (2025, 2026):
                approved = start - timedelta(days=400)
                yield _spend(
                    subject,
                    unit,
                    Decimal(10**6),
                    Decimal(0),
                    Decimal(0),
                    at=at.astimezone(offset),
                    year=year,
                    approved_at=approved,
                )
    yield _spend(
        subject,
        unit,
        Decimal(10**6),
        Decimal(0),
        Decimal(0),
        at=start + timedelta(days=1),
        approved_at=start + timedelta(days=1, microseconds=1),
    )
    for state in ("draft", "filed"):
        yield _spend(subject, unit, Decimal(10**6), Decimal(0), Decimal(0), state=state)


def _fiscal_start(subject: Subject, year: int) -> date:
    return date(year, subject.policy.fiscal_year_start_month, 1)


def _fiscal_year(subject: Subject, at: datetime) -> int:
    day = subject.policy.local_date(at)
    start = subject.policy.fiscal_year_start_month
    return day.year if day.month >= start else day.year - 1


def _fin02(subject: Subject, spend: BudgetSpend) -> None:
    decision = subject.engine.decide(spend)
    position = spend.budget
    if position.amount.currency != spend.amount.currency:
        _denied("FIN-02", spend, decision, "a budget in another currency")
        return
    remaining = position.amount.amount + position.adjustments.amount - position.spent.amount
    over = spend.amount.amount > remaining
    expected = Severity.APPROVAL if over else None
    _must("FIN-02", expected, spend, decision, f"{remaining} left with adjustments")


# --- FIN-03: credit limits and overdue receivables ----------------------------------------------


def _charge(
    subject: Subject,
    limit: Decimal | None,
    outstanding: Decimal,
    amount: Decimal,
    count: int,
    currency: str | None = None,
) -> CreditCharge:
    own = subject.policy.currency
    overdue = Decimal(0) if count == 0 else min(outstanding, Decimal(1000)) or Decimal(1)
    position = CreditPosition(
        "客户-甲",
        None if limit is None else Money(limit, own),
        Money(outstanding, own),
        Money(overdue, own),
        count,
    )
    kept = currency or own
    money = Money(max(amount, _unit_of(kept)), kept)  # a fils is no amount in USD
    return CreditCharge("赊销-1", "客户-甲", money, date(2024, 2, 29), position)


def _charge_cases(subject: Subject, _thorough: bool) -> Iterable[CreditCharge]:
    """Every limit edge (owing nothing, owing part, owing the whole limit), with and without
    overdue receivables, a client without a limit, and a charge in another currency."""
    unit, part = _unit(subject), _amount(subject, "30000.5")
    for limit, outstanding in ((Decimal(50000), Decimal(0)), (Decimal(50000), part)):
        for amount in _edges(unit, limit - outstanding):
            for count in (0, 1):
                yield _charge(subject, limit, outstanding, amount, count)
    yield _charge(subject, Decimal(50000), Decimal(50000), unit, 0)
    for count in (0, 2):
        yield _charge(subject, None, Decimal(0), unit, count)
    yield _charge(subject, Decimal(50000), Decimal(0), unit, 0, _other(subject))


@st.composite
def _charges(draw: st.DrawFn, subject: Subject) -> CreditCharge:
    unit, places = _unit(subject), _places(subject)
    outstanding = draw(
        st.sampled_from([Decimal(0), Decimal(30000)]) | st.decimals(0, 10**5, places=places)
    )
    limit = draw(
        st.none()
        | st.sampled_from([Decimal(50000), outstanding])
        | st.decimals(0, 2 * 10**5, places=places)
    )
    edges = _edges(unit, limit - outstanding) if limit is not None else []
    amount = draw(st.sampled_from(edges or [unit]) | st.decimals(unit, 10**5, places=places))
    count = draw(st.sampled_from([0, 0, 1, 3]))
    currency = draw(st.sampled_from([subject.policy.currency] * 5 + [_other(subject)]))
    return _charge(subject, limit, outstanding, amount, count, currency)


def _fin03(subject: Subject, charge: CreditCharge) -> None:
    decision = subject.engine.decide(charge)
    position = charge.position
    if position.outstanding.currency != charge.amount.currency:
        _denied("FIN-03", charge, decision, "a credit kept in another currency")
        return
    if position.limit is None:
        over = _spec(subject).no_limit_needs_approval
        why = "no limit on record"
    else:
        over = position.outstanding.amount + charge.amount.amount > position.limit.amount
        why = f"owes {position.outstanding.amount} of a limit of {position.limit.amount}"
    if position.overdue_count:
        over, why = True, f"{why}; {position.overdue_count} overdue receivables"
    _must("FIN-03", Severity.APPROVAL if over else None, charge, decision, why)


# --- FIN-04, FIN-08: reconciliations ------------------------------------------------------------


def _reconciliations(kinds: Sequence[AccountKind]) -> Any:
    @st.composite
    def build(draw: st.DrawFn, subject: Subject) -> Reconciliation:
        currency, unit, places = subject.policy.currency, _unit(subject), _places(subject)
        book = draw(
            st.sampled_from([Decimal(0), _amount(subject, "12345.67")])
            | st.decimals(0, 10**6, places=places)
        )
        delta = draw(
            st.sampled_from([Decimal(0), Decimal(0), unit, -unit, 1 - unit, Decimal(-1)])
            | st.decimals(-100, 100, places=places)
        )
        actual = max(book + delta, Decimal(0))
        other = draw(st.sampled_from([currency] * 6 + [_other(subject)]))
        explanation = draw(st.sampled_from(BLANKS + WORDS))
        reconciler = draw(st.sampled_from(["出纳-王", "会计-李"]))
        keeper = draw(st.sampled_from([None, "出纳-王", "出纳-赵"]))
        end = draw(st.sampled_from([date(2024, 2, 29), date(2025, 12, 31), date(2026, 3, 31)]))
        return Reconciliation(
            "账户-1",
            draw(st.sampled_from(kinds)),
            end,
            Money(book, currency),
            Money(actual, other),
            reconciler,
            explanation,
            keeper,
        )

    return build


def _reconciliation_cases(kinds: Sequence[AccountKind]) -> Any:
    def cases(subject: Subject, _thorough: bool) -> Iterable[Reconciliation]:
        """Every kind x a difference of nothing, a minor unit either way, the most under one
        major unit (0.99 yuan) x a blank or a real explanation x no keeper, the reconciler as
        keeper, someone else as keeper."""
        own, unit = subject.policy.currency, _unit(subject)
        book = Money("12345.67", own)
        for kind in kinds:
            for delta in dict.fromkeys((Decimal(0), unit, -unit, 1 - unit)):
                for explanation in (*BLANKS[:3], WORDS[1]):
                    for keeper in (None, "出纳-王", "出纳-赵"):
                        actual = Money(book.amount + delta, own)
                        yield Reconciliation(
                            "账户-1",
                            kind,
                            date(2025, 12, 31),
                            book,
                            actual,
                            "出纳-王",
                            explanation,
                            keeper,
                        )
            yield Reconciliation(
                "账户-1",
                kind,
                date(2024, 2, 29),
                book,
                Money(book.amount, _other(subject)),
                "会计-李",
            )

    return cases


def _reconciled(control: str) -> Any:
    def holds(subject: Subject, rec: Reconciliation) -> None:
        decision = subject.engine.decide(rec)
        if rec.book.currency != rec.actual.currency:
            _denied(control, rec, decision, "balances in two currencies")
            return
        difference = rec.actual.amount - rec.book.amount
        expected: Severity | None = None
        why = f"difference {difference}"
        if difference and not rec.explanation.strip():
            expected, why = Severity.DENY, f"{why}, unexplained"
        elif difference:
            expected, why = Severity.WARNING, f"{why}, explained: it is reported"
        if rec.keeper is not None and rec.keeper == rec.reconciler:
            expected, why = Severity.DENY, "the keeper of the account reconciles it"
        _must(control, expected, rec, decision, why)
        wrong = "FIN-08" if control == "FIN-04" else "FIN-04"
        if _strongest(decision, wrong) is not None:
            raise Violation(
                control,
                f"a {rec.account_kind.value} account reported under {wrong}",
                rec,
                [decision],
            )

    return holds


# --- FIN-05: stocktake differences --------------------------------------------------------------


def _stocktake(
    kind: DifferenceKind, explanation: str, amount: Decimal, currency: str
) -> StocktakeDifference:
    return StocktakeDifference(
        "盘点-1",
        "资产-电脑-7",
        kind,
        Money(amount, currency),
        date(2025, 12, 31),
        "盘点人-甲",
        explanation,
    )


def _stocktake_cases(subject: Subject, _thorough: bool) -> Iterable[StocktakeDifference]:
    unit = _unit(subject)
    for kind in DifferenceKind:
        for explanation in (*BLANKS, WORDS[0]):
            for amount in (unit, Decimal(5000), 5000 + unit):
                yield _stocktake(kind, explanation, amount, subject.policy.currency)


def _stocktakes(subject: Subject) -> st.SearchStrategy[StocktakeDifference]:
    def build(
        kind: DifferenceKind, explanation: str, amount: Decimal, currency: str
    ) -> StocktakeDifference:
        # At least a minor unit of the currency it is written in (a fils is no amount in USD).
        return _stocktake(kind, explanation, max(amount, _unit_of(currency)), currency)

    return st.builds(
        build,
        st.sampled_from(DifferenceKind),
        st.sampled_from(BLANKS + WORDS) | st.text(min_size=1),
        st.decimals(_unit(subject), 10**6, places=_places(subject)),
        st.sampled_from([subject.policy.currency, _other(subject)]),
    )


def _fin05(subject: Subject, diff: StocktakeDifference) -> None:
    decision = subject.engine.decide(diff)
    if diff.explanation.strip():
        _must("FIN-05", Severity.APPROVAL, diff, decision, f"an explained {diff.difference.value}")
    else:
        _must("FIN-05", Severity.DENY, diff, decision, f"an unexplained {diff.difference.value}")


# --- FIN-06: payments ---------------------------------------------------------------------------


def _payment(
    subject: Subject,
    principals: Sequence[str | None],
    payer: str,
    *,
    late: timedelta = timedelta(0),
    twist: str = "none",
    paid: tuple[str, ...] = (),
    off: Decimal = Decimal(0),
    amount: Decimal = Decimal(5000),
    submitted: datetime = datetime(2025, 12, 31, 15, 59, tzinfo=UTC),
    gaps: Sequence[timedelta] = (),
    zones: Sequence[Any] = (),
) -> Payment:
    """A payment on a request whose steps were taken (on behalf of ``principals``, None for
    none) by ``审批人-<step>``; the payment ``late`` after the last step (negative: before);
    ``twist`` the route's flaw (short, rejected, pending, reordered)."""
    currency = subject.policy.currency
    request = ApprovalRequest(
        "申请-1", "expense_claim", Money(amount, currency), "销售部", "员工甲"
    )
    history, at = [], submitted
    for step, principal in enumerate(principals):
        at += gaps[step] if step < len(gaps) else timedelta(hours=30)
        zone = zones[step] if step < len(zones) else UTC
        history.append(
            StepAction(step, f"审批人-{step}", Verdict.APPROVE, at.astimezone(zone), "", principal)
        )
    status = "approved"
    if twist == "short":
        history = history[:-1]
    elif twist == "rejected":
        last = history[-1]
        history[-1] = attrs.evolve(last, verdict=Verdict.REJECT, reason="不符合报销标准")
    elif twist == "pending":
        status = "pending"
    elif twist == "reordered" and len(history) > 1:
        history[0], history[1] = history[1], history[0]
    done = max((a.at for a in history), default=submitted)
    state = ApprovalState(request, len(principals), status, submitted, tuple(history))
    zone = zones[-1] if zones else S.FIRM_OFFSET
    return Payment(
        "付款-1", state, payer, Money(amount + off, currency), (done + late).astimezone(zone), paid
    )


CASHIER = "出纳-王"


def _payment_cases(subject: Subject, _thorough: bool) -> Iterable[Payment]:
    """A clean payment, then each flaw alone: a principal of a delegated step or an approver
    pays, paid one microsecond early, each flaw of the route, paid twice, one minor unit off."""
    delegated = (None, "经理-甲")
    yield _payment(subject, delegated, CASHIER)
    yield _payment(subject, delegated, "经理-甲")
    yield _payment(subject, delegated, "审批人-0")
    yield _payment(subject, delegated, CASHIER, late=-timedelta(microseconds=1))
    for twist in ("short", "rejected", "pending", "reordered"):
        yield _payment(subject, delegated, CASHIER, twist=twist)
    yield _payment(subject, delegated, CASHIER, paid=("付款-1",))
    yield _payment(subject, delegated, CASHIER, paid=("付款-0",))
    for off in (_unit(subject), -_unit(subject)):
        yield _payment(subject, delegated, CASHIER, off=off)


@st.composite
def _payments(draw: st.DrawFn, subject: Subject) -> Payment:
    unit, places = _unit(subject), _places(subject)
    steps = draw(st.integers(1, 3))
    principals = [draw(st.sampled_from([None, f"经理-{step}"])) for step in range(steps)]
    gaps = draw(
        st.lists(
            st.sampled_from([timedelta(seconds=1), timedelta(hours=30), timedelta(days=3)]),
            min_size=steps,
            max_size=steps,
        )
    )
    zones = draw(st.lists(st.sampled_from(S.TIMEZONES), min_size=steps, max_size=steps))
    who = draw(st.sampled_from(["cashier", "cashier", "approver", "principal"]))
    named = (
        [p for p in principals if p]
        if who == "principal"
        else [f"审批人-{s}" for s in range(steps)]
    )
    payer = draw(st.sampled_from(named)) if who != "cashier" and named else CASHIER
    return _payment(
        subject,
        principals,
        payer,
        late=draw(
            st.sampled_from(
                [
                    timedelta(0),
                    -timedelta(microseconds=1),
                    timedelta(microseconds=1),
                    timedelta(days=1),
                ]
            )
        ),
        twist=draw(st.sampled_from(["none", "none", "short", "rejected", "pending", "reordered"])),
        paid=draw(st.sampled_from([(), (), ("付款-1",), ("付款-0",)])),
        off=draw(st.sampled_from([Decimal(0)] * 4 + [unit, -unit])),
        amount=draw(
            st.sampled_from([2 * unit, Decimal(5000)]) | st.decimals(2 * unit, 10**6, places=places)
        ),
        submitted=draw(S.aware_datetimes(date(2024, 2, 28), date(2026, 12, 31))),
        gaps=gaps,
        zones=zones,
    )


def _fin06(subject: Subject, payment: Payment) -> None:
    decision = subject.engine.decide(payment)
    approval = payment.approval
    history = approval.history
    complete = (
        approval.status == "approved"
        and all(a.verdict is Verdict.APPROVE for a in history)
        and [a.step for a in history] == list(range(approval.steps))
    )
    done = max((a.at for a in history), default=approval.submitted_at)
    people = {a.actor for a in history} | {a.on_behalf_of for a in history if a.on_behalf_of}
    reasons = []
    if not complete:
        reasons.append("the route is not complete")
    elif payment.at < done:
        reasons.append(
            f"paid at {payment.at.isoformat()} before the last step at {done.isoformat()}"
        )
    if payment.payer in people:
        reasons.append(f"{payment.payer} approved a step (or was its principal)")
    if set(payment.paid) - {payment.id}:
        reasons.append("the request was paid before")
    if payment.amount != approval.request.amount:
        reasons.append("not the approved amount")
    expected = Severity.DENY if reasons else None
    _must(
        "FIN-06", expected, payment, decision, "; ".join(reasons) or "a complete route, paid once"
    )


# --- FIN-07: reimbursement scope and standards --------------------------------------------------


def _claim(subject: Subject, category: str, amount: Decimal, currency: str) -> ExpenseClaim:
    money = Money(amount, currency)
    return ExpenseClaim(
        "报销-2",
        "员工乙",
        "行政部",
        category,
        money,
        date(2025, 12, 31),
        (Attachment(AttachmentKind.INVOICE, "发票-9", money),),
    )


def _scope_cases(subject: Subject, _thorough: bool) -> Iterable[ExpenseClaim]:
    currency = subject.policy.currency
    spec = _spec(subject)
    for name, category in sorted(spec.categories.items()):
        limits = [category.limit] if category.limit is not None else [Decimal(1000)]
        for amount in _edges(_unit(subject), *limits):
            yield _claim(subject, name, amount, currency)
        yield _claim(subject, name, limits[0], _other(subject))
    for unlisted in ("高尔夫", "golf"):
        yield _claim(subject, unlisted, _unit(subject), currency)


def _scope_claims(subject: Subject) -> st.SearchStrategy[ExpenseClaim]:
    names = [*sorted(_spec(subject).categories), "高尔夫"]
    return st.builds(
        lambda name, amount: _claim(subject, name, amount, subject.policy.currency),
        st.sampled_from(names),
        st.decimals(_unit(subject), 2 * 10**4, places=_places(subject)),
    )


def _fin07(subject: Subject, claim: ExpenseClaim) -> None:
    decision = subject.engine.decide(claim)
    category = _spec(subject).categories.get(claim.category)
    if category is None:
        _must(
            "FIN-07", Severity.DENY, claim, decision, f"{claim.category} is not a listed category"
        )
    elif category.limit is None:
        _must("FIN-07", None, claim, decision, f"{claim.category} has no standard")
    elif claim.amount.currency != subject.policy.currency:
        _denied("FIN-07", claim, decision, "a standard in another currency")
    else:
        over = claim.amount.amount > category.limit
        expected = Severity.APPROVAL if over else None
        _must(
            "FIN-07", expected, claim, decision, f"standard of {claim.category}: {category.limit}"
        )


# --- FIN-09: the annual budget approved by management -------------------------------------------


@st.composite
def _year_edge_spends(draw: st.DrawFn, subject: Subject) -> BudgetSpend:
    """Spending at the turn of a fiscal year, written in any offset, on budgets in any state."""
    currency = subject.policy.currency
    year = draw(st.integers(2024, 2027))
    start = datetime.combine(
        _fiscal_start(subject, year), datetime.min.time(), S.firm_zone(subject.policy)
    )
    at = start + draw(
        st.sampled_from(
            [
                timedelta(0),
                -timedelta(microseconds=1),
                timedelta(hours=7),
                -timedelta(hours=9),
                timedelta(days=200),
            ]
        )
    )
    at = at.astimezone(draw(st.sampled_from(S.TIMEZONES)))
    state = draw(st.sampled_from(["approved", "approved", "approved", "draft", "filed"]))
    approved_at = draw(
        st.sampled_from([at - timedelta(days=40), at, at + timedelta(microseconds=1), None])
    )
    if state == "approved" and approved_at is None:
        approved_at = at - timedelta(days=1)
    budget_year = draw(st.sampled_from([year, year, year - 1]))
    position = BudgetPosition(
        "预算-年度",
        "销售部",
        budget_year,
        state,
        approved_at,
        Money(10**6, currency),
        Money(0, currency),
        Money(0, currency),
    )
    return BudgetSpend("支出-9", position, Money(_unit(subject), currency), "员工甲", at)


def _fin09_spend(subject: Subject, spend: BudgetSpend) -> None:
    decision = subject.engine.decide(spend)
    position = spend.budget
    year = _fiscal_year(subject, spend.at)
    if position.state != "approved" or position.approved_at is None:
        why = f"the budget is {position.state}"
    elif spend.at < position.approved_at:
        why = "spent before the budget was approved"
    elif year != position.fiscal_year:
        why = f"spent in fiscal {year} from the budget of {position.fiscal_year}"
    else:
        _must("FIN-09", None, spend, decision, f"an approved budget of fiscal {year}")
        return
    _must("FIN-09", Severity.DENY, spend, decision, why)


def _budget_moves(subject: Subject, _thorough: bool) -> Iterable[TransitionCheck]:
    """Every transition of the budget machine by people of the budget's department and of
    others, holding a role of the approvers, a role that inherits one, or neither."""
    spec = _spec(subject)
    approver = spec.budget_approver_roles[0]
    heirs = sorted(
        r for r, held in subject.policy.role_closure.items() if approver in held and r != approver
    )
    roles = [frozenset(), frozenset({approver}), frozenset({"finance_manager"})] + [
        frozenset({r}) for r in heirs[:1]
    ]
    at = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    filed = Move("draft", "filed", "员工甲", at - timedelta(days=2))
    moves = [("draft", "filed", ()), ("filed", "approved", (filed,)), ("filed", "draft", (filed,))]
    facts = BudgetFacts("销售部", 2026, Money(10**6, subject.policy.currency))
    for source, target, history in moves:
        for department in ("销售部", "财务部"):
            for held in roles:
                actor = Employee("员工乙", department, held)
                yield TransitionCheck(
                    BUDGET_KIND, "预算-2026", source, target, actor, at, facts, history
                )
        yield TransitionCheck(
            BUDGET_KIND,
            "预算-2026",
            source,
            target,
            Employee("员工丙", "销售部", {approver}),
            at,
            None,
            history,
        )


def _fin09_move(subject: Subject, check: TransitionCheck) -> None:
    decision = subject.engine.check_transition(check)
    facts = check.data
    roles = _spec(subject).budget_approver_roles
    if not isinstance(facts, BudgetFacts):
        _must("FIN-09", Severity.DENY, check, decision, "a move without the budget's facts")
        return
    deny = []
    if check.to_state == "filed" and check.actor.department != facts.department:
        deny.append(f"{check.actor.department} files the draft of {facts.department}")
    if check.from_state == "filed" and not subject.policy.effective_roles(check.actor.roles) & set(
        roles
    ):
        deny.append(f"{sorted(check.actor.roles)} hold no management role of {list(roles)}")
    _must("FIN-09", Severity.DENY if deny else None, check, decision, "; ".join(deny) or "allowed")


PROPERTIES = (
    Property(
        "FIN-01",
        "attachments-cover",
        "a claim's distinct, unused attachments cover it in its currency",
        _covered_claims,
        _fin01,
        cases=_claim_cases,
    ),
    Property(
        "FIN-02",
        "within-budget",
        "spending past the budget with its approved adjustments needs approval",
        _spends,
        _fin02,
        cases=_spend_cases,
    ),
    Property(
        "FIN-03",
        "credit-limit",
        "credit past the limit, without a limit or while overdue needs approval",
        _charges,
        _fin03,
        cases=_charge_cases,
    ),
    Property(
        "FIN-04",
        "client-reconciled",
        "a client's difference is explained and reported; the keeper does not reconcile",
        _reconciliations([AccountKind.CLIENT]),
        _reconciled("FIN-04"),
        cases=_reconciliation_cases([AccountKind.CLIENT]),
    ),
    Property(
        "FIN-05",
        "stocktake-approved",
        "a stocktake difference needs an explanation, then approval",
        _stocktakes,
        _fin05,
        cases=_stocktake_cases,
    ),
    Property(
        "FIN-06",
        "paid-after-route",
        "paid once, for the approved amount, after the last step, by no approver",
        _payments,
        _fin06,
        cases=_payment_cases,
    ),
    Property(
        "FIN-07",
        "scope-standard",
        "an unlisted category is denied; above its standard needs approval",
        _scope_claims,
        _fin07,
        cases=_scope_cases,
    ),
    Property(
        "FIN-08",
        "cash-bank-reconciled",
        "a cash or bank difference is explained and reported; the keeper does not reconcile",
        _reconciliations([AccountKind.CASH, AccountKind.BANK]),
        _reconciled("FIN-08"),
        cases=_reconciliation_cases([AccountKind.CASH, AccountKind.BANK]),
    ),
    Property(
        "FIN-09",
        "approved-budget",
        "spending draws only on an approved budget of its fiscal year, after approval",
        _year_edge_spends,
        _fin09_spend,
        cases=_year_cases,
    ),
    Property(
        "FIN-09",
        "budget-moves",
        "a department files its own draft; only management approves or returns it",
        None,
        _fin09_move,
        cases=_budget_moves,
    ),
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``)."""
