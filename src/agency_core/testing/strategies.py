"""Hypothesis strategies for every entity and request of agency-core, valid by construction.

Strategies that need policy data (roles, actions, record classes, number prefixes, the currency)
take ``policy``; None means the bundled :func:`~agency_core.policy.default_policy`. Importing this
module registers a strategy for every public entity and check, so ``st.from_type(Record)`` works.

Strategies for *invalid* input (:func:`bad_amounts`, :func:`unknown_currencies`,
:func:`broken_policies`) feed the fuzz tests: each value must be refused with an
:class:`~agency_core.errors.AgencyError`, never anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from agency_core.decision import Route, RouteStep
from agency_core.engine import Request
from agency_core.entities import (
    CURRENCIES,
    Appraisal,
    ApprovalFacts,
    ApprovalRequest,
    Charge,
    Client,
    Contract,
    Delegation,
    Department,
    DestructionItem,
    DestructionList,
    Employee,
    FeeAdjustment,
    FeeSchedule,
    Hold,
    Invoice,
    InvoiceLine,
    Loan,
    Money,
    Opinion,
    Record,
    Role,
    ScheduleItem,
    SettlementStatement,
    Signature,
    StatementLine,
    StepAction,
    Verdict,
)
from agency_core.entities.approvals import APPROVAL_STATUSES
from agency_core.policy import Policy, default_policy
from agency_core.requests import (
    ChargeCheck,
    CollectionCheck,
    DestructionCheck,
    DisposalCheck,
    DutyCheck,
    InvoiceCheck,
    PerformedDuty,
    RecordCheck,
    RoleGrant,
    StepCheck,
)
from agency_core.step_batch import StepBatch
from agency_core.testing._toml import broken_policies

__all__ = [
    "DEPARTMENTS",
    "ITEMS",
    "KIND_STRATEGIES",
    "TIMEZONES",
    "actions",
    "amounts",
    "approval_requests",
    "aware_datetimes",
    "bad_amounts",
    "bound_edges",
    "broken_policies",
    "charge_checks",
    "clients",
    "collection_checks",
    "contracts",
    "currencies",
    "days",
    "delegations",
    "departments",
    "destruction_checks",
    "destruction_lists",
    "disposal_checks",
    "duty_checks",
    "edge_days",
    "employee_ids",
    "employees",
    "every_kind",
    "fee_schedules",
    "firm_zone",
    "holds",
    "instants_on",
    "invoice_checks",
    "loans",
    "money",
    "near",
    "record_checks",
    "record_classes",
    "record_numbers",
    "records",
    "requests",
    "role_codes",
    "role_grants",
    "routes",
    "step_actions",
    "step_batches",
    "step_checks",
    "unknown_currencies",
]

T = TypeVar("T")
DEPARTMENTS: Final = ("sales", "finance", "accounting", "archives", "admin", "legal", "hr")
"""Department codes drawn besides those the policy names (branch overrides)."""
ITEMS: Final = (
    "registration",
    "tax_filing",
    "license_renewal",
    "bookkeeping",
    "trademark",
    "audit",
)
"""Service item codes of the generated fee schedules."""
TIMEZONES: Final = (
    timezone(timedelta(hours=8), "CST"),
    UTC,
    timezone(timedelta(hours=-12)),
    timezone(timedelta(hours=5, minutes=45)),
    timezone(timedelta(hours=14)),
)
"""Offsets a host may write timestamps in: China, UTC, and the extremes (-12:00, +05:45, +14:00)."""
FIRM_OFFSET: Final = timezone(timedelta(hours=8), "CST")
"""The firm's offset when the policy names no time zone (Asia/Shanghai keeps +08:00 all year)."""
FIRST_DAY: Final = date(2000, 1, 1)
LAST_DAY: Final = date(2060, 12, 31)


def _p(policy: Policy | None) -> Policy:
    return policy if policy is not None else default_policy()


def _ids(prefix: str, high: int = 99) -> st.SearchStrategy[str]:
    return st.integers(1, high).map(lambda n: f"{prefix}{n}")


def _words() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1).filter(
        str.strip
    )


# --- Primitives ---------------------------------------------------------------------------------


def days(min_value: date = FIRST_DAY, max_value: date = LAST_DAY) -> st.SearchStrategy[date]:
    """Calendar dates (not datetimes) between the bounds."""
    return st.dates(min_value, max_value)


def aware_datetimes(
    min_value: date = FIRST_DAY, max_value: date = LAST_DAY
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes in China Standard Time or UTC."""
    low = datetime.combine(min_value, datetime.min.time())
    high = datetime.combine(max_value, datetime.max.time())
    return st.datetimes(low, high, timezones=st.sampled_from(TIMEZONES))


def edge_days(min_value: date = FIRST_DAY, max_value: date = LAST_DAY) -> st.SearchStrategy[date]:
    """Dates, often a 29 February, a year's first or last day, or a month's last day."""
    years = st.integers(min_value.year, max_value.year)
    leap = years.map(lambda y: y - y % 4 if y % 4 else y).filter(
        lambda y: y % 100 != 0 or y % 400 == 0
    )
    special = st.one_of(
        leap.map(lambda y: date(y, 2, 29)),
        leap.map(lambda y: date(y, 2, 28)),
        years.map(lambda y: date(y, 12, 31)),
        years.map(lambda y: date(y, 1, 1)),
        years.map(lambda y: date(y, 3, 1)),
    ).filter(lambda d: min_value <= d <= max_value)
    return st.one_of(special, days(min_value, max_value))


def firm_zone(policy: Policy | None = None) -> tzinfo:
    """The firm's time zone: the policy's ``timezone`` setting when it has one."""
    name = getattr(_p(policy), "timezone", None)
    return ZoneInfo(name) if isinstance(name, str) else FIRM_OFFSET


@st.composite
def instants_on(draw: st.DrawFn, day: date, policy: Policy | None = None) -> datetime:
    """An instant written in any of :data:`TIMEZONES` whose date is ``day`` both in that offset
    and in the firm's time zone (so a rule reads the same day whichever it uses)."""
    zone = draw(st.sampled_from(TIMEZONES))
    firm = firm_zone(policy)
    start = datetime.combine(day, time(), firm)
    end = start + timedelta(days=1)
    local_start = datetime.combine(day, time(), zone)
    low, high = max(start, local_start), min(end, local_start + timedelta(days=1))
    span = int((high - low) / timedelta(microseconds=1)) - 1
    edge = st.sampled_from([0, span])
    offset = draw(edge | st.integers(0, span))
    return (low + timedelta(microseconds=offset)).astimezone(zone)


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 codes that :class:`Money` accepts."""
    return st.sampled_from(sorted(CURRENCIES))


@st.composite
def money(
    draw: st.DrawFn,
    currency: str | None = None,
    *,
    min_value: Decimal | int = 0,
    max_value: Decimal | int = 10_000_000,
) -> Money:
    """Money with exactly the currency's minor unit (any currency when ``currency`` is None)."""
    code = currency if currency is not None else draw(currencies())
    scale = 10 ** CURRENCIES[code]
    units = draw(st.integers(int(Decimal(min_value) * scale), int(Decimal(max_value) * scale)))
    return Money(Decimal(units).scaleb(-CURRENCIES[code]), code)


def bound_edges(policy: Policy | None = None, currency: str | None = None) -> list[Decimal]:
    """Zero, every tier bound of the policy and one minor unit of ``currency`` either side."""
    policy = _p(policy)
    unit = Decimal(1).scaleb(-CURRENCIES[currency or policy.currency])
    edges = {Decimal(0)}
    for matrix in policy.matrices.values():
        for bound in matrix.bounds:
            edges |= {bound, bound + unit, max(bound - unit, Decimal(0))}
    return sorted(edges)


def amounts(policy: Policy | None = None) -> st.SearchStrategy[Money]:
    """Money in the policy currency, often exactly on a tier bound or one minor unit off it."""
    policy = _p(policy)
    near = st.sampled_from(bound_edges(policy)).map(lambda a: Money(a, policy.currency))
    return st.one_of(near, money(policy.currency))


def near(value: Money) -> st.SearchStrategy[Money]:
    """``value`` plus or minus one minor unit of its currency (never below zero)."""
    unit = Money(Decimal(1).scaleb(-CURRENCIES[value.currency]), value.currency)
    options = [value + unit] + ([value - unit] if value >= unit else [])
    return st.sampled_from(options)


# --- The firm -----------------------------------------------------------------------------------


def employee_ids() -> st.SearchStrategy[str]:
    """Employee ids ``E1`` .. ``E99``."""
    return _ids("E")


def role_codes(policy: Policy | None = None) -> st.SearchStrategy[str]:
    """Role codes of the policy."""
    return st.sampled_from(sorted(_p(policy).roles))


def departments(policy: Policy | None = None) -> st.SearchStrategy[str]:
    """Department codes: common ones and those the policy's approval matrix names."""
    named = {d for _action, d in _p(policy).matrices if d is not None}
    return st.sampled_from(sorted(set(DEPARTMENTS) | named))


def employees(
    policy: Policy | None = None, *, department: str | None = None
) -> st.SearchStrategy[Employee]:
    """Employees holding up to three of the policy's roles."""
    return st.builds(
        Employee,
        id=employee_ids(),
        department=st.just(department) if department else departments(policy),
        roles=st.frozensets(role_codes(policy), max_size=3),
    )


def clients(policy: Policy | None = None) -> st.SearchStrategy[Client]:
    """Clients, some with a credit limit in the policy currency."""
    return st.builds(
        Client, id=_ids("C"), name=_words(), credit_limit=st.none() | money(_p(policy).currency)
    )


# --- Approvals ----------------------------------------------------------------------------------


def actions(policy: Policy | None = None) -> st.SearchStrategy[str]:
    """The approvable actions of the policy's matrix."""
    return st.sampled_from(sorted({action for action, _d in _p(policy).matrices}))


def approval_requests(
    policy: Policy | None = None, *, budget: bool = True
) -> st.SearchStrategy[ApprovalRequest]:
    """Requests for the policy's actions, in its currency, some with a remaining budget."""
    return st.builds(
        ApprovalRequest,
        id=_ids("R", 9999),
        action=actions(policy),
        amount=amounts(policy),
        department=departments(policy),
        requester=employee_ids(),
        budget_remaining=(st.none() | amounts(policy)) if budget else st.none(),
    )


def routes(policy: Policy | None = None) -> st.SearchStrategy[Route]:
    """Routes of distinct policy roles, each step with its role's scope."""
    policy = _p(policy)
    steps = st.lists(role_codes(policy), max_size=4, unique=True).map(
        lambda roles: tuple(RouteStep(r, policy.roles[r].scope) for r in roles)
    )
    return st.builds(Route, action=actions(policy), steps=steps)


@st.composite
def step_actions(
    draw: st.DrawFn, *, actor: str | None = None, step: int | None = None
) -> StepAction:
    """Step actions; a rejection always carries a reason (APR-05)."""
    who = actor or draw(employee_ids())
    verdict = draw(st.sampled_from(Verdict))
    reason = draw(_words() if verdict is Verdict.REJECT else st.just(""))
    principal = draw(st.none() | employee_ids().filter(lambda e: e != who))
    index = step if step is not None else draw(st.integers(0, 4))
    return StepAction(index, who, verdict, draw(aware_datetimes()), reason, principal)


@st.composite
def delegations(
    draw: st.DrawFn, *, principal: str | None = None, delegate: str | None = None
) -> Delegation:
    """Delegations of authority that end after they start (APR-06)."""
    who = principal or draw(employee_ids().filter(lambda e: e != delegate))
    to = delegate or draw(employee_ids().filter(lambda e: e != who))
    starts = draw(aware_datetimes())
    ends = starts + draw(st.timedeltas(timedelta(minutes=1), timedelta(days=400)))
    return Delegation(who, to, starts, ends, draw(st.just("") | _words()))


@st.composite
def step_checks(draw: st.DrawFn, policy: Policy | None = None) -> StepCheck:
    """A step on the policy's route for a request, by anyone, with some history and delegations."""
    policy = _p(policy)
    request = draw(approval_requests(policy))
    matrix = policy.matrix(request.action, request.department)
    steps = matrix.routes[matrix.tier(request.amount.amount)] if matrix else ()
    route = Route(request.action, steps)
    action = draw(step_actions(step=draw(st.integers(0, len(steps)))))
    person = Employee(
        action.actor,
        draw(st.just(request.department) | departments(policy)),
        draw(st.frozensets(role_codes(policy), max_size=3)),
    )
    principal = None
    if action.on_behalf_of is not None:
        principal = Employee(
            action.on_behalf_of,
            draw(st.just(request.department) | departments(policy)),
            draw(st.frozensets(role_codes(policy), max_size=3)),
        )
    history = draw(st.lists(step_actions(), max_size=3))
    granted = draw(st.lists(delegations(delegate=action.actor), max_size=2))
    return StepCheck(request, route, action, person, principal, history, granted)


@st.composite
def step_batches(draw: st.DrawFn, policy: Policy | None = None, max_rows: int = 6) -> StepBatch:
    """Batches of step questions: the next step of a request, by anyone (its requester and its
    earlier approvers among them), some past the route's end, some in another currency."""
    policy = _p(policy)
    rows = []
    for _ in range(draw(st.integers(0, max_rows))):
        request = draw(approval_requests(policy, budget=False))
        people = st.just(request.requester) | employee_ids()
        earlier = draw(st.lists(people, max_size=4))
        actor = draw(st.sampled_from((request.requester, *earlier)) | employee_ids())
        rows.append(
            (
                request.id,
                request.action,
                request.amount.amount,
                request.department,
                request.requester,
                actor,
                draw(st.just(request.department) | departments(policy)),
                draw(st.frozensets(role_codes(policy), max_size=3)),
                tuple((who, draw(aware_datetimes())) for who in earlier),
                draw(aware_datetimes()),
                draw(st.just(request.amount.currency) | currencies()),
            )
        )
    return StepBatch(*zip(*rows, strict=True)) if rows else StepBatch(*((),) * 10)


# --- Fees ---------------------------------------------------------------------------------------


def _fee_currencies(policy: Policy | None) -> st.SearchStrategy[str]:
    """The policy currency half the time, else any currency (other precisions: JPY, KWD...)."""
    return st.one_of(st.just(_p(policy).currency), currencies())


@st.composite
def fee_schedules(
    draw: st.DrawFn, policy: Policy | None = None, currency: str | None = None
) -> FeeSchedule:
    """Published schedules in one currency (the policy's or another), each item once, prices
    above zero; some end, often on a year's end or a 29 February."""
    code_ = currency or draw(_fee_currencies(policy))
    codes = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=4, unique=True))
    items = [
        ScheduleItem(
            code, draw(money(code_, min_value=1)), code.replace("_", " "), draw(st.booleans())
        )
        for code in codes
    ]
    starts = draw(edge_days(max_value=date(2050, 1, 1)))
    ends = draw(st.none() | edge_days(starts + timedelta(days=1), starts + timedelta(days=3650)))
    return FeeSchedule(f"S{starts.year}", starts, items, ends)


@st.composite
def contracts(
    draw: st.DrawFn, schedule: FeeSchedule | None = None, policy: Policy | None = None
) -> Contract:
    """Contracts signed while ``schedule`` is in force (often on its first or last day, the day
    read alike in the contract's offset and the firm's), agreeing at most the published price
    (often exactly it) for some of its items (FEE-03), with fees disclosed and acknowledged at
    or before signing, maybe in another offset (FEE-04)."""
    schedule = schedule or draw(fee_schedules(policy))
    last = schedule.effective_to - timedelta(days=1) if schedule.effective_to else LAST_DAY
    day = draw(
        st.sampled_from([schedule.effective_from, last]) | edge_days(schedule.effective_from, last)
    )
    signed = draw(instants_on(day, policy))
    chosen = draw(st.lists(st.sampled_from(schedule.items), min_size=1, unique=True))
    fees = {
        item.code: draw(
            st.just(item.price) | money(item.price.currency, max_value=item.price.amount)
        )
        for item in chosen
    }
    earlier = draw(st.just(timedelta(0)) | st.timedeltas(timedelta(0), timedelta(days=30)))
    disclosed = (signed - earlier).astimezone(draw(st.sampled_from(TIMEZONES)))
    case = draw(_ids("K", 999))
    return Contract(f"HT-{case}", case, draw(_ids("C")), signed, fees, disclosed, True)


@st.composite
def charge_checks(draw: st.DrawFn, policy: Policy | None = None) -> ChargeCheck:
    """A charge of exactly the agreed fee for a published item: every FEE rule holds."""
    schedule = draw(fee_schedules(policy))
    contract = draw(contracts(schedule, policy))
    item = draw(st.sampled_from(sorted(contract.fees)))
    published = schedule.item(item)
    charge = Charge(
        draw(_ids("F", 9999)),
        contract.case_id,
        item,
        contract.fees[item],
        third_party=bool(published and published.third_party),
        delivered=draw(st.booleans()),
        settled=draw(st.booleans()),
    )
    return ChargeCheck(charge, contract, [schedule])


@st.composite
def _case_charges(draw: st.DrawFn, policy: Policy | None, case: str) -> list[Charge]:
    currency = _p(policy).currency
    return draw(
        st.lists(
            st.builds(
                Charge,
                id=_ids("F", 9999),
                case_id=st.just(case),
                item=st.sampled_from(ITEMS),
                amount=money(currency),
                third_party=st.booleans(),
                delivered=st.booleans(),
                settled=st.booleans(),
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda c: c.id,
        )
    )


@st.composite
def invoice_checks(draw: st.DrawFn, policy: Policy | None = None) -> InvoiceCheck:
    """An invoice billing some of a case's charges, its total the sum of its lines."""
    currency = _p(policy).currency
    case = draw(_ids("K", 999))
    charges = draw(_case_charges(policy, case))
    billed = draw(st.lists(st.sampled_from(charges), min_size=1, unique_by=lambda c: c.id))
    lines = [InvoiceLine(c.id, c.item, c.amount, c.third_party) for c in billed]
    total = Money.total((line.amount for line in lines), currency)
    invoice = Invoice(draw(_ids("I", 9999)), case, draw(days()), lines, total)
    earlier = draw(st.frozensets(st.sampled_from([c.id for c in charges])))
    return InvoiceCheck(invoice, charges, earlier)


@st.composite
def collection_checks(draw: st.DrawFn, policy: Policy | None = None) -> CollectionCheck:
    """A collection of at most the total of a statement listing every charge, issued before."""
    currency = _p(policy).currency
    case = draw(_ids("K", 999))
    charges = draw(_case_charges(policy, case))
    lines = [StatementLine(c.item, c.amount) for c in charges]
    total = Money.total((c.amount for c in charges), currency)
    issued = draw(aware_datetimes())
    collected = issued + draw(st.timedeltas(timedelta(0), timedelta(days=90)))
    statement = draw(st.none() | st.just(SettlementStatement(case, issued, lines, total)))
    amount = draw(money(currency, max_value=total.amount))
    return CollectionCheck(case, amount, collected, charges, statement)


# --- Segregation --------------------------------------------------------------------------------


def _duties(policy: Policy | None) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(set(_p(policy).duty_conflicts) | {"prepare", "archive"}))


def duty_checks(policy: Policy | None = None) -> st.SearchStrategy[DutyCheck]:
    """A duty on a subject after duties others (or the same person) performed."""
    performed = st.builds(PerformedDuty, duty=_duties(policy), actor=employee_ids())
    return st.builds(
        DutyCheck,
        subject=_ids("K", 999),
        duty=_duties(policy),
        actor=employee_ids(),
        performed=st.lists(performed, max_size=4),
    )


def role_grants(policy: Policy | None = None) -> st.SearchStrategy[RoleGrant]:
    """A policy role granted to an employee."""
    return st.builds(RoleGrant, employee=employees(policy), role=role_codes(policy))


# --- Records ------------------------------------------------------------------------------------


def record_classes(policy: Policy | None = None) -> st.SearchStrategy[str]:
    """The record classes of the policy's retention schedule."""
    return st.sampled_from(sorted(_p(policy).retention))


def record_numbers(
    record_class: str, year: int, policy: Policy | None = None
) -> st.SearchStrategy[str]:
    """Numbers ``PREFIX-YYYY-NNNNNN`` with the class's prefix (RET-05)."""
    prefix = _p(policy).prefixes[record_class]
    return st.integers(1, 999_999).map(lambda n: f"{prefix}-{year:04d}-{n:06d}")


@st.composite
def holds(draw: st.DrawFn, after: date = FIRST_DAY) -> Hold:
    """Holds placed on or after ``after``, some released later."""
    placed = draw(days(after, max(after, LAST_DAY)))
    released = draw(st.none() | days(placed, LAST_DAY))
    return Hold(
        draw(_ids("H", 999)),
        draw(st.sampled_from(("litigation", "audit", "debt"))),
        placed,
        released,
    )


@st.composite
def loans(draw: st.DrawFn, after: date = FIRST_DAY) -> Loan:
    """Loans made on or after ``after``, due and maybe returned later."""
    lent = draw(days(after, max(after, LAST_DAY)))
    due = lent + draw(st.timedeltas(timedelta(0), timedelta(days=90)))
    returned = draw(st.none() | days(lent, LAST_DAY))
    return Loan(
        draw(_ids("L", 999)), draw(employee_ids()), lent, due, draw(st.booleans()), returned
    )


@st.composite
def records(
    draw: st.DrawFn,
    policy: Policy | None = None,
    *,
    classes: Sequence[str] = (),
    holds_and_loans: bool = True,
) -> Record:
    """Records of the policy's classes (including ``classes``), numbered under the first,
    with event dates, holds and loans no earlier than the closing date."""
    policy = _p(policy)
    drawn = draw(st.frozensets(record_classes(policy), min_size=0 if classes else 1, max_size=2))
    kinds = frozenset(classes) | drawn
    closed = draw(days(FIRST_DAY, date(2040, 12, 31)))
    number = draw(record_numbers(sorted(kinds)[0], closed.year, policy))
    event = draw(st.none() | days(closed, LAST_DAY))
    extra = holds_and_loans and draw(st.booleans())
    return Record(
        number,
        kinds,
        closed,
        title=draw(st.just("") | _words()),
        event_on=event,
        important=draw(st.booleans()),
        backups=draw(st.integers(0, 3)),
        holds=draw(st.lists(holds(closed), max_size=2)) if extra else (),
        loans=draw(st.lists(loans(closed), max_size=2)) if extra else (),
    )


@st.composite
def disposal_checks(draw: st.DrawFn, policy: Policy | None = None) -> DisposalCheck:
    """May this record be destroyed on a day after it closed?"""
    record = draw(records(policy))
    return DisposalCheck(record, draw(days(record.closed_on, LAST_DAY)))


@st.composite
def record_checks(draw: st.DrawFn, policy: Policy | None = None) -> RecordCheck:
    """Is this record kept as the rules say on a day after it closed?"""
    record = draw(records(policy))
    return RecordCheck(record, draw(days(record.closed_on, LAST_DAY)))


def _signatures(staff: Sequence[Employee]) -> st.SearchStrategy[Signature]:
    return st.sampled_from(staff).flatmap(
        lambda e: st.builds(
            Signature,
            employee=st.just(e.id),
            role=st.sampled_from(sorted(e.roles) or [""]),
            department=st.just(e.department),
            checked_before=st.booleans(),
            signed_after=st.booleans(),
        )
    )


@st.composite
def destruction_lists(
    draw: st.DrawFn, policy: Policy | None = None, listed: Sequence[Record] = ()
) -> DestructionList:
    """A destruction list of ``listed`` (or of drawn record numbers) with appraisals."""
    numbers = [r.number for r in listed] or draw(
        st.lists(_ids("PZ-2001-00000"), min_size=1, max_size=3, unique=True)
    )
    items = [
        DestructionItem(n, f"volume {i}", f"V{i}", 2000, 2001, draw(st.none() | st.integers(1, 30)))
        for i, n in enumerate(numbers, start=1)
    ]
    appraisals = [
        Appraisal(n, draw(st.sampled_from(Opinion)), draw(employee_ids()), draw(st.integers(0, 5)))
        for n in numbers
        if draw(st.booleans())
    ]
    return DestructionList(draw(_ids("X", 99)), draw(days()), items, appraisals)


@st.composite
def destruction_checks(draw: st.DrawFn, policy: Policy | None = None) -> DestructionCheck:
    """A destruction list of some records, signed by some of the staff."""
    policy = _p(policy)
    listed = draw(st.lists(records(policy), max_size=3, unique_by=lambda r: r.number))
    listing = draw(destruction_lists(policy, listed))
    staff = draw(st.lists(employees(policy), min_size=1, max_size=4, unique_by=lambda e: e.id))
    signatures = st.lists(_signatures(staff), max_size=4)
    listing = DestructionList(
        listing.id,
        listing.destruction_on,
        listing.items,
        listing.appraisals,
        draw(signatures),
        draw(signatures),
    )
    return DestructionCheck(listing, listed, staff)


# --- Any request --------------------------------------------------------------------------------


KIND_STRATEGIES: Final[dict[str, Callable[[Any], st.SearchStrategy[Any]]]] = {
    "approval": lambda subject: approval_requests(subject.policy),
    "charge": lambda subject: charge_checks(subject.policy),
    "invoice": lambda subject: invoice_checks(subject.policy),
    "collection": lambda subject: collection_checks(subject.policy),
    "step": lambda subject: step_checks(subject.policy),
    "duty": lambda subject: duty_checks(subject.policy),
    "role_grant": lambda subject: role_grants(subject.policy),
    "disposal": lambda subject: disposal_checks(subject.policy),
    "destruction": lambda subject: destruction_checks(subject.policy),
    "record": lambda subject: record_checks(subject.policy),
}
"""A strategy maker for each kind of request (keys of ``agency_core.KINDS``), given anything with
a ``policy`` attribute (a conformance :class:`~agency_core.testing.conformance.Subject`)."""


def _kinds(policy: Policy | None) -> list[st.SearchStrategy[Any]]:
    holder = _Holder(_p(policy))
    return [make(holder) for make in KIND_STRATEGIES.values()]


@attrs.frozen
class _Holder:
    policy: Policy


def every_kind(policy: Policy | None = None) -> st.SearchStrategy[tuple[Request, ...]]:
    """One request of every kind the engine decides, in the order of ``KINDS``."""
    return st.tuples(*_kinds(policy))


def requests(policy: Policy | None = None) -> st.SearchStrategy[Request]:
    """Any request the engine decides; each kind equally likely."""
    return st.sampled_from(_kinds(policy)).flatmap(lambda kind: kind)


# --- Invalid input ------------------------------------------------------------------------------


def bad_amounts() -> st.SearchStrategy[object]:
    """Values :class:`Money` must refuse as an amount (FEE-06)."""
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
        st.integers(max_value=-1),
        st.decimals(max_value=Decimal("-0.000001"), allow_nan=False),
        st.decimals(allow_nan=True, allow_infinity=True).filter(lambda d: not d.is_finite()),
        st.sampled_from(["NaN", "inf", "-Infinity", "", "1,000", "¥5", "1e", "-3", "sNaN"]),
        st.lists(st.integers(), max_size=2),
    )


def unknown_currencies() -> st.SearchStrategy[object]:
    """Values :class:`Money` must refuse as a currency (FEE-06)."""
    return st.one_of(
        st.from_regex(r"\A[A-Z]{3}\Z").filter(lambda c: c not in CURRENCIES),
        st.text(max_size=5).filter(lambda c: c not in CURRENCIES),
        st.sampled_from(["cny", "RMB", "CNY ", "¥"]),
        st.integers(),
        st.none(),
    )


# --- from_type ----------------------------------------------------------------------------------


def _register() -> None:
    """Register a default-policy strategy for every public entity and check."""
    strategies: dict[type, Any] = {
        Money: lambda: money(),
        Role: lambda: st.sampled_from(
            sorted(default_policy().roles.values(), key=lambda r: r.code)
        ),
        Department: lambda: st.builds(Department, code=departments(), name_en=_words()),
        Employee: lambda: employees(),
        Client: lambda: clients(),
        ApprovalRequest: lambda: approval_requests(),
        StepAction: lambda: step_actions(),
        Delegation: lambda: delegations(),
        RouteStep: lambda: routes().filter(lambda r: bool(r.steps)).map(lambda r: r.steps[0]),
        Route: lambda: routes(),
        ScheduleItem: lambda: fee_schedules().map(lambda s: s.items[0]),
        FeeSchedule: lambda: fee_schedules(),
        FeeAdjustment: lambda: st.builds(
            FeeAdjustment, item=st.sampled_from(ITEMS), amount=money("CNY"), approved=st.booleans()
        ),
        Contract: lambda: contracts(),
        Charge: lambda: charge_checks().map(lambda c: c.charge),
        Invoice: lambda: invoice_checks().map(lambda c: c.invoice),
        InvoiceLine: lambda: invoice_checks().map(lambda c: c.invoice.lines[0]),
        SettlementStatement: lambda: (
            collection_checks().map(lambda c: c.statement).filter(lambda s: s is not None)
        ),
        StatementLine: lambda: st.builds(
            StatementLine, item=st.sampled_from(ITEMS), price=money("CNY")
        ),
        Hold: lambda: holds(),
        Loan: lambda: loans(),
        Record: lambda: records(),
        Appraisal: lambda: st.builds(
            Appraisal,
            record=_ids("PZ-2001-00000"),
            opinion=st.sampled_from(Opinion),
            appraiser=employee_ids(),
        ),
        DestructionItem: lambda: destruction_lists().map(lambda d: d.items[0]),
        Signature: lambda: employees().flatmap(lambda e: _signatures([e])),
        DestructionList: lambda: destruction_lists(),
        ChargeCheck: lambda: charge_checks(),
        InvoiceCheck: lambda: invoice_checks(),
        CollectionCheck: lambda: collection_checks(),
        StepCheck: lambda: step_checks(),
        PerformedDuty: lambda: st.builds(PerformedDuty, duty=_duties(None), actor=employee_ids()),
        ApprovalFacts: lambda: approval_requests().flatmap(
            lambda request: st.builds(
                ApprovalFacts,
                id=st.just(request.id),
                action=st.just(request.action),
                department=st.just(request.department),
                requester=st.just(request.requester),
                status=st.sampled_from(APPROVAL_STATUSES),
                approvers=st.lists(employee_ids(), max_size=3, unique=True).map(tuple),
            )
        ),
        DutyCheck: lambda: duty_checks(),
        RoleGrant: lambda: role_grants(),
        DisposalCheck: lambda: disposal_checks(),
        DestructionCheck: lambda: destruction_checks(),
        RecordCheck: lambda: record_checks(),
    }
    for kind, make in strategies.items():
        st.register_type_strategy(kind, st.deferred(make))


_register()
