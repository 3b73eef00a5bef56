"""What a replacement of the branch-office plugin must keep, for the conformance kit (BR-01..BR-03).

The examples come from the plugin's own policy section: every unit of the firm's reporting tree,
branch departments included, at every bound of the expense tiers and one fen either side (BR-01);
target splits of annual targets from zero to the edge of a billion, cut by the property itself
and then put one fen off in every place a split can go wrong (BR-02); every move of the service
unit's machine, with each fact blank, each approver role of the section and others, and changes
applied around the firm's midnight at the section's notice (BR-03). The oracles walk the tree,
add up the splits and read the section themselves; they never ask the plugin's own functions.
BR-03 also runs under a second section (:data:`VARIANT`), so a copy that hard-codes a default
instead of reading the section is caught.
"""

from __future__ import annotations

import itertools
import weakref
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from agency_branch_office.entities import PersonTarget, TargetSplit, UnitFacts
from agency_branch_office.policy import BranchOfficePolicy
from agency_branch_office.tree import SECTION
from agency_core import ApprovalRequest, Decision, Employee, Money, Outcome
from agency_core.errors import AgencyError, PluginError, PolicyError
from agency_core.testing.conformance import Property, Subject, Violation, expect
from agency_core.transitions import Move, TransitionCheck

__all__ = ["PROPERTIES"]

_FEN = Decimal("0.01")
_CJK: Final = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=6
)


def _spec(subject: Subject) -> BranchOfficePolicy:
    try:
        return subject.engine.policy.section(SECTION, BranchOfficePolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return BranchOfficePolicy()


def _claims(subject: Subject) -> st.SearchStrategy[ApprovalRequest]:
    spec = _spec(subject)
    matrix = subject.policy.matrix(spec.expense_action, "")
    bounds = matrix.bounds if matrix is not None else ()
    edges = sorted({b + d for b in bounds for d in (-_FEN, Decimal(0), _FEN)} | {Decimal(1)})
    amounts = st.sampled_from(edges) | st.decimals(1, 10**7, places=2)
    return st.builds(
        lambda unit, amount: ApprovalRequest(
            "BR-Q1", spec.expense_action, Money(amount, subject.policy.currency), unit, "BR-C1"
        ),
        st.sampled_from(sorted(u.id for u in spec.units)),
        amounts,
    )


def _branch(spec: BranchOfficePolicy, unit: str) -> str | None:
    by_id = {u.id: u for u in spec.units}
    seen: set[str] = set()
    while unit in by_id and unit not in seen:
        seen.add(unit)
        if by_id[unit].level == "branch":
            return unit
        unit = by_id[unit].parent
    return None


def _swapped(subject: Subject, claim: ApprovalRequest) -> None:
    spec = _spec(subject)
    matrix = subject.policy.matrix(claim.action, claim.department)
    if matrix is None:
        return
    firm = [step.role for step in matrix.routes[matrix.tier(claim.amount.amount)]]
    branch = _branch(spec, claim.department)
    decision = subject.engine.route_approval(claim)
    got = list(decision.route.roles) if decision.route is not None else []
    if branch is None or spec.replaces not in firm:
        expected: Any = firm
    elif not any(u.admin and u.parent == branch for u in spec.units):
        expected = Outcome.DENY
    else:
        swapped = [spec.reviewer_role if role == spec.replaces else role for role in firm]
        expected = list(dict.fromkeys(swapped))
    if expected is Outcome.DENY:
        if decision.outcome is not Outcome.DENY:
            raise Violation(
                "BR-01", "a branch without an admin department must deny", claim, [decision]
            )
    elif got != expected:
        where = f"branch {branch}" if branch else "head office"
        raise Violation(
            "BR-01",
            f"the route at {claim.department} ({where}) must be {expected}, not {got}",
            claim,
            [decision],
        )


# -- BR-02: target splits --------------------------------------------------------------------------

ANNUALS: Final = tuple(
    Decimal(a)
    for a in (
        "0.00",
        "0.01",
        "0.03",
        "0.11",
        "0.12",
        "0.13",
        "100.00",
        "1200000.00",
        "999999999.99",
    )
)
"""Annual targets at the edges: nothing, one fen, fewer fen than quarters or months, one fen
either side of a multiple of twelve, a round target and the largest."""
DEFECTS: Final = (
    "quarter",  # one quarter a fen off
    "month",  # one month a fen off
    "person",  # one person a fen off
    "across-quarters",  # a fen moved from a quarter's last month to the next quarter's first
    "between-quarters",  # a fen moved from one quarter to the next (months unchanged)
)
"""How a split goes uneven; each breaks exactly one kind of sum (the annual or a quarter's)."""
EVEN_MOVES: Final = ("none", "within-quarter", "between-people")
"""Changes that keep a split even: a fen moved between months of one quarter or between people."""


def _cut(draw: st.DrawFn, total: Decimal, parts: int) -> list[Decimal]:
    """``total`` cut into ``parts`` amounts of whole fen at random points (the property's own
    split, uneven on purpose: a firm may give one quarter more)."""
    fen = int(total / _FEN)
    points = sorted(draw(st.lists(st.integers(0, fen), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *points, fen]
    return [(b - a) * _FEN for a, b in itertools.pairwise(bounds)]


def _moved(values: list[Decimal], src: int, dst: int) -> list[Decimal]:
    """A fen moved from ``src`` to ``dst`` (from ``dst`` to ``src`` when ``src`` has none)."""
    if values[src] < _FEN:
        src, dst = dst, src
    if values[src] < _FEN:
        return values
    out = list(values)
    out[src] -= _FEN
    out[dst] += _FEN
    return out


def _bumped(values: list[Decimal], index: int, up: bool) -> list[Decimal]:
    """A fen added to (or, when there is one, taken from) ``values[index]``."""
    out = list(values)
    out[index] += -_FEN if not up and out[index] >= _FEN else _FEN
    return out


def _target(
    annual: Decimal,
    quarters: list[Decimal],
    months: list[Decimal],
    people: list[tuple[str, Decimal]],
    defect: str,
    where: int,
    up: bool,
) -> TargetSplit:
    """The split with ``defect`` (a :data:`DEFECTS` or :data:`EVEN_MOVES` name) at ``where``."""
    if defect == "quarter":
        quarters = _bumped(quarters, where % 4, up)
    elif defect == "month":
        months = _bumped(months, where % 12, up)
    elif defect == "person":
        amounts = _bumped([a for _p, a in people], where % len(people), up)
        people = [(p, a) for (p, _a), a in zip(people, amounts, strict=True)]
    elif defect == "across-quarters":
        q = where % 3
        months = _moved(months, 3 * q + 2, 3 * q + 3)
    elif defect == "between-quarters":
        q = where % 3
        quarters = _moved(quarters, q, q + 1)
    elif defect == "within-quarter":
        q = where % 4
        months = _moved(months, 3 * q, 3 * q + 1 + where % 2)
    elif defect == "between-people" and len(people) > 1:
        amounts = _moved([a for _p, a in people], 0, len(people) - 1)
        people = [(p, a) for (p, _a), a in zip(people, amounts, strict=True)]
    return TargetSplit(
        "办事处上海" if where % 2 else "sh",
        2024 + where % 3,
        annual,
        quarters,
        months,
        tuple(PersonTarget(p, a) for p, a in people),
    )


@st.composite
def _split(draw: st.DrawFn, annual: Decimal, defect: str) -> TargetSplit:
    quarters = _cut(draw, annual, 4)
    months = [m for q in quarters for m in _cut(draw, q, 3)]
    names = draw(
        st.lists(st.integers(1, 99).map(lambda n: f"P{n}") | _CJK, min_size=1, max_size=4).map(
            lambda ns: list(dict.fromkeys(ns))
        )
    )
    people = list(zip(names, _cut(draw, annual, len(names)), strict=True))
    return _target(
        annual, quarters, months, people, defect, draw(st.integers(0, 11)), draw(st.booleans())
    )


def _splits(subject: Subject, kind: str) -> st.SearchStrategy[TargetSplit]:
    annuals = st.sampled_from(ANNUALS) | st.decimals(0, 10**9 - 1, places=2)
    defects = st.sampled_from(EVEN_MOVES if kind == "even" else DEFECTS)
    return st.tuples(annuals, defects).flatmap(lambda ad: _split(*ad))


def _split_cases(subject: Subject, thorough: bool) -> list[TargetSplit]:
    """Every defect and even move, at the first and last place it can be, at each edge annual
    (split as evenly as whole fen allow, the leftover fen to the first parts)."""

    def even(total: Decimal, parts: int) -> list[Decimal]:
        base, left = divmod(int(total / _FEN), parts)
        return [(base + (i < left)) * _FEN for i in range(parts)]

    cases = []
    for annual in ANNUALS:
        quarters = even(annual, 4)
        months = [m for q in quarters for m in even(q, 3)]
        people = list(zip(("张三", "李四", "P3"), even(annual, 3), strict=True))
        for defect in (*EVEN_MOVES, *DEFECTS):
            for where, up in ((0, False), (11, True)):
                cases.append(_target(annual, quarters, months, people, defect, where, up))
    return cases


def _uneven(split: TargetSplit) -> list[str]:
    """The sums that do not add up (the oracle: BR-02 asks every split to add up exactly)."""
    sums = {
        "quarters": (sum(split.quarters, Decimal(0)), split.annual),
        "months": (sum(split.months, Decimal(0)), split.annual),
        "people": (sum((p.amount for p in split.people), Decimal(0)), split.annual),
    }
    for q, quarter in enumerate(split.quarters):
        sums[f"months of Q{q + 1}"] = (sum(split.months[3 * q : 3 * q + 3], Decimal(0)), quarter)
    return [part for part, (total, expected) in sums.items() if total != expected]


def _decided(control: str, subject: Subject, request: Any) -> Decision:
    try:
        return subject.engine.decide(request)
    except AgencyError as exc:
        raise Violation(control, f"refused a valid request: {exc}", request) from None


def _adds_up(subject: Subject, split: TargetSplit) -> None:
    uneven = _uneven(split)
    why = f"uneven: {', '.join(uneven)}" if uneven else "every split adds up"
    expect("BR-02", bool(uneven), split, _decided("BR-02", subject, split), why)


# -- BR-03: the service unit's machine -------------------------------------------------------------

UNIT: Final = "service_unit"
PATH: Final = ("drafted", "applied", "approved", "registered", "change_applied", "change_approved")
"""Apply, approve, register; then a change applied for and approved, and registered again."""
EDGES: Final = frozenset({*itertools.pairwise(PATH), ("change_approved", "registered")})
FIELDS: Final = ("plan", "staffing", "premises", "budget")
"""What an application must carry (BR-03)."""
BLANKS: Final = ("", " ", "\u3000")
"""Blank facts: empty, a space, an ideographic space."""
ZONES: Final = (UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5)))
"""The offsets an instant is written in; the rule reads the firm's own date whatever it is."""
MOMENTS: Final = (date(2024, 2, 29), date(2024, 12, 31), date(2025, 1, 1), date(2026, 3, 2))
"""Local days a change is applied for on: a 29 February, a year's last and first day."""
T0: Final = datetime(2024, 2, 1, 9, tzinfo=UTC)


def _history(from_state: str, again: bool) -> tuple[Move, ...]:
    """The moves that brought a unit from ``drafted`` to ``from_state`` (through a first change
    when ``again``), by the general manager and a deputy acting for 总经理 in turn."""
    i = PATH.index(from_state)
    states = [*PATH, "registered", *PATH[4 : i + 1]] if again and i >= 3 else list(PATH[: i + 1])
    actors = itertools.cycle(("GM", "副总经理代总经理"))
    return tuple(
        Move(a, b, next(actors), T0 + timedelta(days=n))
        for n, (a, b) in enumerate(itertools.pairwise(states))
    )


def _instant(zone: str, day: date, minute: int, offset: int) -> datetime:
    """One minute of ``day`` in the firm's ``zone``: its first (0), its last (-1) or noon."""
    local = {0: time(0, 0), -1: time(23, 59), 1: time(12)}[minute]
    return datetime.combine(day, local, ZoneInfo(zone)).astimezone(ZONES[offset])


VARIANT: Final = {"approver_roles": ["总经理", "management_committee"], "change_notice_days": 5}
"""A ``[plugins.branch_office]`` table other than the defaults (a Chinese approver role, five
days' notice): BR-03 runs under it too, so a copy that hard-codes a default instead of reading the
section is caught even when the firm's own section keeps the defaults."""

_VARIANTS: weakref.WeakKeyDictionary[Subject, Subject | None] = weakref.WeakKeyDictionary()


def _under(subject: Subject, variant: bool) -> Subject:
    """``subject``, or its plugins under its policy with :data:`VARIANT` merged into the section
    (``subject`` itself when no plugin declares the section)."""
    if not variant:
        return subject
    if subject not in _VARIANTS:
        tables = dict(subject.policy.plugin_tables)
        tables[SECTION] = {**tables.get(SECTION, {}), **VARIANT}
        policy = attrs.evolve(subject.policy, plugin_tables=tables)
        try:
            _VARIANTS[subject] = Subject(subject.plugins, policy, subject.block)
        except PolicyError:
            _VARIANTS[subject] = None
    return _VARIANTS[subject] or subject


MOVE_KINDS: Final = ("apply", "approve", "register", "change", "change-overnight", "skip")
"""Where a move is drawn: each step of the machine (a change applied for between the firm's
midnight and 08:00 on its own, when the UTC day is the day before), and moves it must refuse
(those the subject's machine allows beyond the control first)."""
_TO: Final = {"apply": "applied", "register": "registered"}


@st.composite
def _facts(draw: st.DrawFn, blank: frozenset[str], effective: date | None) -> UnitFacts:
    """Facts with the fields named in ``blank`` blank and the others filled (Chinese or not)."""
    filled = _CJK | st.just("open a Suzhou desk")

    def field(name: str) -> str:
        return draw(st.sampled_from(BLANKS) if name in blank else filled)

    plan, staffing, premises, budget, reason = (field(n) for n in (*FIELDS, "reason"))
    return UnitFacts(plan, staffing, premises, budget, reason, effective, field("registration"))


def _extra(subject: Subject) -> list[tuple[str, str]]:
    """The moves between the control's states that the subject's machine allows beyond it."""
    registration = subject.engine.machines.get(UNIT)
    if registration is None:
        return []
    allowed = registration.item.transitions
    pairs = {(a, b) for a in allowed for b in allowed[a] if a in PATH and b in PATH}
    return sorted(pairs - EDGES)


@st.composite
def _moves(draw: st.DrawFn, subject: Subject, kind: str) -> tuple[bool, TransitionCheck]:
    """A move of ``kind`` (:data:`MOVE_KINDS`), under the subject's section or :data:`VARIANT`."""
    variant = draw(st.booleans())
    subject = _under(subject, variant)
    spec, policy = _spec(subject), subject.policy
    if kind == "skip":
        edges = _extra(subject) or sorted(set(itertools.product(PATH, PATH)) - EDGES)
    elif kind == "approve":
        edges = [("applied", "approved"), ("change_applied", "change_approved")]
    elif kind.startswith("change"):
        edges = [("registered", "change_applied")]
    else:
        edges = sorted(e for e in EDGES if e[1] == _TO[kind])
    from_state, to = draw(st.sampled_from(edges))
    day = draw(st.sampled_from(MOMENTS) | st.dates(date(2001, 1, 1), date(2059, 12, 31)))
    local = datetime.combine(day, time(), ZoneInfo(policy.timezone))
    hours = 8 if kind == "change-overnight" else 24
    local += timedelta(
        minutes=draw(st.sampled_from((0, hours * 60 - 1)) | st.integers(0, hours * 60 - 1))
    )
    at = local.astimezone(draw(st.sampled_from(ZONES)))
    latest = day + timedelta(days=spec.change_notice_days)
    shift = st.sampled_from((-1, 0, 1)).map(lambda k: latest + timedelta(days=k))
    effective = draw(shift if kind == "change-overnight" else shift | st.none())
    relevant = {"apply": FIELDS, "register": ("registration",), "skip": ()}.get(kind, ("reason",))
    blank = draw(
        st.sampled_from([frozenset(), *(frozenset({n}) for n in relevant)])
        | st.frozensets(st.sampled_from((*FIELDS, "reason", "registration")))
    )
    data = draw(st.none()) if draw(st.integers(0, 4)) == 0 else draw(_facts(blank, effective))
    others = sorted(set(policy.roles) - set(spec.approver_roles))
    roles = draw(
        st.frozensets(st.sampled_from(others), max_size=2)
        | st.sampled_from(spec.approver_roles).map(lambda r: frozenset({r}))
    )
    actor = Employee(draw(st.sampled_from(("D1", "张经理"))), "sh-sales", roles)
    history = _history(from_state, draw(st.booleans()))
    subject_id = draw(st.sampled_from(("U1", "苏州服务点")))
    return variant, TransitionCheck(UNIT, subject_id, from_state, to, actor, at, data, history)


def _move_cases(subject: Subject, thorough: bool) -> list[tuple[bool, TransitionCheck]]:
    return [(v, c) for v in (False, True) for c in _section_cases(_under(subject, v))]


def _section_cases(subject: Subject) -> list[TransitionCheck]:
    """Every state x every state (the legal moves with full facts, each fact blank, each
    approver role and none; the others must be refused) and a change at the notice's edges
    around the firm's midnight."""
    spec, policy = _spec(subject), subject.policy
    at = _instant(policy.timezone, MOMENTS[0], 1, 0)
    full = UnitFacts(
        "开设苏州服务点",
        "三人",
        "租赁写字楼",
        "四十万元",
        "迁址",
        MOMENTS[0] + timedelta(days=spec.change_notice_days),
        "苏备-2024-001",
    )
    actors = [Employee("张经理", "sh-sales", {role}) for role in spec.approver_roles]
    actors.append(Employee("D1", "sh-sales", {"dept_head"}))
    cases = []
    for from_state, to in itertools.product(PATH, PATH):
        history = _history(from_state, False)
        variants: list[UnitFacts | None] = [full, None]
        if (from_state, to) in EDGES:
            blanks: list[dict[str, Any]] = [{n: " "} for n in (*FIELDS, "reason", "registration")]
            variants += [attrs.evolve(full, **blank) for blank in blanks]
        for data, actor in itertools.product(variants, actors):
            cases.append(TransitionCheck(UNIT, "U1", from_state, to, actor, at, data, history))
    for day, minute, offset in itertools.product(MOMENTS, (0, -1), range(len(ZONES))):
        moment = _instant(policy.timezone, day, minute, offset)
        for k in (-1, 0, 1):
            facts = attrs.evolve(
                full, effective_on=day + timedelta(days=spec.change_notice_days + k)
            )
            history = _history("registered", True)
            cases.append(
                TransitionCheck(
                    UNIT, "U1", "registered", "change_applied", actors[-1], moment, facts, history
                )
            )
    return cases


def _unit_denies(subject: Subject, check: TransitionCheck) -> list[str]:
    """Why BR-03 refuses ``check`` (the oracle, from the section and the firm's calendar day)."""
    spec, facts, to = _spec(subject), check.data, check.to_state
    if not isinstance(facts, UnitFacts):
        return ["no facts"]
    if to == "applied":
        return [f"{name} blank" for name in FIELDS if not getattr(facts, name).strip()]
    if to in ("approved", "change_approved"):
        held = subject.policy.effective_roles(check.actor.roles)
        return (
            []
            if held & set(spec.approver_roles)
            else [f"{sorted(check.actor.roles)} not management"]
        )
    if to == "registered":
        return [] if facts.registration.strip() else ["no registration number"]
    why = [] if facts.reason.strip() else ["no reason"]
    first = subject.policy.local_date(check.at) + timedelta(days=spec.change_notice_days)
    if facts.effective_on is None or facts.effective_on < first:
        why.append(f"effective {facts.effective_on}, first allowed {first}")
    return why


def _unit_moves(subject: Subject, example: tuple[bool, TransitionCheck]) -> None:
    variant, check = example
    try:
        _unit_move(_under(subject, variant), check)
    except Violation as exc:
        if not variant or _under(subject, True) is subject:
            raise
        where = f"{exc.problem}; under [plugins.{SECTION}] {VARIANT}"
        raise Violation(exc.control, where, check, exc.decisions) from None


def _unit_move(subject: Subject, check: TransitionCheck) -> None:
    if (check.from_state, check.to_state) not in EDGES:
        try:
            decision = subject.engine.decide(check)
        except AgencyError:
            return
        if decision.outcome is not Outcome.DENY:
            raise Violation(
                "BR-03",
                f"a service unit must not go from {check.from_state} to {check.to_state}",
                check,
                [decision],
            )
        return
    why = _unit_denies(subject, check)
    move = f"{check.from_state} -> {check.to_state}: {'; '.join(why) or 'in order'}"
    expect("BR-03", bool(why), check, _decided("BR-03", subject, check), move)


PROPERTIES = (
    Property(
        "BR-01",
        "branch-review",
        "at a branch the branch admin department reviews instead of finance; elsewhere no change",
        _claims,
        _swapped,
    ),
    Property(
        "BR-02",
        "splits-add-up",
        "quarters, months (each quarter's too) and people add up exactly to the annual target",
        _splits,
        _adds_up,
        _split_cases,
        kinds=("even", "uneven"),
    ),
    Property(
        "BR-03",
        "service-unit-steps",
        "a service unit is applied for in full, approved by management, registered with its "
        "number, and changed for a reason the section's notice ahead; no step skipped",
        _moves,
        _unit_moves,
        _move_cases,
        kinds=MOVE_KINDS,
    ),
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``)."""
