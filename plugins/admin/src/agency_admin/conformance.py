"""What a replacement of the admin plugin must keep, for the conformance kit (ADM-01..ADM-08).

Every oracle reads the plugin's own policy section (its approval actions, the custodian role) and
the requests themselves; none asks the plugin's functions. Ids are ASCII and Chinese, instants are
written in every offset the kit knows, amounts are in currencies of every minor unit and sit on
the value of the goods accepted and one minor unit either side. Where the space is small the
examples are enumerated (every act x every action x every status, every move of a machine, every
blank flag). ADM-07's register rules (registered in time, stocktaken within the interval) live only
in sweeps: their property seeds a scratch SQLite store (a temporary directory, the migrations
applied once per engine) and checks the sweeps report exactly the offending assets and contracts.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from agency_admin.entities import (
    Acceptance,
    AcceptedLine,
    Act,
    AdminAct,
    ApprovalFacts,
    ContractLine,
    Document,
    PurchaseContract,
    PurchasePayment,
    ResolutionDone,
    SealApplication,
    SealReturn,
    SealUse,
)
from agency_admin.policy import AdminPolicy
from agency_core import Employee, Money
from agency_core.entities import CURRENCIES
from agency_core.entities.approvals import APPROVAL_STATUSES
from agency_core.errors import PluginError, PolicyError
from agency_core.testing import strategies as S
from agency_core.testing.conformance import Property, Subject, Violation, also_under, expect
from agency_core.transitions import Move, StateMachine, TransitionCheck

__all__ = ["PROPERTIES"]

SECTION: Final = "admin"
SEAL_USE: Final = "seal_use"
RESOLUTION: Final = "resolution"
NOW: Final = datetime(2024, 2, 29, 9, 30, tzinfo=UTC)
DAY: Final = timedelta(days=1)

ACT_CONTROL: Final = {
    Act.SUPPLIES_ISSUE: "ADM-03",
    Act.EQUIPMENT_REPAIR: "ADM-04",
    Act.EQUIPMENT_SCRAPPING: "ADM-04",
    Act.ASSET_REGISTRATION: "ADM-07",
}
"""The control each approved act keeps (CONTROLS.md: supplies ADM-03, equipment ADM-04, fixed
assets ADM-07)."""

_CJK: Final = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=6
)


def _codes(prefix: str) -> st.SearchStrategy[str]:
    """Ids: ``<prefix><n>`` or Chinese (``印章申请``)."""
    return st.integers(1, 999).map(lambda n: f"{prefix}{n}") | _CJK


def _other(value: str) -> str:
    """A near miss of ``value``: one character more."""
    return f"{value}二"


def _spec(subject: Subject) -> AdminPolicy:
    try:
        return subject.engine.policy.section(SECTION, AdminPolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return AdminPolicy()


def _actions(subject: Subject) -> list[str]:
    """Every approval action the section names and the policy's matrix holds."""
    spec = _spec(subject)
    named = {
        spec.seal_action,
        spec.supplies_action,
        spec.repair_action,
        spec.scrapping_action,
        spec.asset_purchase_action,
    }
    return sorted(named | {action for action, _department in subject.policy.matrices})


def _act_action(spec: AdminPolicy, act: Act) -> str:
    """The approval action the section names for ``act``."""
    return {
        Act.SUPPLIES_ISSUE: spec.supplies_action,
        Act.EQUIPMENT_REPAIR: spec.repair_action,
        Act.EQUIPMENT_SCRAPPING: spec.scrapping_action,
        Act.ASSET_REGISTRATION: spec.asset_purchase_action,
    }[act]


def _machine(subject: Subject, kind: str, control: str) -> StateMachine:
    registration = subject.engine.machines.get(kind)
    if registration is None:
        raise Violation(control, f"no state machine registered for {kind!r}", kind)
    machine: StateMachine = registration.item
    return machine


def _paths(machine: StateMachine, depth: int = 3) -> Iterator[tuple[str, ...]]:
    """Every walk of at least one move from the initial state, up to ``depth`` moves."""
    walks: list[tuple[str, ...]] = [(machine.initial,)]
    for _ in range(depth):
        walks = [(*w, to) for w in walks for to in sorted(machine.targets(w[-1]))]
        yield from walks


def _moves(walk: tuple[str, ...], actor: str) -> tuple[Move, ...]:
    return tuple(
        Move(a, b, actor, NOW - timedelta(hours=len(walk) - i))
        for i, (a, b) in enumerate(pairwise(walk))
    )


# -- seals: ADM-01, ADM-02, ADM-08 ----------------------------------------------------------------


@st.composite
def _valid_uses(draw: st.DrawFn, subject: Subject) -> SealUse:
    """A seal use on its approved application, by its user, on its document, handed out by a
    custodian who approved nothing of it."""
    spec = _spec(subject)
    user = draw(_codes("E"))
    custodian = draw(_codes("SC").filter(lambda c: c != user))
    approvers = draw(st.lists(_codes("A"), min_size=1, max_size=3, unique=True))
    approvers = [a for a in approvers if a not in (custodian,)] or [_other(custodian)]
    department = draw(S.departments(subject.policy))
    kind = draw(st.sampled_from(["paper", "contract", "合同", "介绍信"]))
    document = Document(kind, draw(_codes("HT-")), draw(_CJK | st.just("Service agreement")))
    application = SealApplication(
        draw(_codes("S")), draw(_codes("印")), draw(_CJK), department, user, document
    )
    approval = ApprovalFacts(
        application.id, spec.seal_action, department, user, "approved", tuple(approvers)
    )
    return SealUse(
        draw(_codes("U")),
        application,
        Employee(user, department),
        Employee(custodian, "admin", frozenset({spec.custodian_role})),
        document,
        draw(S.aware_datetimes(date(2004, 1, 1), date(2026, 12, 31))),
        approval,
    )


ADM01_FAULTS: Final = (
    "none",
    "other-id",
    "other-action",
    "other-department",
    "other-requester",
    "other-user",
    "other-kind",
    "other-number",
    "other-title",
    *(f"status-{s}" for s in APPROVAL_STATUSES),
)
"""What may be wrong with a seal use (``status-approved``: nothing)."""


def _fault(subject: Subject, use: SealUse, fault: str) -> SealUse:
    approval, document = use.approval, use.document
    assert approval is not None  # a valid use carries its approval
    others = [a for a in _actions(subject) if a != approval.action] or [_other(approval.action)]
    change: dict[str, Any] = {}
    if fault == "none":
        change["approval"] = None
    elif fault.startswith("status-"):
        change["approval"] = attrs.evolve(approval, status=fault.removeprefix("status-"))
    elif fault in ("other-id", "other-department", "other-requester"):
        field = {"other-id": "id", "other-department": "department", "other-requester": "requester"}
        name = field[fault]
        near: dict[str, Any] = {name: _other(getattr(approval, name))}
        change["approval"] = attrs.evolve(approval, **near)
    elif fault == "other-action":
        change["approval"] = attrs.evolve(approval, action=others[0])
    elif fault == "other-user":
        change["user"] = attrs.evolve(use.user, id=_other(use.user.id))
    else:
        name = fault.removeprefix("other-")
        near = {name: _other(getattr(document, name))}
        change["document"] = attrs.evolve(document, **near)
    return attrs.evolve(use, **change)


def _seal_faults(subject: Subject) -> st.SearchStrategy[SealUse]:
    return st.builds(
        lambda use, fault: _fault(subject, use, fault),
        _valid_uses(subject),
        st.sampled_from(ADM01_FAULTS),
    )


def _fixed_use(subject: Subject) -> SealUse:
    spec = _spec(subject)
    document = Document("合同", "合同-二〇二四-001", "代理服务合同")
    application = SealApplication("用印申请一", "公章", "签署客户合同", "销售部", "张三", document)
    approval = ApprovalFacts(
        "用印申请一", spec.seal_action, "销售部", "张三", "approved", ("李四",)
    )
    return SealUse(
        "用印一",
        application,
        Employee("张三", "销售部"),
        Employee("王五", "行政部", frozenset({spec.custodian_role})),
        document,
        NOW,
        approval,
    )


def _adm01_cases(subject: Subject, thorough: bool) -> list[SealUse]:
    base = _fixed_use(subject)
    cases = [_fault(subject, base, fault) for fault in ADM01_FAULTS]
    assert base.approval is not None
    for action in _actions(subject):  # the approval of every other action of the matrix
        cases.append(attrs.evolve(base, approval=attrs.evolve(base.approval, action=action)))
    return cases


def _adm01(subject: Subject, use: SealUse) -> None:
    spec, approval, app = _spec(subject), use.approval, use.application
    approved = (
        approval is not None
        and approval.status == "approved"
        and approval.id == app.id
        and approval.action == spec.seal_action
        and approval.department == app.department
        and approval.requester == app.user
    )
    named = use.user.id == app.user and (
        (use.document.kind, use.document.number, use.document.title)
        == (app.document.kind, app.document.number, app.document.title)
    )
    why = "" if approved else "no approved seal use application of this id, department and user"
    why = why or ("" if named else "another user or document than the application names")
    expect("ADM-01", not (approved and named), use, subject.engine.decide(use), why)


def _blanks(subject: Subject) -> st.SearchStrategy[SealUse]:
    return st.builds(_blanked, _valid_uses(subject), st.booleans(), st.booleans())


def _blanked(use: SealUse, on_application: bool, on_use: bool) -> SealUse:
    app = use.application
    app = attrs.evolve(app, document=attrs.evolve(app.document, blank=on_application))
    return attrs.evolve(use, application=app, document=attrs.evolve(use.document, blank=on_use))


def _adm02_cases(subject: Subject, thorough: bool) -> list[SealUse]:
    base = _fixed_use(subject)
    cases = []
    for kind in ("paper", "contract", "空白纸张", "合同"):
        doc = attrs.evolve(base.document, kind=kind)
        use = attrs.evolve(
            base, document=doc, application=attrs.evolve(base.application, document=doc)
        )
        cases += [_blanked(use, a, b) for a in (False, True) for b in (False, True)]
    return cases


def _adm02(subject: Subject, use: SealUse) -> None:
    blank = use.document.blank or use.application.document.blank
    why = "blank paper or a blank contract" if blank else "nothing blank"
    expect("ADM-02", blank, use, subject.engine.decide(use), why)


@st.composite
def _custodians(draw: st.DrawFn, subject: Subject) -> SealUse:
    """A valid seal use handed out by someone holding any roles of the policy (often the
    custodian role, directly or not at all), the custodian being the user sometimes."""
    use = draw(_valid_uses(subject))
    spec = _spec(subject)
    known = sorted(set(subject.policy.roles) | set(subject.policy.role_closure))
    roles = set(draw(st.frozensets(st.sampled_from(known), max_size=3)))
    roles.discard(spec.custodian_role)
    if draw(st.booleans()):
        roles.add(spec.custodian_role)
    return attrs.evolve(use, custodian=attrs.evolve(use.custodian, roles=frozenset(roles)))


def _custody_cases(subject: Subject, thorough: bool) -> list[SealUse]:
    """A custodian holding nothing, or exactly one role of the policy (inheriting ones too)."""
    base = _fixed_use(subject)
    known = sorted(set(subject.policy.roles) | set(subject.policy.role_closure))
    holdings = [frozenset(), *(frozenset({role}) for role in known)]
    return [attrs.evolve(base, custodian=attrs.evolve(base.custodian, roles=r)) for r in holdings]


def _adm08_custody(subject: Subject, use: SealUse) -> None:
    spec = _spec(subject)
    held = subject.policy.effective_roles(use.custodian.roles)
    custodian = spec.custodian_role in held
    why = f"{use.custodian.id} {'holds' if custodian else 'lacks'} {spec.custodian_role}"
    expect("ADM-08", not custodian, use, subject.engine.decide(use), why)


@st.composite
def _returns(draw: st.DrawFn, subject: Subject) -> TransitionCheck:
    """Every move of the seal's machine (into the closed state: the return), by its custodian,
    by someone else holding the custodian role, or by its user; with or without the data."""
    machine = _machine(subject, SEAL_USE, "ADM-08")
    spec = _spec(subject)
    walk = draw(st.sampled_from(list(_paths(machine))))
    custodian = draw(_codes("SC"))
    actor = draw(st.sampled_from([custodian, _other(custodian), draw(_codes("E"))]))
    roles = frozenset({spec.custodian_role}) if draw(st.booleans()) else frozenset()
    data = SealReturn(custodian) if draw(st.integers(0, 4)) else None
    return _transition(SEAL_USE, walk, Employee(actor, "行政部", roles), data, draw(_codes("U")))


def _transition(
    kind: str, walk: tuple[str, ...], actor: Employee, data: object, subject_id: str
) -> TransitionCheck:
    return TransitionCheck(
        kind,
        f"{kind}/{subject_id}",
        walk[-2],
        walk[-1],
        actor,
        NOW,
        data,
        _moves(walk[:-1], actor.id),
    )


def _return_cases(subject: Subject, thorough: bool) -> list[TransitionCheck]:
    machine, spec = _machine(subject, SEAL_USE, "ADM-08"), _spec(subject)
    custodian = Employee("王五", "行政部", frozenset({spec.custodian_role}))
    other = Employee("赵六", "行政部", frozenset({spec.custodian_role}))
    user = Employee("张三", "销售部")
    cases = []
    for walk in _paths(machine):
        for actor in (custodian, other, user):
            for data in (SealReturn(custodian.id), None):
                cases.append(_transition(SEAL_USE, walk, actor, data, "用印一"))
    return cases


def _adm08_return(subject: Subject, check: TransitionCheck) -> None:
    machine = _machine(subject, SEAL_USE, "ADM-08")
    if check.to_state not in machine.closed:
        expect("ADM-08", False, check, subject.engine.decide(check), "the seal stays out")
        return
    custodian = check.data.custodian if isinstance(check.data, SealReturn) else None
    back = custodian is not None and check.actor.id == custodian
    why = f"received by {check.actor.id}, the custodian is {custodian or 'not stated'}"
    expect("ADM-08", not back, check, subject.engine.decide(check), why)


# -- acts: ADM-03, ADM-04, ADM-07 ------------------------------------------------------------------


def _act_cases(control: str) -> Any:
    acts = [act for act, owner in ACT_CONTROL.items() if owner == control]

    def cases(subject: Subject, thorough: bool) -> list[AdminAct]:
        found = []
        for act in acts:
            base = AdminAct("领用一", act, "ZC-000001", "申请一", "行政员", date(2024, 2, 29))
            found.append(base)
            for action in _actions(subject):
                for status in APPROVAL_STATUSES:
                    facts = ApprovalFacts("申请一", action, "行政部", "张三", status, ("李四",))
                    found.append(attrs.evolve(base, approval=facts))
                    found.append(attrs.evolve(base, approval=attrs.evolve(facts, id="申请二")))
        return found

    return cases


def _act_examples(control: str) -> Any:
    acts = [act for act, owner in ACT_CONTROL.items() if owner == control]

    @st.composite
    def examples(draw: st.DrawFn, subject: Subject) -> AdminAct:
        application = draw(_codes("P"))
        approval = draw(
            st.none()
            | st.builds(
                ApprovalFacts,
                st.sampled_from([application, _other(application)]),
                st.sampled_from(_actions(subject)),
                S.departments(subject.policy),
                _codes("E"),
                st.sampled_from(APPROVAL_STATUSES),
                st.lists(_codes("A"), max_size=2, unique=True).map(tuple),
            )
        )
        return AdminAct(
            draw(_codes("X")),
            draw(st.sampled_from(acts)),
            draw(_codes("ZC-")),
            application,
            draw(_codes("AD")),
            draw(S.edge_days(date(2004, 1, 1), date(2059, 12, 31))),
            approval,
        )

    return examples


def _act_oracle(subject: Subject, check: AdminAct) -> None:
    control = ACT_CONTROL[check.act]
    action = _act_action(_spec(subject), check.act)
    approval = check.approval
    approved = (
        approval is not None
        and approval.id == check.application
        and approval.action == action
        and approval.status == "approved"
    )
    why = f"{check.act.value} needs the approved {action} application {check.application}"
    expect(control, not approved, check, subject.engine.decide(check), why)


# -- meeting resolutions: ADM-05 -------------------------------------------------------------------


def _resolution_cases(subject: Subject, thorough: bool) -> list[TransitionCheck]:
    machine = _machine(subject, RESOLUTION, "ADM-05")
    owner = Employee("张三", "销售部")
    cases = []
    for walk in _paths(machine):
        for data in (None, ResolutionDone("已公示新价目表")):
            cases.append(_transition(RESOLUTION, walk, owner, data, "决议一"))
    return cases


@st.composite
def _resolutions(draw: st.DrawFn, subject: Subject) -> TransitionCheck:
    machine = _machine(subject, RESOLUTION, "ADM-05")
    walk = draw(st.sampled_from(list(_paths(machine))))
    data = draw(st.none() | _CJK.map(ResolutionDone))
    actor = Employee(draw(_codes("E")), draw(S.departments(subject.policy)))
    return _transition(RESOLUTION, walk, actor, data, draw(_codes("R")))


def _adm05(subject: Subject, check: TransitionCheck) -> None:
    machine = _machine(subject, RESOLUTION, "ADM-05")
    if not machine.closed:
        raise Violation("ADM-05", "a resolution can never be done: no closed state", check)
    closing = check.to_state in machine.closed
    done = isinstance(check.data, ResolutionDone)
    why = f"{check.from_state} -> {check.to_state} {'with' if done else 'without'} an outcome"
    expect("ADM-05", closing and not done, check, subject.engine.decide(check), why)


# -- purchases: ADM-06 -----------------------------------------------------------------------------

_OFFSETS: Final = (
    -timedelta(days=1),
    -timedelta(microseconds=1),
    timedelta(0),
    timedelta(microseconds=1),
    timedelta(days=1),
)
"""When an acceptance happens, relative to the payment."""


def _unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-CURRENCIES[currency])


@st.composite
def _payments(draw: st.DrawFn, subject: Subject, kind: str) -> PurchasePayment:
    """A payment on a contract of one to three lines, with acceptances before, at (in another
    offset), and after the payment, passed or not, of this contract or another; the amount on
    the value accepted (what was paid before deducted) or one minor unit either side; for kind
    ``mixed``, the payment or what was paid before in another currency."""
    currency = draw(S.currencies())
    items = draw(
        st.lists(
            _codes("item") | st.sampled_from(["笔记本电脑", "打印纸"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    lines = tuple(
        ContractLine(
            item,
            draw(st.integers(1, 5)),
            draw(S.money(currency, max_value=10_000)),
            draw(st.booleans()),
        )
        for item in items
    )
    contract = PurchaseContract(
        draw(_codes("PC")), draw(_codes("供应商")), draw(_codes("AD")), date(2024, 2, 29), lines
    )
    at = draw(S.aware_datetimes(date(2004, 1, 1), date(2059, 12, 31)))
    acceptances = []
    for index in range(draw(st.integers(0, 3))):
        got = draw(
            st.lists(st.sampled_from([*items, "合同外物品"]), min_size=1, max_size=3, unique=True)
        )
        when = at + draw(st.sampled_from(_OFFSETS))
        acceptances.append(
            Acceptance(
                f"验收{index}",
                draw(st.sampled_from([contract.id, contract.id, _other(contract.id)])),
                "行政员",
                when.astimezone(draw(st.sampled_from(S.TIMEZONES))),
                tuple(AcceptedLine(item, draw(st.integers(1, 7))) for item in got),
                draw(st.booleans() | st.just(True)),
            )
        )
    payment = PurchasePayment("付款一", contract, Money("0", currency), at, tuple(acceptances))
    value = _accepted(payment)
    unit = _unit(currency)
    before = draw(st.none() | st.sampled_from([Decimal(0), value / 2, value]))
    paid_before = Money(before, currency) if before is not None else None
    rest = value - (paid_before.amount if paid_before is not None else 0)
    amount = draw(
        st.sampled_from([rest - unit, rest, rest + unit]).filter(lambda a: a >= 0)
        | st.decimals(0, 100_000, places=CURRENCIES[currency])
    )
    paid = Money(amount, currency)
    if kind == "mixed":
        other = draw(S.currencies().filter(lambda c: c != currency))
        if paid_before is None or draw(st.booleans()):
            paid = Money(amount, other)
        else:
            paid_before = Money(paid_before.amount, other)
    return attrs.evolve(payment, amount=paid, paid_before=paid_before)


def _accepted(payment: PurchasePayment) -> Decimal:
    """The goods of the contract that passed acceptance by the payment, at contract prices, each
    item up to its contracted quantity."""
    contract = payment.contract
    got: dict[str, int] = {}
    for acceptance in payment.acceptances:
        if acceptance.passed and acceptance.contract == contract.id and acceptance.at <= payment.at:
            for line in acceptance.lines:
                got[line.item] = got.get(line.item, 0) + line.quantity
    return sum(
        (
            line.unit_price.amount * min(got.get(line.item, 0), line.quantity)
            for line in contract.lines
        ),
        Decimal(0),
    )


def _adm06_cases(subject: Subject, thorough: bool) -> list[PurchasePayment]:
    contract = PurchaseContract(
        "采购合同一",
        "供应商甲",
        "行政员",
        date(2024, 2, 29),
        (
            ContractLine("笔记本电脑", 2, Money("6000.00", "CNY"), True),
            ContractLine("打印纸", 10, Money("30.05", "CNY")),
        ),
    )
    at = datetime(2024, 12, 31, 23, 59, tzinfo=UTC)
    cases = []
    for offset in _OFFSETS:
        for zone in (S.TIMEZONES[0], S.TIMEZONES[2]):
            accepted = Acceptance(
                "验收一",
                contract.id,
                "行政员",
                (at + offset).astimezone(zone),
                (AcceptedLine("笔记本电脑", 1), AcceptedLine("打印纸", 12)),
            )
            value = Decimal("6300.50")
            for amount in (value - Decimal("0.01"), value, value + Decimal("0.01")):
                cases.append(
                    PurchasePayment("付款一", contract, Money(amount, "CNY"), at, (accepted,))
                )
    for currency in ("USD", "JPY"):
        cases.append(attrs.evolve(cases[2 * 3 + 1], amount=Money("100", currency)))
        cases.append(
            attrs.evolve(
                cases[2 * 3 + 1], amount=Money("100", "CNY"), paid_before=Money("1", currency)
            )
        )
    return cases


def _adm06(subject: Subject, payment: PurchasePayment) -> None:
    decision = subject.engine.decide(payment)
    currency = payment.contract.lines[0].unit_price.currency
    paid = [payment.amount, *([payment.paid_before] if payment.paid_before else [])]
    if any(money.currency != currency for money in paid):
        why = f"paid in another currency than the contract's {currency}"
        expect("ADM-06", True, payment, decision, why)
        return
    value = _accepted(payment)
    total = sum((money.amount for money in paid), Decimal(0))
    deny = value == 0 or total > value
    why = f"paid {total} in all, goods accepted by then worth {value} {currency}"
    expect("ADM-06", deny, payment, decision, why)


# -- the asset register: ADM-07's sweeps over a scratch store --------------------------------------


@attrs.frozen
class Asset:
    """An asset of the register: its purchase approved or not, acquired, counted, disposed of,
    bought under ``contract`` (an id of :class:`Delivery`) or not."""

    number: str
    approved: bool
    acquired_on: date
    counts: tuple[date, ...]
    disposed: bool
    contract: str | None


@attrs.frozen
class Delivery:
    """A purchase contract of ``quantity`` fixed assets (and some paper), and its acceptances:
    when, how many of the fixed assets, passed or not."""

    id: str
    quantity: int
    acceptances: tuple[tuple[datetime, int, bool], ...]


@attrs.frozen
class Register:
    """The asset register and the deliveries audited on ``on``."""

    on: date
    assets: tuple[Asset, ...]
    deliveries: tuple[Delivery, ...]


@st.composite
def _registers(draw: st.DrawFn, subject: Subject) -> Register:
    """Assets last counted (or acquired) the interval before the audit day, or a day either
    side; acceptances at the firm's midnight of the registration deadline, a microsecond either
    side, or early in the firm's morning (the previous day in UTC), written in any offset."""
    spec, policy = _spec(subject), subject.engine.policy
    on = draw(S.edge_days(date(2005, 1, 1), date(2059, 12, 31)))
    since = on - timedelta(days=spec.stocktake_interval_days)
    near = st.sampled_from([since - DAY, since, since + DAY])
    firm = ZoneInfo(policy.timezone)
    deliveries = []
    for index in range(draw(st.integers(0, 2))):
        quantity = draw(st.integers(1, 3))
        acceptances = []
        for _ in range(draw(st.integers(0, 2))):
            day = (
                on
                - timedelta(days=spec.asset_register_days)
                - draw(st.sampled_from([DAY, 0 * DAY]))
            )
            midnight = datetime.combine(day, time(), firm)
            at = draw(
                st.sampled_from(
                    [
                        midnight - timedelta(microseconds=1),
                        midnight,
                        midnight + timedelta(hours=7, minutes=30),
                    ]
                )
            )
            zone = draw(st.sampled_from(S.TIMEZONES))
            acceptances.append(
                (
                    at.astimezone(zone),
                    draw(st.integers(1, quantity)),
                    draw(st.booleans() | st.just(True)),
                )
            )
        deliveries.append(Delivery(f"合同{index}", quantity, tuple(acceptances)))
    assets = []
    for index in range(draw(st.integers(0, 4))):
        acquired = draw(near | S.days(since - 400 * DAY, on))
        drawn = draw(st.lists(near | S.days(acquired, on), max_size=2))
        counts = tuple(sorted(d for d in drawn if acquired <= d <= on))
        contracts: list[str | None] = [None, *(d.id for d in deliveries)]
        contract = draw(st.sampled_from(contracts))
        assets.append(
            Asset(
                f"{spec.asset_number_prefix}-资产{index}",
                draw(st.booleans() | st.just(True)),
                acquired,
                counts,
                draw(st.integers(0, 4)) == 0,
                contract,
            )
        )
    return Register(on, tuple(assets), tuple(deliveries))


def _register_cases(subject: Subject, thorough: bool) -> list[Register]:
    spec, policy = _spec(subject), subject.engine.policy
    on = date(2025, 1, 1)  # the day after a year's end
    since = on - timedelta(days=spec.stocktake_interval_days)
    cases = []
    for offset in (-1, 0, 1):
        last = since + offset * DAY
        for counted in (False, True):
            acquired = last - 30 * DAY if counted else last
            asset = Asset("ZC-盘点", True, acquired, (last,) if counted else (), False, None)
            cases += [
                Register(on, (asset,), ()),
                Register(on, (attrs.evolve(asset, disposed=True),), ()),
            ]
    deadline = on - timedelta(days=spec.asset_register_days)
    firm = ZoneInfo(policy.timezone)
    for day in (deadline - DAY, deadline):
        midnight = datetime.combine(day, time(), firm)
        for at in (midnight - timedelta(microseconds=1), midnight, midnight + timedelta(hours=7)):
            # written in UTC: 07:00 in Shanghai is the day before there
            delivery = Delivery("合同一", 2, ((at.astimezone(UTC), 2, True),))
            registered = Asset("ZC-登记", True, day, (), False, "合同一")
            second = attrs.evolve(registered, number="ZC-登记二")
            cases += [
                Register(on, (), (delivery,)),
                Register(on, (registered,), (delivery,)),
                Register(on, (registered, second), (delivery,)),
            ]
    cases.append(Register(on, (Asset("ZC-未批", False, on, (), False, None),), ()))
    return cases


def _expected(subject: Subject, register: Register) -> set[str]:
    """The ids the ADM-07 sweeps must report: assets without an approved purchase, assets in
    use not counted for more than the interval, contracts with fixed assets accepted before the
    registration deadline (in the firm's time zone) and fewer of them registered."""
    spec, policy, on = _spec(subject), subject.engine.policy, register.on
    found = {a.number for a in register.assets if not a.approved}
    interval = timedelta(days=spec.stocktake_interval_days)
    for asset in register.assets:
        if not asset.disposed and max((asset.acquired_on, *asset.counts)) + interval < on:
            found.add(asset.number)
    grace = timedelta(days=spec.asset_register_days)
    for delivery in register.deliveries:
        due = sum(
            n
            for at, n, passed in delivery.acceptances
            if passed and policy.local_date(at) + grace < on
        )
        registered = sum(1 for a in register.assets if a.contract == delivery.id)
        if registered < due:
            found.add(delivery.id)
    return found


def _seed(subject: Subject, register: Register) -> Any:
    from sqlalchemy import delete

    from agency_admin import store as tables
    from agency_core.store.models import ApprovalRequestRow

    spec, store = _spec(subject), subject.scratch_store()
    with store.transaction() as tx:
        for table in (
            tables.StocktakeRow,
            tables.AssetRow,
            tables.AcceptanceLineRow,
            tables.AcceptanceRow,
            tables.ContractLineRow,
            tables.ContractRow,
            ApprovalRequestRow,
        ):
            tx.session.execute(delete(table))
        for delivery in register.deliveries:
            lines = [
                tables.ContractLineRow(
                    item="电脑",
                    quantity=delivery.quantity,
                    unit_price=Decimal("5000"),
                    currency="CNY",
                    fixed_asset=True,
                ),
                tables.ContractLineRow(
                    item="打印纸",
                    quantity=9,
                    unit_price=Decimal("30"),
                    currency="CNY",
                    fixed_asset=False,
                ),
            ]
            tx.session.add(
                tables.ContractRow(
                    id=delivery.id,
                    supplier="供应商",
                    purchaser="行政员",
                    signed_on=register.on - 90 * DAY,
                    lines=lines,
                )
            )
            tx.session.flush()  # the tables have foreign keys but no relationships: in order
            for index, (at, n, passed) in enumerate(delivery.acceptances):
                got = [
                    tables.AcceptanceLineRow(item="电脑", quantity=n),
                    tables.AcceptanceLineRow(item="打印纸", quantity=9),
                ]
                tx.session.add(
                    tables.AcceptanceRow(
                        id=f"{delivery.id}/验收{index}",
                        contract_id=delivery.id,
                        receiver="行政员",
                        accepted_at=at,
                        passed=passed,
                        lines=got,
                    )
                )
        for asset in register.assets:
            application = f"申请/{asset.number}"
            tx.session.add(
                ApprovalRequestRow(
                    id=application,
                    action=spec.asset_purchase_action,
                    amount=Decimal(0),
                    currency="CNY",
                    department="行政部",
                    requester="张三",
                    status="approved" if asset.approved else "pending",
                    next_step=0,
                    submitted_at=NOW,
                    pending_since=NOW,
                    submit_key=f"seed:{application}",
                    payload_digest="0" * 64,
                    policy_version="conformance",
                    policy_sha256="0" * 64,
                )
            )
            tx.session.add(
                tables.AssetRow(
                    number=asset.number,
                    name="电脑",
                    department="行政部",
                    application_id=application,
                    contract_id=asset.contract,
                    acquired_on=asset.acquired_on,
                    registered_on=asset.acquired_on,
                    disposed_on=asset.acquired_on if asset.disposed else None,
                )
            )
            tx.session.flush()
            for day in asset.counts:
                tx.session.add(
                    tables.StocktakeRow(
                        asset_number=asset.number, counted_on=day, counted_by="行政员"
                    )
                )
    return store


def _adm07_register(subject: Subject, register: Register) -> None:
    from agency_core.store.audit import run_audit
    from agency_core.store.extension import extensions

    sweeps = [s for ext in extensions(subject.engine) for s in ext.sweeps if s.control == "ADM-07"]
    store = _seed(subject, register)
    size = len(register.assets) + len(register.deliveries) + 1
    reported = {
        i
        for found in run_audit(store, on=register.on, sweeps=sweeps, sample=size)
        for i in found.sample
    }
    expected = _expected(subject, register)
    if reported != expected:
        raise Violation(
            "ADM-07",
            f"on {register.on} the sweeps report {sorted(reported)}, not {sorted(expected)}",
            register,
        )


# -- the section a firm writes: every section-reading property runs under it too -------------------

VARIANT: Final = {
    "seal_action": "用印申请",
    "supplies_action": "办公用品领用",
    "repair_action": "设备维修",
    "scrapping_action": "设备报废",
    "asset_purchase_action": "固定资产购置",
    "custodian_role": "印章管理员",
    "stocktake_interval_days": 180,
    "asset_register_days": 3,
    "asset_number_prefix": "固资",
}
"""A ``[plugins.admin]`` table other than the defaults (Chinese action and role names, other
periods): a copy that hard-codes a default instead of reading the section passes the defaults,
not this."""

_VARIANTS: weakref.WeakKeyDictionary[Subject, Subject | None] = weakref.WeakKeyDictionary()


SUPERVISOR: Final = "行政主管"
"""A role of the variant policy that inherits the variant's custodian role: who holds it holds
custody (SOD-02's and ADM-08's roles count inherited ones)."""


def _variant(subject: Subject) -> Subject | None:
    """The subject's plugins under its policy with :data:`VARIANT` as the section and
    :data:`SUPERVISOR` inheriting its custodian role (None when no plugin of the subject declares
    the section)."""
    if subject not in _VARIANTS:
        tables = dict(subject.policy.plugin_tables)
        tables[SECTION] = {**tables.get(SECTION, {}), **VARIANT}
        closure = {**subject.policy.role_closure}
        closure[SUPERVISOR] = frozenset({SUPERVISOR, str(VARIANT["custodian_role"])})
        policy = attrs.evolve(subject.policy, plugin_tables=tables, role_closure=closure)
        try:
            _VARIANTS[subject] = Subject(subject.plugins, policy, subject.block)
        except PolicyError:
            _VARIANTS[subject] = None
    return _VARIANTS[subject]


_OWN: Final = (
    Property(
        "ADM-01",
        "approved-application",
        "a seal is used only on its approved seal use application, by its user, on its document",
        _seal_faults,
        _adm01,
        _adm01_cases,
    ),
    Property(
        "ADM-02",
        "never-blank",
        "a seal never goes on blank paper or a blank contract, on the application or in use",
        _blanks,
        _adm02,
        _adm02_cases,
    ),
    Property(
        "ADM-03",
        "approved-requisition",
        "supplies are issued only on an approved requisition of the section's action",
        _act_examples("ADM-03"),
        _act_oracle,
        _act_cases("ADM-03"),
    ),
    Property(
        "ADM-04",
        "approved-repair-or-scrapping",
        "equipment is repaired or scrapped only on an approved application of its own action",
        _act_examples("ADM-04"),
        _act_oracle,
        _act_cases("ADM-04"),
    ),
    Property(
        "ADM-05",
        "done-with-outcome",
        "a resolution reaches a closed state only with its outcome recorded, from every state",
        _resolutions,
        _adm05,
        _resolution_cases,
    ),
    Property(
        "ADM-06",
        "paid-after-acceptance",
        "never paid before, or beyond, the goods accepted at contract prices; one currency",
        _payments,
        _adm06,
        _adm06_cases,
        kinds=("same", "mixed"),
    ),
    Property(
        "ADM-07",
        "approved-purchase",
        "a fixed asset is registered only on an approved purchase of the section's action",
        _act_examples("ADM-07"),
        _act_oracle,
        _act_cases("ADM-07"),
    ),
    Property(
        "ADM-07",
        "register-sweeps",
        "the sweeps report exactly the assets unapproved or not stocktaken for longer than the "
        "interval, and the deliveries whose fixed assets are not registered by their day",
        _registers,
        _adm07_register,
        _register_cases,
    ),
    Property(
        "ADM-08",
        "custodian-hands-out",
        "only a holder of the custodian role (inherited too) hands a seal out",
        _custodians,
        _adm08_custody,
        _custody_cases,
    ),
    Property(
        "ADM-08",
        "back-to-custodian",
        "a seal goes back to its registered custodian, who logs the return",
        _returns,
        _adm08_return,
        _return_cases,
    ),
)

READS_SECTION: Final = {
    "ADM-01[approved-application]",
    "ADM-03[approved-requisition]",
    "ADM-04[approved-repair-or-scrapping]",
    "ADM-07[approved-purchase]",
    "ADM-07[register-sweeps]",
    "ADM-08[custodian-hands-out]",
}
"""The properties whose oracle reads the section: they run under :data:`VARIANT` too."""

PROPERTIES: Final = tuple(
    also_under(p, _variant, f"[plugins.{SECTION}] {VARIANT}") if p.key in READS_SECTION else p
    for p in _OWN
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``)."""
