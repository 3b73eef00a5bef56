"""The conformance suite: invariants every policy plugin must keep, checked with Hypothesis.

>>> from agency_core.testing import conformance
>>> report = conformance.check([my_plugin], block=[BUNDLED_APPROVALS])  # doctest: +SKIP
>>> report.ok, report.failed  # doctest: +SKIP
(False, ('SOD-01',))

Each :class:`Property` is named after the control it protects (``SOD-01``) or, for the engine
contract, after what it promises (``determinism``). A failing property raises :class:`Violation`
carrying the shrunk counterexample request and the decision the engine gave.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import attrs
import hypothesis
import pluggy
from hypothesis import HealthCheck, given
from hypothesis import settings as Settings
from hypothesis import strategies as st

from agency_core.checks import ChargeCheck, DisposalCheck, StepCheck
from agency_core.decision import Decision, Outcome, Severity
from agency_core.engine import Engine, Request
from agency_core.entities import ApprovalRequest
from agency_core.hookspecs import hookimpl
from agency_core.plugins import BUILTINS, plugin_name
from agency_core.policy import Policy, default_policy, lower_approvals, statutory_minimums
from agency_core.testing import _scenarios as sc
from agency_core.testing import strategies as S

__all__ = [
    "PROPERTIES",
    "Property",
    "Report",
    "Result",
    "Subject",
    "Violation",
    "check",
    "verify",
]

FAILED: Final = "ENG-01"
"""The control of the finding the engine adds when a plugin raises (fail closed)."""


class Subject:
    """The plugins under test composed with the bundled plugins they do not block.

    :param plugins: plugin modules or objects, registered after the bundled ones.
    :param policy: the policy to check under; the bundled default when None.
    :param block: names of bundled plugins the ``plugins`` replace.
    """

    def __init__(
        self,
        plugins: Iterable[object] = (),
        policy: Policy | None = None,
        block: Iterable[str] = (),
    ) -> None:
        self.plugins = tuple(plugins)
        self.policy = policy if policy is not None else default_policy()
        self.block = tuple(block)
        self.engine = self.build()
        bundled = [importlib.import_module(m) for m in BUILTINS if m not in self.block]
        self.composition: tuple[object, ...] = (*bundled, *self.plugins)
        """Every registered plugin in registration order."""
        self._orders: dict[tuple[int, ...], Engine] = {}

    def build(self, plugins: Iterable[object] | None = None, builtins: bool = True) -> Engine:
        """A fresh engine of the subject (or of ``plugins`` instead of the subject's plugins)."""
        chosen = self.plugins if plugins is None else tuple(plugins)
        return Engine(self.policy, plugins=chosen, block=self.block, builtins=builtins)

    def reordered(self, order: Sequence[int]) -> Engine:
        """An engine registering the same plugins in the order ``order`` of :attr:`composition`."""
        key = tuple(order)
        if key not in self._orders:
            self._orders[key] = self.build([self.composition[i] for i in key], builtins=False)
        return self._orders[key]

    def __repr__(self) -> str:
        names = ", ".join(plugin_name(p) for p in self.plugins) or "bundled plugins"
        return f"Subject({names}; policy {self.policy.version}; block {list(self.block)})"


class Violation(AssertionError):
    """A property does not hold: the control, what went wrong, the request and the decisions."""

    def __init__(
        self, control: str, problem: str, example: object, decisions: Sequence[Decision] = ()
    ) -> None:
        self.control = control
        self.problem = problem
        self.example = example
        self.decisions = tuple(decisions)
        super().__init__(self.describe())

    def describe(self) -> str:
        """The control, the problem, the counterexample request and each decision's findings."""
        lines = [f"{self.control} {self.problem}", f"counterexample: {self.example!r}"]
        for decision in self.decisions:
            route = f" route {list(decision.route.roles)}" if decision.route else ""
            lines.append(f"decision: {decision.outcome.value}{route}")
            lines += [
                f"  {f.control} {f.severity.value} [{f.plugin}] {f.message()}"
                for f in decision.findings
            ]
        return "\n".join(lines)


def _denied(control: str, controls: Iterable[str], example: Request, decision: Decision) -> None:
    """Fail unless ``decision`` denies with a finding of one of ``controls``."""
    wanted = set(controls)
    if decision.outcome is Outcome.DENY and any(
        f.control in wanted and f.severity is Severity.DENY for f in decision.findings
    ):
        return
    raise Violation(
        control,
        f"must deny with {' or '.join(sorted(wanted))}, got {decision.outcome.value}",
        example,
        [decision],
    )


@attrs.frozen
class Property:
    """One invariant: a strategy of examples for a subject, and a check of one example."""

    id: str
    name: str
    """A short slug, unique with the id: ``SOD-01[no-self-approval]``."""
    title: str
    examples: Callable[[Subject], st.SearchStrategy[Any]]
    holds: Callable[[Subject, Any], None]
    """Raises :class:`Violation` when the example breaks the invariant."""


# --- Controls -----------------------------------------------------------------------------------


def _sod01(subject: Subject, check: StepCheck) -> None:
    _denied("SOD-01", ["SOD-01"], check, subject.engine.check_step(check))


def _sod04(subject: Subject, check: StepCheck) -> None:
    _denied("SOD-04", ["SOD-04"], check, subject.engine.check_step(check))


def _apr03(subject: Subject, pair: tuple[ApprovalRequest, ApprovalRequest]) -> None:
    small, large = (subject.engine.route_approval(r) for r in pair)
    problem = ""
    if large.outcome.rank < small.outcome.rank:
        problem = (
            f"{small.outcome.value} for the smaller amount, {large.outcome.value} for the larger"
        )
    elif small.route and large.route:
        ranks = {name: role.rank or 0 for name, role in subject.policy.roles.items()}
        lower = lower_approvals(large.route.roles, small.route.roles, ranks)
        problem = f"the larger amount needs {lower}" if lower else ""
    if problem:
        raise Violation(
            "APR-03",
            f"approvals must not shrink as the amount grows: {problem}",
            pair,
            [small, large],
        )


def _fee01_exact(subject: Subject, check: ChargeCheck) -> None:
    decision = subject.engine.check_charge(check)
    if decision.outcome is Outcome.DENY:
        raise Violation(
            "FEE-01", "a charge of the agreed fee for a published item must pass", check, [decision]
        )


def _fee01_other(subject: Subject, check: ChargeCheck) -> None:
    _denied("FEE-01", ["FEE-01"], check, subject.engine.check_charge(check))


def _fee02(subject: Subject, check: ChargeCheck) -> None:
    _denied("FEE-02", ["FEE-02"], check, subject.engine.check_charge(check))


def _fee03(subject: Subject, check: ChargeCheck) -> None:
    _denied("FEE-03", ["FEE-03"], check, subject.engine.check_charge(check))


def _ret01(subject: Subject, example: tuple[str, DisposalCheck]) -> None:
    record_class, check = example
    minimum = statutory_minimums()[record_class]
    hook = subject.engine.plugin_manager.hook
    try:
        rule = hook.agency_retention_rule(record_class=record_class, policy=subject.policy)
    except Exception as exc:
        raise Violation("RET-01", f"the retention lookup raised {exc!r}", record_class) from exc
    years = getattr(rule, "years", None)
    if rule is None or (years is not None and (minimum.years is None or years < minimum.years)):
        law = "permanent" if minimum.years is None else f"{minimum.years} years"
        raise Violation(
            "RET-01", f"the retention lookup answers {rule!r}, below the law ({law})", record_class
        )
    _denied("RET-01", ["RET-01", "RET-02"], check, subject.engine.check_disposal(check))


def _ret03(subject: Subject, check: DisposalCheck) -> None:
    _denied("RET-03", ["RET-03"], check, subject.engine.check_disposal(check))


def _ret06(subject: Subject, check: DisposalCheck) -> None:
    _denied("RET-06", ["RET-06"], check, subject.engine.check_disposal(check))


# --- The engine contract ------------------------------------------------------------------------


def _robust(subject: Subject, request: Request) -> None:
    decision = subject.engine.decide(request)
    if any(f.control == FAILED for f in decision.findings):
        raise Violation(FAILED, "a plugin raised on a valid request", request, [decision])


def _raiser(calls: list[str], hook: str) -> Callable[[], None]:
    def fail() -> None:
        calls.append(hook)
        raise RuntimeError(f"fault injected into {hook}")

    fail.__name__ = hook
    return fail


def _faulty_twin(plugin: object) -> types.SimpleNamespace:
    """An object with the same hook implementations as ``plugin``, each of which raises."""
    manager = pluggy.PluginManager("agency_core")
    twin = types.SimpleNamespace(__name__=f"{plugin_name(plugin)}[faulty]", calls=[])
    for attr in dir(plugin):
        options = manager.parse_hookimpl_opts(plugin, attr) if attr.startswith("agency_") else None
        if options is not None:
            marker = hookimpl(tryfirst=options["tryfirst"], trylast=options["trylast"])
            setattr(twin, attr, marker(_raiser(twin.calls, attr)))
    return twin


def _fail_closed(subject: Subject, example: tuple[int, Request]) -> None:
    index, request = example
    plugins = subject.plugins or subject.composition
    target = plugins[index % len(plugins)]
    twin = _faulty_twin(target)
    swapped = [twin if p is target else p for p in plugins]
    engine = subject.build(swapped) if subject.plugins else subject.build(swapped, builtins=False)
    decision = engine.decide(request)
    if not twin.calls:
        return
    named = any(f.control == FAILED and f.plugin == plugin_name(twin) for f in decision.findings)
    if decision.outcome is not Outcome.DENY or not named:
        raise Violation(
            FAILED,
            f"a fault injected into {plugin_name(target)} must deny, naming it",
            request,
            [decision],
        )


def _order(subject: Subject, example: tuple[list[int], Request]) -> None:
    order, request = example
    base, other = subject.engine.decide(request), subject.reordered(order).decide(request)
    if base != other:
        names = [plugin_name(subject.composition[i]) for i in order]
        raise Violation(
            "order-independence",
            f"registering in the order {names} changes the decision",
            request,
            [base, other],
        )


def _determinism(subject: Subject, request: Request) -> None:
    first, second = subject.engine.decide(request), subject.engine.decide(request)
    again = subject.build().decide(attrs.evolve(request))
    if not first == second == again:
        raise Violation(
            "determinism",
            "the same request gave different decisions",
            request,
            [first, second, again],
        )


def _batch(subject: Subject, requests: list[Request]) -> None:
    engine = subject.build()
    batch = engine.decide_many(requests)
    single = [engine.decide(r) for r in requests]
    for index, (left, right) in enumerate(zip(batch, single, strict=True)):
        if left != right:
            raise Violation(
                "batch-equals-single",
                f"decide_many and decide differ on request {index}",
                requests[index],
                [left, right],
            )


def _any(subject: Subject) -> st.SearchStrategy[Any]:
    return S.requests(subject.policy)


def _orders(subject: Subject) -> st.SearchStrategy[Any]:
    return st.tuples(st.permutations(range(len(subject.composition))), _any(subject))


def _faults(subject: Subject) -> st.SearchStrategy[Any]:
    return st.tuples(st.integers(0, 15), _any(subject))


PROPERTIES: Final[tuple[Property, ...]] = (
    Property(
        "SOD-01",
        "no-self-approval",
        "nobody approves their own request, directly or as a delegate",
        sc.self_approvals,
        _sod01,
    ),
    Property(
        "SOD-04",
        "one-step-per-person",
        "one person never takes two steps of one route",
        sc.double_steps,
        _sod04,
    ),
    Property(
        "APR-03",
        "monotonic",
        "a larger amount never needs fewer or lower approvals",
        sc.amount_pairs,
        _apr03,
    ),
    Property(
        "FEE-01",
        "agreed-fee-passes",
        "a charge of the agreed fee for a published item passes",
        lambda s: S.charge_checks(s.policy),
        _fee01_exact,
    ),
    Property(
        "FEE-01",
        "other-charge-denied",
        "any other charge without an approved adjustment is denied",
        sc.off_contract_charges,
        _fee01_other,
    ),
    Property(
        "FEE-02",
        "unpublished-denied",
        "a charge for an unpublished item is denied",
        sc.unpublished_charges,
        _fee02,
    ),
    Property(
        "FEE-03",
        "above-published-denied",
        "a contract fee above the published price is denied",
        sc.overpriced_charges,
        _fee03,
    ),
    Property(
        "RET-01",
        "statutory-minimum",
        "retention never below the statutory minimum (RET-01, RET-02)",
        sc.early_disposals,
        _ret01,
    ),
    Property(
        "RET-03",
        "hold-blocks",
        "a record under hold is never disposable",
        sc.held_disposals,
        _ret03,
    ),
    Property(
        "RET-06", "loan-blocks", "a record on loan is never disposable", sc.loaned_disposals, _ret06
    ),
    *(
        Property(
            FAILED, f"no-crash-{kind}", f"no plugin raises on a valid {kind} request", make, _robust
        )
        for kind, make in S.KIND_STRATEGIES.items()
    ),
    Property(
        FAILED,
        "fail-closed",
        "a plugin that raises makes the decision deny (fail closed)",
        _faults,
        _fail_closed,
    ),
    Property(
        "order-independence",
        "any-order",
        "the decision does not depend on registration order",
        _orders,
        _order,
    ),
    Property(
        "determinism",
        "same-request",
        "the same request gives the same decision",
        _any,
        _determinism,
    ),
    Property(
        "batch-equals-single",
        "batch",
        "decide_many gives the decisions of decide",
        sc.batches,
        _batch,
    ),
)
"""Every property of the suite, in the order they run."""


def _settings(base: Settings | None) -> Settings:
    return Settings(
        base if base is not None else Settings(),
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def verify(
    prop: Property,
    subject: Subject,
    settings: Settings | None = None,
    examples: Iterable[Any] = (),
) -> None:
    """Check one property with Hypothesis; raises :class:`Violation` with the shrunk example.

    ``examples`` are checked first, every run (regressions, like ``@hypothesis.example``).
    """
    strategy = prop.examples(subject)

    def conforms(example: Any) -> None:
        prop.holds(subject, example)

    # keep each property's examples apart in the Hypothesis database
    conforms._hypothesis_internal_add_digest = f"{prop.id}:{prop.name}".encode()  # type: ignore[attr-defined]
    test = given(strategy)(conforms)
    for known in examples:
        test = hypothesis.example(known)(test)
    _settings(settings)(test)()


@attrs.frozen
class Result:
    """The outcome of one property: ``error`` is None when it holds."""

    prop: Property
    error: BaseException | None = None

    @property
    def passed(self) -> bool:
        """Whether the property holds."""
        return self.error is None

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        head = f"{verdict} {self.prop.id}[{self.prop.name}]: {self.prop.title}"
        if self.error is None:
            return head
        detail = self.error.describe() if isinstance(self.error, Violation) else repr(self.error)
        return f"{head}\n  " + detail.replace("\n", "\n  ")


@attrs.frozen
class Report:
    """The results of every property checked."""

    subject: Subject
    results: tuple[Result, ...]

    @property
    def ok(self) -> bool:
        """Whether every property holds."""
        return all(r.passed for r in self.results)

    @property
    def failed(self) -> tuple[str, ...]:
        """The ids of the properties that do not hold, each once, in order."""
        return tuple(dict.fromkeys(r.prop.id for r in self.results if not r.passed))

    def __str__(self) -> str:
        return "\n".join([repr(self.subject), *(str(r) for r in self.results)])


def check(
    plugins: Iterable[object] = (),
    policy: Policy | None = None,
    block: Iterable[str] = (),
    *,
    only: Iterable[str] | None = None,
    settings: Settings | None = None,
) -> Report:
    """Check ``plugins`` (composed with the bundled plugins not in ``block``) under ``policy``.

    :param only: property ids to check (all when None).
    :param settings: Hypothesis settings; the current profile when None.
    """
    subject = Subject(plugins, policy, block)
    wanted = set(only) if only is not None else None
    results = []
    for prop in PROPERTIES:
        if wanted is not None and prop.id not in wanted:
            continue
        try:
            verify(prop, subject, settings)
        except Exception as exc:  # a Violation, or a plugin or Hypothesis error
            results.append(Result(prop, exc))
        else:
            results.append(Result(prop))
    return Report(subject, tuple(results))
