"""The conformance suite: a property for every control, checked with Hypothesis.

>>> from agency_core.testing import conformance
>>> report = conformance.check([my_plugin], block=[BUNDLED_APPROVALS])  # doctest: +SKIP
>>> report.ok, report.failed  # doctest: +SKIP
(False, ('SOD-01',))

Each :class:`Property` is named after the control it protects (``SOD-01``) or, for the engine
contract, after what it promises (``determinism``). Where the policy gives the answer (the route
of a request, the due date of a record, whether a grant conflicts) the property is an oracle
computed from the reference policy. A failing property raises :class:`Violation` carrying the
shrunk counterexample request (also as JSON) and the decisions the engine gave.

A department plugin adds its own properties under its own control IDs: build :class:`Property`
records and pass them to :func:`check` (``properties=(*PROPERTIES, *mine)``).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from typing import Any, Final

import attrs
import hypothesis
import pluggy
import time_machine
from hypothesis import HealthCheck, given
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from agency_core import KINDS
from agency_core.decision import Decision, Outcome
from agency_core.engine import Request
from agency_core.entities import Record
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Registration, collect
from agency_core.plugins import plugin_name
from agency_core.policy import Policy, statutory_minimums
from agency_core.requests import ChargeCheck, DisposalCheck, StepCheck
from agency_core.step_batch import StepBatch
from agency_core.testing import _apr, _fee, _ret, _sod
from agency_core.testing import _scenarios as sc
from agency_core.testing import strategies as S
from agency_core.testing._kit import Property, Subject, Violation, denies, expect

__all__ = [
    "PROFILES",
    "PROPERTIES",
    "VERDICT",
    "Profile",
    "Property",
    "Report",
    "Result",
    "Subject",
    "Violation",
    "all_properties",
    "also_under",
    "check",
    "expect",
    "verify",
]

REQUEST_TYPES: Final = tuple(KINDS.values())
FAILED: Final = "ENG-01"
"""The control of the finding the engine adds when a plugin raises (fail closed)."""


# --- Controls -----------------------------------------------------------------------------------


def _denied(control: str, controls: Iterable[str], example: Request, decision: Decision) -> None:
    """Fail unless ``decision`` denies with a finding of one of ``controls``."""
    if not denies(decision, controls):
        raise Violation(
            control,
            f"must deny with {' or '.join(sorted(set(controls)))}, got {decision.outcome.value}",
            example,
            [decision],
        )


def _sod01(subject: Subject, check: StepCheck) -> None:
    _denied("SOD-01", ["SOD-01"], check, subject.engine.check_step(check))


def _sod04(subject: Subject, check: StepCheck) -> None:
    _denied("SOD-04", ["SOD-04"], check, subject.engine.check_step(check))


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
    """An object with the same hook implementations as ``plugin``: its checks, lookups and
    observers raise; its registrations (hook specs, kinds, machines...) are kept as they are,
    since a fault there stops the engine from being built at all (a loud PluginError)."""
    manager = pluggy.PluginManager("agency_core")
    twin = types.SimpleNamespace(__name__=f"{plugin_name(plugin)}[faulty]", calls=[])
    for attr in dir(plugin):
        options = manager.parse_hookimpl_opts(plugin, attr) if attr.startswith("agency_") else None
        if options is None:
            continue
        marker = hookimpl(tryfirst=options["tryfirst"], trylast=options["trylast"])
        if attr == "agency_addhooks" or attr.startswith("agency_register_"):
            setattr(twin, attr, marker(getattr(plugin, attr)))
        else:
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


def _order(subject: Subject, example: tuple[Sequence[int], Request]) -> None:
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


LOOKUPS: Final = ("agency_approval_route", "agency_retention_rule")
"""The hooks whose first answer wins: the plugins answering them are tried in every order."""


def _probes(subject: Subject) -> list[Request]:
    """Requests that ask every lookup: each tier edge of each action, a record of each class."""
    policy = subject.policy
    probes: list[Request] = list(_apr.edge_requests(policy, thorough=False))
    for record_class in sorted(policy.retention):
        prefix = policy.prefixes.get(record_class, "XX")
        record = attrs.evolve(
            Record(f"{prefix}-2001-000001", {record_class}, date(2001, 12, 31)),
            event_on=date(2002, 2, 28),
        )
        probes.append(DisposalCheck(record, date(2032, 1, 1)))
    return probes


def _answering_orders(subject: Subject, thorough: bool) -> Iterable[tuple[Sequence[int], Request]]:
    """Every order of the plugins answering each lookup (the others in place), on each probe;
    when ``thorough``, every order of the whole composition."""
    manager = subject.engine.plugin_manager
    orders: set[tuple[int, ...]] = set()
    everyone = range(len(subject.composition))
    if thorough:
        orders |= set(permutations(everyone))
    for hook in LOOKUPS:
        names = {impl.plugin_name for impl in getattr(manager.hook, hook).get_hookimpls()}
        answering = [i for i in everyone if plugin_name(subject.composition[i]) in names]
        for order in permutations(answering):
            slots = iter(order)
            orders.add(tuple(next(slots) if i in answering else i for i in everyone))
    return [(order, probe) for order in sorted(orders) for probe in _probes(subject)]


def _differing_plugins(decisions: Sequence[Decision]) -> list[str]:
    """The plugins whose findings are not the same in every decision."""
    seen = [{(f.plugin, f.control, f.severity, f.message()) for f in d.findings} for d in decisions]
    common = set.intersection(*seen) if seen else set()
    return sorted({item[0] for found in seen for item in found - common})


def _names(subject: Subject) -> list[str]:
    """The plugins under test, when the decisions do not show which one answered differently."""
    return [plugin_name(p) for p in subject.plugins] or ["(a bundled one)"]


def _stateful(
    subject: Subject, problem: str, example: object, decisions: Sequence[Decision]
) -> Violation:
    """A determinism violation naming the plugins whose findings changed (when the decisions
    show none, the plugins under test: one of them answered differently before)."""
    names = _differing_plugins(decisions) or _names(subject)
    return Violation(
        "determinism",
        f"plugin {', '.join(names)} keeps state between calls: {problem}",
        example,
        decisions,
    )


CLOCK_SHIFTS: Final = (timedelta(days=397, hours=13, minutes=17), -timedelta(days=1461, hours=7))
"""How far the determinism property moves the clock: a year and a month ahead at another hour,
four years back (another leap cycle, another time of day)."""


def _shifted(subject: Subject, requests: list[Request], shift: timedelta) -> list[Decision]:
    """The decisions of fresh plugins while every clock of the process reads ``now + shift``."""
    with time_machine.travel(datetime.now(UTC) + shift, tick=False):
        return subject.fresh().decide_many(requests)


def _determinism(subject: Subject, requests: list[Request]) -> None:
    """The same answers from fresh copies of the plugins asked in order, in reversed order and
    under a shifted clock (a decision depends on its request and policy, never on when it is
    asked), and from the long-lived engine (which has answered everything before) asked again
    after the other requests."""
    forward = subject.fresh().decide_many(requests)
    for shift in CLOCK_SHIFTS:
        moved = _shifted(subject, requests, shift)
        for request, here, there in zip(requests, forward, moved, strict=True):
            if here != there:
                raise Violation(
                    "determinism",
                    f"plugin {', '.join(_differing_plugins([here, there]) or _names(subject))} "
                    f"reads the clock: the same request gave another decision with the clock "
                    f"moved by {shift}",
                    request,
                    [here, there],
                )
    backward = list(reversed([subject.fresh().decide(r) for r in reversed(requests)]))
    lived = subject.engine
    for index, request in enumerate(requests):
        first = lived.decide(request)
        for other in requests[index + 1 :]:
            lived.decide(other)
        again = lived.decide(request)
        answers = [forward[index], backward[index], first, again]
        if any(answer != answers[0] for answer in answers):
            raise _stateful(subject, "the same request gave different decisions", request, answers)


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


def _step_columns(subject: Subject, steps: StepBatch) -> None:
    engine = subject.build()
    batch = engine.check_steps(steps)
    for row, decision in enumerate(batch):
        request = steps.request(row)
        routed = engine.route_approval(request)
        example: Request = request
        expected = routed  # no route: the row is answered as its request is
        if routed.route is not None:
            example = check = steps.check(row, routed.route, request)
            expected = engine.check_step(check)
        if decision != expected:
            raise Violation(
                "batch-equals-single",
                f"check_steps and check_step differ on row {row}",
                example,
                [decision, expected],
            )


def _step_batches(subject: Subject) -> st.SearchStrategy[Any]:
    return S.step_batches(subject.policy)


def _any(subject: Subject) -> st.SearchStrategy[Any]:
    return S.requests(subject.policy)


def _orders(subject: Subject) -> st.SearchStrategy[Any]:
    return st.tuples(st.permutations(range(len(subject.composition))), _any(subject))


def _faults(subject: Subject) -> st.SearchStrategy[Any]:
    return st.tuples(st.integers(0, 15), _any(subject))


def _known_fee(subject: Subject) -> st.SearchStrategy[Any]:
    return S.charge_checks(subject.policy)


def _by_family(props: Iterable[Property]) -> tuple[Property, ...]:
    family = {"FEE": 0, "APR": 1, "SOD": 2, "RET": 3}
    return tuple(
        sorted(props, key=lambda p: (family.get(p.id[:3], 9), p.id if p.id[:3] in family else ""))
    )


CONTROLS: Final[tuple[Property, ...]] = _by_family(
    (
        Property(
            "FEE-01",
            "agreed-fee-passes",
            "a charge of the agreed fee for a published item passes, in any currency",
            _known_fee,
            _fee01_exact,
        ),
        Property(
            "FEE-01",
            "other-charge-denied",
            "any other charge (one minor unit off too) without an approved adjustment is denied",
            sc.off_contract_charges,
            _fee01_other,
        ),
        Property(
            "FEE-02",
            "unpublished-denied",
            "a charge for an item not published, or under no schedule in force, is denied",
            sc.unpublished_charges,
            _fee02,
            kinds=sc.UNPUBLISHED,
        ),
        Property(
            "FEE-03",
            "above-published-denied",
            "a contract fee above the published price (by one minor unit too) is denied",
            sc.overpriced_charges,
            _fee03,
        ),
        *_fee.PROPERTIES,
        *_apr.PROPERTIES,
        Property(
            "SOD-01",
            "no-self-approval",
            "nobody approves their own request, directly or as a delegate",
            sc.self_approvals,
            _sod01,
            kinds=sc.SELF,
        ),
        *_sod.PROPERTIES,
        Property(
            "SOD-04",
            "one-step-per-person",
            "one person never takes two steps of one route, even through a deputy",
            sc.double_steps,
            _sod04,
            kinds=sc.DOUBLE,
        ),
        Property(
            "RET-01",
            "statutory-minimum",
            "retention never below the statutory minimum",
            sc.early_disposals,
            _ret01,
        ),
        *_ret.PROPERTIES,
    )
)
"""A property (or more) for every control of the core, grouped by family."""

ENGINE_CONTRACT: Final[tuple[Property, ...]] = (
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
        "the decision does not depend on the order the plugins answering a lookup are tried",
        _orders,
        _order,
        _answering_orders,
    ),
    Property(
        "determinism",
        "no-state",
        "the same answer in a fresh engine, in reversed order, and asked again after others",
        sc.histories,
        _determinism,
    ),
    Property(
        "batch-equals-single",
        "batch",
        "decide_many gives the decisions of decide",
        sc.batches,
        _batch,
    ),
    Property(
        "batch-equals-single",
        "step-columns",
        "check_steps gives every row of a StepBatch the decision check_step gives it",
        _step_batches,
        _step_columns,
    ),
)
"""What every composition of plugins promises, whatever the controls."""

PROPERTIES: Final[tuple[Property, ...]] = (*CONTROLS, *ENGINE_CONTRACT)
"""Every property of the suite, in the order they run."""


@attrs.frozen
class Profile:
    """How hard to look: Hypothesis examples per property, and whether to enumerate all."""

    name: str
    max_examples: int
    thorough: bool


PROFILES: Final = {
    "default": Profile("default", 40, thorough=False),
    "thorough": Profile("thorough", 1000, thorough=True),
}
"""``default``: one plugin set in under a minute, for every change. ``thorough``: 25 times the
examples and every enumeration (every order of the whole composition, every budget at every
edge), for a nightly CI job."""


VERDICT: Final = Settings(
    max_examples=PROFILES["default"].max_examples,
    derandomize=True,
    database=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
"""The default profile's examples, derandomized and without shrinking: the same verdict on every
run, for tests that assert which property a broken plugin fails (``settings=VERDICT``)."""


def also_under(
    prop: Property, variant: Callable[[Subject], Subject | None], label: str
) -> Property:
    """``prop`` checked under the subject and also under ``variant(subject)`` (skipped when that is
    None), such as the same plugins under a second policy section: a copy that hard-codes a
    default passes the first and fails the second. Examples and cases become
    ``(under_variant, example)``; a failure under the variant names ``label``."""
    examples, cases, holds = prop.examples, prop.cases, prop.holds

    def subjects(subject: Subject) -> list[tuple[bool, Subject]]:
        other = variant(subject)
        return [(False, subject)] + ([(True, other)] if other is not None else [])

    def both_holds(subject: Subject, example: tuple[bool, Any]) -> None:
        under, request = example
        chosen = variant(subject) if under else None
        try:
            holds(chosen if chosen is not None else subject, request)
        except Violation as exc:
            if not under:
                raise
            where = f"{exc.problem}; under {label}"
            raise Violation(exc.control, where, request, exc.decisions) from None

    def both_examples(subject: Subject, *kind: str) -> st.SearchStrategy[Any]:
        assert examples is not None
        return st.sampled_from(subjects(subject)).flatmap(
            lambda chosen: examples(chosen[1], *kind).map(lambda r: (chosen[0], r))
        )

    def both_cases(subject: Subject, thorough: bool) -> list[tuple[bool, Any]]:
        assert cases is not None
        return [(u, case) for u, s in subjects(subject) for case in cases(s, thorough)]

    return attrs.evolve(
        prop,
        examples=both_examples if examples is not None else None,
        holds=both_holds,
        cases=both_cases if cases is not None else None,
    )


def _settings(base: Settings | None) -> Settings:
    return Settings(
        base if base is not None else Settings(),
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def _replayed(prop: Property, subject: Subject, example: object) -> Violation:
    """The Violation for a failure that did not happen again when Hypothesis replayed it: each
    request of the example decided by the long-lived engine and by fresh copies, compared."""
    decisions: list[Decision] = []
    for request in example if isinstance(example, tuple | list) else [example]:
        if not isinstance(request, REQUEST_TYPES):  # a flag, an index: nothing to decide
            continue
        pair = [subject.engine.decide(request), subject.fresh().decide(request)]
        if pair[0] != pair[1]:
            decisions += pair
    problem = f"{prop.key} failed, then passed on the same example"
    return _stateful(subject, problem, example, decisions)


def verify(
    prop: Property,
    subject: Subject,
    settings: Settings | None = None,
    examples: Iterable[Any] = (),
    *,
    thorough: bool = False,
) -> None:
    """Check one property: every enumerated case, then Hypothesis examples; raises
    :class:`Violation` with the first failing case or the shrunk example.

    ``examples`` are checked first, every run (regressions, like ``@hypothesis.example``). A
    failure that does not reproduce when Hypothesis replays it is reported as a ``determinism``
    violation naming the plugins whose answers changed, not as a flaky test.
    """
    if prop.cases is not None:
        for case in prop.cases(subject, thorough):
            prop.holds(subject, case)
    if prop.examples is None:
        return
    chosen = _settings(settings)
    kinds: tuple[str | None, ...] = prop.kinds or (None,)
    for kind in kinds:
        strategy = prop.examples(subject) if kind is None else prop.examples(subject, kind)
        share = max(MIN_PER_KIND, chosen.max_examples // max(1, len(prop.kinds)))
        each = Settings(chosen, max_examples=share) if kind is not None else chosen
        _run(prop, subject, strategy, each, examples if kind == kinds[0] else (), kind)


MIN_PER_KIND: Final = 10
"""Examples of each kind of a property with kinds, at least."""


def _run(
    prop: Property,
    subject: Subject,
    strategy: st.SearchStrategy[Any],
    settings: Settings,
    examples: Iterable[Any],
    kind: str | None,
) -> None:
    failed: list[object] = []

    def conforms(example: Any) -> None:
        try:
            prop.holds(subject, example)
        except Exception:
            failed.append(example)
            raise

    # keep each property's (and kind's) examples apart in the Hypothesis database
    digest = f"{prop.key}:{kind or ''}".encode()
    conforms._hypothesis_internal_add_digest = digest  # type: ignore[attr-defined]
    test = given(strategy)(conforms)
    for known in examples:
        test = hypothesis.example(known)(test)
    try:
        settings(test)()
    except Flaky:
        raise _replayed(prop, subject, failed[0] if failed else None) from None


@attrs.frozen
class Result:
    """The outcome of one property: ``error`` is None when it holds."""

    prop: Property
    error: BaseException | None = None

    @property
    def passed(self) -> bool:
        """Whether the property holds."""
        return self.error is None

    @property
    def control(self) -> str:
        """The control the failure is reported under: the violation's, else the property's."""
        return self.error.control if isinstance(self.error, Violation) else self.prop.id

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        head = f"{verdict} {self.prop.key}: {self.prop.title}"
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
        """The controls failures are reported under, each once, in order."""
        return tuple(dict.fromkeys(r.control for r in self.results if not r.passed))

    def __str__(self) -> str:
        return "\n".join([repr(self.subject), *(str(r) for r in self.results)])


def all_properties(subject: Subject) -> tuple[Property, ...]:
    """The core's properties and those the plugins of ``subject`` declare, which a replacement
    plugin must keep (``agency_register_properties``); a key declared twice is refused."""
    declared = collect(
        subject.engine.plugin_manager,
        "agency_register_properties",
        Property,
        lambda prop: prop.key,
        what="conformance property",
        given={prop.key: Registration(prop, "agency_core") for prop in PROPERTIES},
    )
    return tuple(registration.item for registration in declared.values())


def check(
    plugins: Iterable[object] = (),
    policy: Policy | None = None,
    block: Iterable[str] = (),
    *,
    only: Iterable[str] | None = None,
    settings: Settings | None = None,
    profile: str = "default",
    properties: Sequence[Property] | None = None,
) -> Report:
    """Check ``plugins`` (composed with the bundled plugins not in ``block``) under ``policy``.

    :param only: property ids (``APR-01``) or families (``APR``) to check (all when None).
    :param settings: Hypothesis settings; when None, the profile's number of examples.
    :param profile: a key of :data:`PROFILES`.
    :param properties: the properties to check; by default the core's and those the plugins
        under test declare (``agency_register_properties``).
    """
    chosen = PROFILES[profile]
    settings = settings or Settings(max_examples=chosen.max_examples)
    subject = Subject(plugins, policy, block)
    if properties is None:
        properties = all_properties(subject)
    wanted = set(only) if only is not None else None
    results = []
    for prop in properties:
        if wanted is not None and not {prop.id, prop.id[:3]} & wanted:
            continue
        try:
            verify(prop, subject, settings, thorough=chosen.thorough)
        except Exception as exc:  # a Violation, or a plugin or Hypothesis error
            results.append(Result(prop, exc))
        else:
            results.append(Result(prop))
    return Report(subject, tuple(results))
