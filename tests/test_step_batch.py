"""Step questions as columns (issue 14): :class:`StepBatch` and :meth:`Engine.check_steps`.

Every row must get the decision ``check_step`` gives the step check it stands for, whichever
plugins answer, and bad cells must be refused as the entities refuse them, naming column and row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency_core import (
    ApprovalRequest,
    Decision,
    Employee,
    Engine,
    Finding,
    InvalidInput,
    Money,
    MoneyError,
    Outcome,
    Policy,
    Route,
    RouteStep,
    Severity,
    StepAction,
    StepBatch,
    StepCheck,
    Text,
    Verdict,
    hookimpl,
)
from agency_core.errors import PluginError
from agency_core.testing import conformance
from agency_core.testing import strategies as S
from tests.factories import NOON

NOTE = Text(zh="大额 {request}", en="large {request}")


def _row(
    actor: str = "head",
    *,
    amount: Any = Decimal("1200"),
    requester: str = "clerk",
    approved: Sequence[tuple[str, datetime]] = (),
    roles: Iterable[str] = ("dept_head",),
    department: str = "sales",
    action: str = "expense_reimbursement",
) -> tuple[Any, ...]:
    return (
        "R-1",
        action,
        amount,
        "sales",
        requester,
        actor,
        department,
        tuple(roles),
        tuple(approved),
        NOON,
    )


def _batch(*rows: tuple[Any, ...], **shared: Any) -> StepBatch:
    return StepBatch(*zip(*rows, strict=True), **shared)


def _expected(engine: Engine, steps: StepBatch) -> list[Decision]:
    """What the single calls answer, row by row: the definition ``check_steps`` must meet."""
    expected = []
    for row in range(len(steps)):
        routed = engine.route_approval(steps.request(row))
        if routed.route is None:
            expected.append(routed)
        else:
            expected.append(engine.check_step(steps.check(row, routed.route)))
    return expected


class Large:
    """A firm's step rule with no batch form: large claims are noted, and crash at 99,999."""

    @hookimpl
    def agency_check_step(self, check: StepCheck, policy: Policy) -> list[Finding]:
        if check.request.amount.amount == 99_999:
            raise RuntimeError("boom")
        if check.request.amount.amount > 40_000:
            return [Finding("FIN-05", Severity.APPROVAL, NOTE, {"request": check.request.id})]
        return []


class OwnRoutes:
    """A firm's route lookup (so routes are not the bundled table's): one step for 'gift'."""

    @hookimpl
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        if request.action == "gift":
            if request.amount.amount == 13:
                raise RuntimeError("unlucky")
            return Route("gift", (RouteStep("general_manager"),))
        return None


class OwnBatchRoutes(OwnRoutes):
    """The same lookup with a batch form; ``answer`` replaces its answer when given (garbage)."""

    def __init__(self, answer: Any = None) -> None:
        self.answer = answer

    @hookimpl
    def agency_approval_routes(self, steps: StepBatch, policy: Policy) -> Any:
        if self.answer is not None:
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer
        return [self.agency_approval_route(steps.request(i), policy) for i in range(len(steps))]


class Lying:
    """A batch form that answers garbage: the engine must ask its single form row by row."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    @hookimpl
    def agency_check_step(self, check: StepCheck, policy: Policy) -> list[Finding]:
        if check.action.actor == check.request.requester:
            return [Finding("SOD-01", Severity.DENY, NOTE, {"request": check.request.id})]
        return []

    @hookimpl
    def agency_check_steps(
        self, steps: StepBatch, routes: Sequence[Route | None], policy: Policy
    ) -> Any:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Disagrees(Lying):
    """A batch form that answers well-formed findings its single form would not give."""

    @hookimpl
    def agency_check_steps(
        self, steps: StepBatch, routes: Sequence[Route | None], policy: Policy
    ) -> Any:
        return []


ENGINES = {
    "bundled": lambda: Engine(entry_points=False),
    "single-only plugin": lambda: Engine(entry_points=False, plugins=[Large()]),
    "own route lookup": lambda: Engine(entry_points=False, plugins=[OwnRoutes(), Large()]),
    "own batch routes": lambda: Engine(entry_points=False, plugins=[OwnBatchRoutes()]),
}


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
@given(steps=S.step_batches(max_rows=8))
def test_every_row_gets_the_single_decision(make: Any, steps: StepBatch) -> None:
    engine = make()
    assert engine.check_steps(steps) == _expected(engine, steps)


def test_the_usual_answers() -> None:
    engine = Engine(entry_points=False)
    earlier = ("reviewer", NOON - timedelta(days=1))
    steps = _batch(
        _row("head"),  # allowed: the department head of sales
        _row("clerk", roles=()),  # SOD-01, and APR-04: no role
        _row("other_head", department="legal"),  # APR-04: another department
        _row("head", approved=[("head", NOON)]),  # SOD-04 (step 1 needs finance_reviewer)
        _row("reviewer", approved=[("head", NOON)], roles=["finance_reviewer"]),
        _row("head", approved=[("gm", NOON), earlier]),  # APR-07: past the route's end
        _row("head", action="no_such_action"),  # APR-01: no route
    )
    decisions = engine.check_steps(steps)
    outcomes = [d.outcome for d in decisions]
    denied = [sorted(f.control for f in d.violations) for d in decisions]
    assert outcomes[0] is Outcome.ALLOW
    assert outcomes[4] is Outcome.ALLOW
    assert denied == [
        [],
        ["APR-04", "SOD-01"],
        ["APR-04"],
        ["APR-04", "SOD-04"],
        [],
        ["APR-07"],
        ["APR-01"],
    ]
    assert decisions == _expected(engine, steps)


def test_a_plugin_crash_denies_only_its_row_naming_it() -> None:
    engine = Engine(entry_points=False, plugins=[Large(), OwnRoutes()])
    steps = _batch(
        _row(amount=Decimal(99_999)),
        _row(),
        _row("gm", action="gift", amount=13, roles=["general_manager"]),
        _row("gm", action="gift", amount=14, roles=["general_manager"]),
    )
    first, second, unlucky, gift = engine.check_steps(steps)
    assert first.outcome is Outcome.DENY
    assert first.violations[0].control == "ENG-01"
    assert "Large" in first.violations[0].plugin
    assert second.outcome is Outcome.ALLOW
    assert unlucky.outcome is Outcome.DENY
    assert unlucky.kind == "approval"
    assert "unlucky" in unlucky.violations[0].facts["error"]
    assert gift.outcome is Outcome.ALLOW
    assert [first, second, unlucky, gift] == _expected(engine, steps)


@pytest.mark.parametrize(
    "answer",
    [
        RuntimeError("batch broke"),
        [(0, "not a finding")],
        [("0", Finding("X-1", Severity.DENY, NOTE, {"request": "R"}))],
        [(5, Finding("X-1", Severity.DENY, NOTE, {"request": "R"}))],
        [(1, Finding("X-1", Severity.DENY, NOTE, {"request": "R"}))],  # row 1 has no route
        "garbage",
        Finding("X-1", Severity.DENY, NOTE, {"request": "R"}),
    ],
    ids=["raises", "not-a-finding", "row-as-str", "row-out-of-range", "unrouted-row", "str", "one"],
)
def test_a_batch_form_that_fails_is_replaced_by_the_single_form(answer: Any) -> None:
    engine = Engine(entry_points=False, plugins=[Lying(answer)])
    steps = _batch(_row("clerk"), _row(action="no_such_action"), _row())
    decisions = engine.check_steps(steps)
    assert decisions == _expected(engine, steps)
    assert "SOD-01" in decisions[0].controls
    assert decisions[0].outcome is Outcome.DENY


@pytest.mark.parametrize(
    "answer",
    [RuntimeError("routes broke"), [None], "garbage", [Route("gift", ())] * 9, ["no route"] * 4],
    ids=["raises", "too-short", "str", "too-long", "not-a-route"],
)
def test_a_batch_route_lookup_that_fails_is_asked_row_by_row(answer: Any) -> None:
    engine = Engine(entry_points=False, plugins=[OwnBatchRoutes(answer)])
    gift = {"action": "gift", "roles": ["general_manager"]}
    steps = _batch(
        _row("gm", amount=14, **gift), _row("gm", amount=13, **gift), _row(), _row("clerk")
    )
    decisions = engine.check_steps(steps)
    assert decisions == _expected(engine, steps)
    assert decisions[0].outcome is Outcome.ALLOW
    assert "unlucky" in decisions[1].violations[0].facts["error"]


def test_a_foreign_route_from_a_batch_lookup_is_denied() -> None:
    foreign = Route("expense_reimbursement", (RouteStep("general_manager"),))
    engine = Engine(entry_points=False, plugins=[OwnBatchRoutes([foreign, None])])
    steps = _batch(_row("gm", action="gift", roles=["general_manager"]), _row())
    gift, claim = engine.check_steps(steps)
    assert gift.outcome is Outcome.DENY
    assert gift.violations[0].control == "ENG-01"
    assert claim.outcome is Outcome.ALLOW


def test_a_batch_form_without_the_single_form_is_refused() -> None:
    class BatchOnly:
        @hookimpl
        def agency_check_steps(
            self, steps: StepBatch, routes: Sequence[Route | None], policy: Policy
        ) -> None:
            return None

    with pytest.raises(PluginError, match="agency_check_steps without agency_check_step"):
        Engine(entry_points=False, plugins=[BatchOnly()])

    class BatchRoutesOnly:
        @hookimpl
        def agency_approval_routes(self, steps: StepBatch, policy: Policy) -> None:
            return None

    with pytest.raises(PluginError, match="agency_approval_routes without agency_approval_route"):
        Engine(entry_points=False, plugins=[BatchRoutesOnly()])


def test_the_kit_catches_a_batch_form_that_disagrees() -> None:
    report = conformance.check([Disagrees(None)], properties=conformance.ENGINE_CONTRACT)
    assert "batch-equals-single" in report.failed

    class NoRoutesInBatches:  # a batch lookup that routes nothing the single one routes
        @hookimpl
        def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> None:
            return None

        @hookimpl(tryfirst=True)
        def agency_approval_routes(self, steps: StepBatch, policy: Policy) -> list[Route | None]:
            return [Route(action, ()) for action in steps.action]

    routes = conformance.check([NoRoutesInBatches()], properties=conformance.ENGINE_CONTRACT)
    assert "batch-equals-single" in routes.failed
    honest = conformance.check([Lying(RuntimeError("x"))], properties=conformance.ENGINE_CONTRACT)
    assert "batch-equals-single" not in honest.failed


def test_observers_see_each_routed_row_as_its_step_check() -> None:
    seen: list[tuple[object, Decision]] = []

    class Watch:
        @hookimpl
        def agency_decision_made(self, request: object, decision: Decision) -> None:
            seen.append((request, decision))

    engine = Engine(entry_points=False, plugins=[Watch()])
    steps = _batch(_row(), _row("clerk"), _row(action="no_such_action"))
    decisions = engine.check_steps(steps)
    assert [d for _r, d in seen] == decisions
    route = engine.route_approval(steps.request(0)).route
    assert route is not None
    assert seen[0][0] == steps.check(0, route)
    assert seen[1][0] == steps.check(1, route)
    assert seen[2][0] == steps.request(2)


def test_the_input_plugins_get_cannot_change() -> None:
    roles = ["dept_head"]
    steps = _batch(_row(roles=roles))
    roles.append("general_manager")
    assert steps.actor_roles == (("dept_head",),)
    with pytest.raises(AttributeError):
        steps.actor = ("gm",)  # type: ignore[misc]
    listed = StepBatch(*([cell] for cell in _row()[:7]), [["dept_head"]], [[]], NOON)
    assert listed.actor_roles == (frozenset({"dept_head"}),)
    assert listed.approved == ((),)


@given(amount=st.decimals(0, 10**9, places=4), currency=S.currencies())
def test_amounts_are_rounded_as_money_rounds_them(amount: Decimal, currency: str) -> None:
    steps = _batch(_row(amount=amount), currency=currency)
    assert steps.amount == (Money(amount, currency).amount,)
    assert steps.request(0).amount == Money(amount, currency)


def test_shared_columns_are_kept_for_every_row() -> None:
    steps = StepBatch(*zip(*[_row()[:9], _row("gm")[:9]], strict=True), at=NOON, currency="CNY")
    assert steps.at == (NOON, NOON)
    assert steps.currency == ("CNY", "CNY")
    assert len(steps) == 2


BAD = [
    ({"actor": ["head", ""]}, InvalidInput, r"actor\[1\] must be a non-empty string"),
    ({"actor": ["head", "x" * 65]}, InvalidInput, r"actor\[1\] must be at most 64"),
    ({"request_id": ["R-1", "R\x00"]}, InvalidInput, r"request_id\[1\] must not hold control"),
    ({"department": ["sales", 7]}, InvalidInput, r"department\[1\] must be a non-empty string"),
    ({"actor": ["head"]}, InvalidInput, "actor has 1 cells, request_id has 2"),
    ({"at": [NOON, NOON.replace(tzinfo=None)]}, InvalidInput, r"at\[1\] must carry a UTC offset"),
    ({"at": [NOON, "noon"]}, InvalidInput, r"at\[1\] must be a datetime"),
    ({"amount": [Decimal(1), 1.5]}, MoneyError, r"amount\[1\]: .*floats are not exact"),
    ({"amount": [Decimal(1), Decimal(-1)]}, MoneyError, r"amount\[1\]: .*negative"),
    ({"amount": [Decimal(1), Decimal("NaN")]}, MoneyError, r"amount\[1\]: .*finite"),
    ({"amount": [Decimal(1), Decimal("1e20")]}, MoneyError, r"amount\[1\]: .*below 10\^15"),
    ({"currency": ["CNY", "XXX"]}, MoneyError, r"amount\[1\]: currency must be an ISO 4217"),
    ({"actor_roles": [("dept_head",), "dept_head"]}, InvalidInput, r"actor_roles\[1\]"),
    ({"actor_roles": [("dept_head",), ("",)]}, InvalidInput, r"actor_roles\[1\]\[0\]"),
    ({"approved": [(), "head"]}, InvalidInput, r"approved\[1\]"),
    ({"approved": [(), 7]}, InvalidInput, r"approved\[1\]"),
    ({"approved": [(), [["head", NOON]]]}, InvalidInput, r"approved\[1\]\[0\] must be a"),
    ({"actor_roles": [("dept_head",), 7]}, InvalidInput, r"actor_roles\[1\]"),
    ({"actor_roles": [("dept_head",), (7,)]}, InvalidInput, r"actor_roles\[1\]\[0\]"),
    ({"approved": [(), [("head",)]]}, InvalidInput, r"approved\[1\]\[0\] must be a \(who, when\)"),
    ({"approved": [(), [("head", "noon")]]}, InvalidInput, r"approved\[1\]\[0\] \(when\)"),
    ({"approved": [(), [("", NOON)]]}, InvalidInput, r"approved\[1\]\[0\] \(who\)"),
]


@pytest.mark.parametrize(("columns", "error", "message"), BAD)
def test_bad_cells_are_refused_naming_column_and_row(
    columns: dict[str, Any], error: type[Exception], message: str
) -> None:
    names = [field.name for field in attrs.fields(StepBatch)][:10]
    given_columns = dict(zip(names, zip(_row(), _row(), strict=True), strict=True))
    given_columns.update(columns)
    with pytest.raises(error, match=message):
        StepBatch(**given_columns)


def test_check_steps_takes_only_a_batch() -> None:
    with pytest.raises(InvalidInput, match="takes a StepBatch"):
        Engine(entry_points=False).check_steps([_row()])  # type: ignore[arg-type]


@given(
    value=st.text(max_size=70)
    | st.sampled_from(["R-1", "", " ", "  ", " a", "a b", "x" * 64, "x" * 65, "张三", "a\tb"])
)
def test_a_column_accepts_a_code_exactly_when_the_entity_does(value: str) -> None:
    def accepted(make: Any) -> bool:
        try:
            make()
        except InvalidInput:
            return False
        return True

    entity = accepted(lambda: ApprovalRequest(value, "a", Money(1, "CNY"), "d", "r"))
    column = accepted(lambda: _batch((value, *_row()[1:])))
    cells = _cells(_batch(_row()), 0)
    alone = accepted(lambda: BUNDLED.check_step_row(**cells | {"request_id": value}))
    assert column == alone == entity
    role = accepted(lambda: BUNDLED.check_step_row(**cells | {"actor_roles": (value,)}))
    assert role == accepted(lambda: Employee("e", "d", (value,)))
    who = accepted(lambda: BUNDLED.check_step_row(**cells | {"approved": ((value, NOON),)}))
    assert who == accepted(lambda: StepAction(0, value, Verdict.APPROVE, NOON))


BUNDLED = Engine(entry_points=False)


# -- One row asked alone: Engine.check_step_row ------------------------------------------------


def _cells(steps: StepBatch, row: int) -> dict[str, Any]:
    """Row ``row`` of ``steps`` as :meth:`Engine.check_step_row`'s arguments."""
    return {field.name: getattr(steps, field.name)[row] for field in attrs.fields(StepBatch)}


def _built(steps: StepBatch, row: int, route: Route) -> StepCheck:
    """The step check of ``row`` built with the public, validating constructors."""
    actor, at = steps.actor[row], steps.at[row]
    request = ApprovalRequest(
        steps.request_id[row],
        steps.action[row],
        Money(steps.amount[row], steps.currency[row]),
        steps.department[row],
        steps.requester[row],
    )
    history = [
        StepAction(step, who, Verdict.APPROVE, when)
        for step, (who, when) in enumerate(steps.approved[row])
    ]
    return StepCheck(
        request,
        route,
        StepAction(len(history), actor, Verdict.APPROVE, at),
        Employee(actor, steps.actor_department[row], steps.actor_roles[row]),
        history=history,
    )


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
@given(steps=S.step_batches(max_rows=4))
def test_a_row_asked_alone_gets_its_batch_decision(make: Any, steps: StepBatch) -> None:
    engine = make()
    alone = [engine.check_step_row(**_cells(steps, row)) for row in range(len(steps))]
    assert alone == engine.check_steps(steps)


@given(steps=S.step_batches(max_rows=4))
def test_a_row_is_the_check_the_validating_constructors_build(steps: StepBatch) -> None:
    """The entities of a row are built without validating again: they must equal, field for
    field and type for type, those the public constructors build from the same values."""
    seen: list[object] = []

    class Watch:
        @hookimpl
        def agency_decision_made(self, request: object, decision: Decision) -> None:
            seen.append(request)

    engine = Engine(entry_points=False, plugins=[Watch()])
    route = Route("expense_reimbursement", (RouteStep("dept_head"), RouteStep("general_manager")))
    for row in range(len(steps)):
        built = _built(steps, row, route)
        assert steps.check(row, route) == built
        assert steps.request(row) == built.request
        assert type(steps.check(row, route).actor.roles) is frozenset
        routed = engine.route_approval(built.request).route
        seen.clear()
        engine.check_step_row(**_cells(steps, row))
        assert seen == [_built(steps, row, routed) if routed else built.request]


@given(amount=st.decimals(0, 10**9, places=4), currency=S.currencies())
def test_a_row_rounds_its_amount_as_money_does(amount: Decimal, currency: str) -> None:
    seen: list[object] = []

    class Watch:
        @hookimpl
        def agency_decision_made(self, request: object, decision: Decision) -> None:
            seen.append(request)

    engine = Engine(entry_points=False, plugins=[Watch()])
    engine.check_step_row(**_cells(_batch(_row()), 0) | {"amount": amount, "currency": currency})
    asked = seen[0]
    request = asked.request if isinstance(asked, StepCheck) else asked
    assert isinstance(request, ApprovalRequest)
    assert request.amount == Money(amount, currency)


BAD_ROW = [
    ({"actor": ""}, InvalidInput, r"^actor must be a non-empty string"),
    ({"requester": "x" * 65}, InvalidInput, r"^requester must be at most 64"),
    ({"request_id": "R\x00"}, InvalidInput, r"^request_id must not hold control"),
    ({"department": 7}, InvalidInput, r"^department must be a non-empty string"),
    ({"actor_department": None}, InvalidInput, r"^actor_department must be a non-empty string"),
    ({"at": NOON.replace(tzinfo=None)}, InvalidInput, r"^at must carry a UTC offset"),
    ({"at": "noon"}, InvalidInput, r"^at must be a datetime"),
    ({"at": NOON.replace(year=9999)}, InvalidInput, r"^at must be in 1000\.\.8999"),
    ({"amount": 1.5}, MoneyError, r"floats are not exact"),
    ({"amount": Decimal(-1)}, MoneyError, r"negative"),
    ({"amount": Decimal("NaN")}, MoneyError, r"finite"),
    ({"amount": Decimal("1e20")}, MoneyError, r"below 10\^15"),
    ({"currency": "XXX"}, MoneyError, r"currency must be an ISO 4217"),
    ({"actor_roles": "dept_head"}, InvalidInput, r"^actor_roles must be a collection of roles"),
    ({"actor_roles": 7}, InvalidInput, r"^actor_roles must be a collection of roles"),
    ({"actor_roles": ("dept_head", "")}, InvalidInput, r"^actor_roles\[1\] must be a non-empty"),
    ({"actor_roles": [7]}, InvalidInput, r"^actor_roles\[0\] must be a non-empty string"),
    ({"approved": "head"}, InvalidInput, r"^approved must be a list of \(who, when\) pairs"),
    ({"approved": [["head", NOON]]}, InvalidInput, r"^approved\[0\] must be a \(who, when\)"),
    ({"approved": [("head",)]}, InvalidInput, r"^approved\[0\] must be a \(who, when\) pair"),
    ({"approved": [("head", NOON), ("", NOON)]}, InvalidInput, r"^approved\[1\] \(who\)"),
    ({"approved": [("head", "noon")]}, InvalidInput, r"^approved\[0\] \(when\) must be a dat"),
]


@pytest.mark.parametrize(("cells", "error", "message"), BAD_ROW)
def test_bad_arguments_are_refused_naming_them(
    cells: dict[str, Any], error: type[Exception], message: str
) -> None:
    engine = Engine(entry_points=False)
    with pytest.raises(error, match=message):
        engine.check_step_row(**_cells(_batch(_row()), 0) | cells)
    with pytest.raises(error):  # the same refusal as a batch of that one row
        StepBatch(**{name: [value] for name, value in (_cells(_batch(_row()), 0) | cells).items()})


def test_the_input_a_row_gives_plugins_cannot_change() -> None:
    seen: list[StepCheck] = []

    class Keep:
        @hookimpl
        def agency_check_step(self, check: StepCheck, policy: Policy) -> None:
            seen.append(check)

    roles, approved = ["finance_reviewer"], [("head", NOON)]
    engine = Engine(entry_points=False, plugins=[Keep()])
    cells = _cells(_batch(_row("reviewer")), 0) | {"actor_roles": roles, "approved": approved}
    assert engine.check_step_row(**cells).outcome is Outcome.ALLOW
    roles.append("general_manager")
    approved.append(("gm", NOON))
    (check,) = seen
    assert check.actor.roles == frozenset({"finance_reviewer"})
    assert [taken.actor for taken in check.history] == ["head"]
    with pytest.raises(AttributeError):
        check.actor.roles.add("general_manager")  # type: ignore[attr-defined]


def test_a_step_in_another_currency_is_denied_for_that_reason() -> None:
    """The bundled route of a request in another currency than the policy's has no steps and
    carries FEE-06: its step is denied for FEE-06, not as a step past the route's end."""
    engine = Engine(entry_points=False)
    cells = _cells(_batch(_row()), 0) | {"currency": "USD"}
    request = StepBatch(**{name: [value] for name, value in cells.items()}).request(0)
    routed = engine.route_approval(request)
    assert routed.route is not None
    assert routed.route.steps == ()
    alone = engine.check_step_row(**cells)
    single = engine.check_step(_built(_batch(_row(), currency="USD"), 0, routed.route))
    (batch,) = engine.check_steps(_batch(_row(), currency="USD"))
    for decision in (alone, single, batch):
        assert decision.outcome is Outcome.DENY
        assert [f.control for f in decision.violations] == ["FEE-06"]
