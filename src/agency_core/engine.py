"""The engine: composes the plugins, dispatches requests by kind, combines findings.

The fail-closed hook loop is in :mod:`agency_core.calls`, what plugins register in
:mod:`agency_core.kinds`, retention arithmetic in :mod:`agency_core.retention`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from agency_core import calls, retention
from agency_core.calendar import Deadline, Period
from agency_core.calls import ENGINE, Impl
from agency_core.decision import Decision, Finding, Route, Severity, Text
from agency_core.entities import ApprovalRequest, Record
from agency_core.entities._fields import frozen_map
from agency_core.errors import AgencyError, InvalidInput, PluginError
from agency_core.kinds import Kind, Registration, Section, collect
from agency_core.plugins import PluginInfo, make_manager, plugin_set_digest
from agency_core.policy import Policy, Retention, RetentionRule, default_policy
from agency_core.policy import load_policy as _load_policy
from agency_core.policy.sections import bind_sections
from agency_core.requests import (
    ChargeCheck,
    CollectionCheck,
    DestructionCheck,
    DisposalCheck,
    DutyCheck,
    InvoiceCheck,
    RecordCheck,
    RoleGrant,
    StepCheck,
)
from agency_core.step_batch import StepBatch, step_check, step_row
from agency_core.transitions import StateMachine, TransitionCheck

__all__ = ["ENGINE", "KINDS", "Engine", "Request"]

Request = (
    ApprovalRequest
    | ChargeCheck
    | InvoiceCheck
    | CollectionCheck
    | StepCheck
    | DutyCheck
    | RoleGrant
    | DisposalCheck
    | DestructionCheck
    | RecordCheck
    | TransitionCheck
)
"""Every request the core decides; plugins add kinds of their own (:class:`Kind`)."""

_CORE: Final = (
    Kind("approval", ApprovalRequest, "agency_check_approval", lambda r: r.requester),
    Kind("charge", ChargeCheck, "agency_check_charge"),
    Kind("invoice", InvoiceCheck, "agency_check_invoice"),
    Kind("collection", CollectionCheck, "agency_check_collection"),
    Kind("step", StepCheck, "agency_check_step", lambda r: r.actor.id),
    Kind("duty", DutyCheck, "agency_check_duty", lambda r: r.actor),
    Kind("role_grant", RoleGrant, "agency_check_role_grant", lambda r: r.employee.id),
    Kind("disposal", DisposalCheck, "agency_check_disposal"),
    Kind("destruction", DestructionCheck, "agency_check_destruction"),
    Kind("record", RecordCheck, "agency_check_record"),
    Kind("transition", TransitionCheck, "agency_check_transition", lambda r: r.actor.id),
)
KINDS: Final[Mapping[str, type]] = MappingProxyType({kind.name: kind.request for kind in _CORE})
"""The core's kinds of request, by the name used in JSON and in :attr:`Decision.kind`."""

_NO_ROUTE = Text(
    zh="审批矩阵中没有事项 {action}（部门 {department}）的审批路径",
    en="the approval matrix has no route for action {action} in department {department}",
)
_FOREIGN_ROUTE = Text(
    zh="{plugin} 为事项 {action} 给出了事项 {other} 的审批路径",
    en="{plugin} answered a route for {other} to a request for {action}",
)
_NOT_THE_ROUTE = Text(
    zh="申请 {request} 所附审批链（{given}）不是现行政策给出的审批链（{expected}）",
    en="the route given with request {request} ({given}) is not the route the policy in force "
    "gives it ({expected})",
)
_ROUTE_HOOK: Final = "agency_approval_route"
_STEP_HOOK: Final = "agency_check_step"
_RETENTION_HOOK: Final = "agency_retention_rule"
_ROUTE_CACHE: Final = 4096
"""How many distinct routes' decisions an engine keeps."""


_Form = tuple[Callable[..., Any], tuple[str, ...]]
"""A batch form of a hook: the function and the argument names it takes."""


def _call(form: _Form, kwargs: dict[str, Any]) -> Any:
    """Call a batch form with the arguments it takes, as the hook loop calls single forms."""
    function, argnames = form
    return function(**{name: kwargs[name] for name in argnames})


def _foreign(plugin: str, action: str, other: str) -> Finding:
    """The ENG-01 deny for a lookup that answered a route for another action."""
    facts = {"plugin": plugin, "action": action, "other": other}
    return Finding("ENG-01", Severity.DENY, _FOREIGN_ROUTE, facts, plugin)


def _names(route: Route | None) -> str:
    return " → ".join(route.roles) or "-" if route is not None else "-"


class Engine:
    """Decides requests under one policy with one composed set of plugins.

    :param policy: the compiled policy; the bundled default when None.
    :param plugins: plugin objects or modules to register after the bundled and installed ones.
    :param entry_points: load installed plugins (entry-point group ``agency_core``): None follows
        ``AGENCY_CORE_LOAD_PLUGINS`` (unset: all), True all, False none, or a list of names.
    :param block: plugin names never to register, e.g. ``"agency_core.builtin.fees"``.
    :param builtins: register the bundled plugins (those not blocked).

    An engine is immutable: to change plugins or policy, build another. Every decision names the
    policy (version, sha256) and the plugin set (:attr:`plugins_sha256`) that made it.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        plugins: Iterable[object] = (),
        entry_points: bool | Iterable[str] | None = None,
        block: Iterable[str] = (),
        builtins: bool = True,
    ) -> None:
        manager = make_manager(
            builtins=builtins, entry_points=entry_points, plugins=plugins, block=block
        )
        self.plugin_manager: Final = manager
        self.plugins: Final[tuple[PluginInfo, ...]] = tuple(
            manager.infos[name] for name in sorted(manager.infos)
        )
        self.plugins_sha256: Final = plugin_set_digest(self.plugins)
        given = {kind.name: Registration(kind, "agency_core") for kind in _CORE}
        self.kinds: Final = collect(
            manager, "agency_register_kinds", Kind, lambda k: k.name, what="kind", given=given
        )
        self.machines: Final = collect(
            manager,
            "agency_register_machines",
            StateMachine,
            lambda m: m.subject,
            what="state machine",
        )
        self.sections: Final[Mapping[str, Registration[Section]]] = collect(
            manager, "agency_register_policy", Section, lambda s: s.name, what="policy section"
        )
        base = policy if policy is not None else default_policy()
        self.policy: Final = bind_sections(base, self.sections)
        self._impls: dict[str, tuple[Impl, ...]] = {
            name: calls.implementations(manager, name)
            for name in vars(manager.hook)
            if name.startswith("agency_")
        }
        self._batch_steps: Final = self._batch_forms("agency_check_steps", _STEP_HOOK)
        self._batch_routes: Final = self._batch_forms("agency_approval_routes", _ROUTE_HOOK)
        self._by_route: dict[tuple[int, str], tuple[Route, Decision]] = {}
        self._allowed: dict[str, Decision] = {}
        from agency_core.builtin.approvals import agency_approval_route as bundled

        routes = self._impls[_ROUTE_HOOK]
        self._pure_route: Final = len(routes) == 1 and routes[0][1] is bundled
        self._last_routed: tuple[ApprovalRequest, tuple[Route | None, str, Finding | None]] | None
        self._last_routed = None
        self._deciders: dict[type, Callable[[Any], Decision]] = {
            ApprovalRequest: self.route_approval,
            DisposalCheck: self.check_disposal,
            DestructionCheck: self.check_destruction,
            StepCheck: self.check_step,
            TransitionCheck: self.check_transition,
        }
        for name, registration in self.kinds.items():
            kind = registration.item
            if registration.plugin != "agency_core":
                self._check_hook(kind)
                if kind.request in KINDS.values():
                    raise PluginError(f"kind {name}: {kind.request.__name__} already has a kind")
            self._deciders.setdefault(kind.request, partial(self._check, kind))
        self._kind_of = {reg.item.request: name for name, reg in self.kinds.items()}

    def _batch_forms(self, batch: str, single: str) -> dict[str, _Form]:
        """The implementations of hook ``batch`` by plugin; each plugin must implement
        ``single`` too, since the batch form may only answer what the single form does."""
        forms = {plugin: (function, names) for plugin, function, names in self._impls[batch]}
        lone = sorted(forms.keys() - {plugin for plugin, _f, _n in self._impls[single]})
        if lone:
            raise PluginError(
                f"{', '.join(lone)} implement {batch} without {single}: "
                "the batch form answers only what the single form does"
            )
        return forms

    @classmethod
    def from_policy(cls, path: str | Path | None = None, **options: Any) -> Engine:
        """An engine for the policy file at ``path`` (the bundled default when None)."""
        return cls(_load_policy(path) if path is not None else None, **options)

    def _check_hook(self, kind: Kind) -> None:
        caller = getattr(self.plugin_manager.hook, kind.hook, None)
        spec = caller.spec if caller is not None else None
        if spec is None:
            raise PluginError(f"kind {kind.name}: no hook spec {kind.hook}; add it in addhooks")
        if "check" not in spec.argnames or not set(spec.argnames) <= {"check", "policy"}:
            raise PluginError(f"kind {kind.name}: {kind.hook} must take (check, policy)")

    def actor_of(self, request: object) -> str | None:
        """The person a request is about (the actor of a step, the requester...), for the log."""
        name = self._kind_of.get(type(request))
        actor = self.kinds[name].item.actor if name is not None else None
        return actor(request) if actor is not None else None

    # -- deciding ---------------------------------------------------------------------------------

    def _decided(
        self, request: object, findings: list[Finding], route: Route | None = None
    ) -> Decision:
        decision = self._decision(self._kind_of[type(request)], findings, route)
        observers = self._impls["agency_decision_made"]
        if not observers:
            return decision
        return calls.announce(observers, request, decision, Decision.vetoed)

    def _decision(self, kind: str, findings: list[Finding], route: Route | None = None) -> Decision:
        if not findings and route is None:  # nothing said: one shared allow per kind
            allowed = self._allowed.get(kind)
            if allowed is None:
                allowed = self._allowed[kind] = Decision.combine(
                    kind,
                    (),
                    policy_version=self.policy.version,
                    policy_sha256=self.policy.sha256,
                    plugins_sha256=self.plugins_sha256,
                )
            return allowed
        return Decision.combine(
            kind,
            findings,
            policy_version=self.policy.version,
            policy_sha256=self.policy.sha256,
            plugins_sha256=self.plugins_sha256,
            route=route,
        )

    def _announce(self, request: object, decision: Decision) -> Decision:
        observers = self._impls["agency_decision_made"]
        if not observers:
            return decision
        return calls.announce(observers, request, decision, Decision.vetoed)

    def _collect(self, hook: str, **kwargs: Any) -> list[Finding]:
        return calls.collect(self._impls[hook], hook, kwargs)

    def decide(self, request: object) -> Decision:
        """Decide any request of a registered kind; dispatches on its type."""
        decider = self._deciders.get(type(request))
        if decider is None:
            raise InvalidInput(
                f"cannot decide a {type(request).__name__}; expected one of "
                f"{', '.join(sorted(cls.__name__ for cls in self._deciders))}"
            )
        return decider(request)

    def decide_many(self, requests: Iterable[object]) -> list[Decision]:
        """Decide many requests; the same decisions, in the same order, as :meth:`decide`.

        Approval requests take a batch path: the route lookup's implementation is resolved once
        and decisions are shared between requests that get the same route object.
        """
        requests = list(requests)
        decisions: list[Decision | None] = [None] * len(requests)
        approvals = [i for i, r in enumerate(requests) if type(r) is ApprovalRequest]
        routed = self._route_many([requests[i] for i in approvals])  # type: ignore[misc]
        for index, decision in zip(approvals, routed, strict=True):
            decisions[index] = decision
        for index, request in enumerate(requests):
            if decisions[index] is None:
                decisions[index] = self.decide(request)
        return decisions  # type: ignore[return-value]

    def _check(self, kind: Kind, check: object) -> Decision:
        return self._decided(check, self._collect(kind.hook, check=check, policy=self.policy))

    # -- routes (APR-01, APR-02, APR-08) --------------------------------------------------------

    def _route(self, request: ApprovalRequest) -> tuple[Route | None, str, Finding | None]:
        """The route the lookups give ``request``, checked to be for its action.

        When the bundled lookup is the only one, its answer depends on the request and the policy
        alone: the last request routed keeps its answer, so a host that routes a request and then
        checks a step of it pays for one lookup.
        """
        last = self._last_routed
        if last is not None and last[0] is request:
            return last[1]
        found = self._lookup_route(request)
        if self._pure_route:
            self._last_routed = (request, found)
        return found

    def _lookup_route(self, request: ApprovalRequest) -> tuple[Route | None, str, Finding | None]:
        route, plugin, failure = calls.lookup(
            self._impls[_ROUTE_HOOK],
            _ROUTE_HOOK,
            Route,
            {"request": request, "policy": self.policy},
        )
        if route is not None and route.action != request.action:
            return None, plugin, _foreign(plugin, request.action, route.action)
        return route, plugin, failure

    def route_approval(self, request: ApprovalRequest) -> Decision:
        """Route an approval request (APR-01, APR-02, APR-08): needs approval with the route."""
        route, plugin, failure = self._route(request)
        return self._route_decision(request, route, plugin, failure)

    def _route_decision(
        self, request: ApprovalRequest, route: Route | None, plugin: str, failure: Finding | None
    ) -> Decision:
        if failure is not None:
            return self._decided(request, [failure])
        if route is None:
            facts = {"action": request.action, "department": request.department}
            return self._decided(
                request, [Finding("APR-01", Severity.DENY, _NO_ROUTE, facts, ENGINE)]
            )
        if self._impls["agency_check_approval"]:
            try:
                own = [calls.checked(finding, plugin) for finding in route.findings]
            except TypeError as exc:
                return self._decided(request, [calls.failure(plugin, _ROUTE_HOOK, exc)])
            checked = self._collect(
                "agency_check_approval", request=request, route=route, policy=self.policy
            )
            return self._decided(request, own + checked, route)
        # The decision depends on the route alone: lookups that return the same Route object
        # (the bundled one builds each tier's route once) share one Decision.
        key = (id(route), plugin)
        cached = self._by_route.get(key)
        if cached is None or cached[0] is not route:
            try:
                own = [calls.checked(finding, plugin) for finding in route.findings]
            except TypeError as exc:
                return self._decided(request, [calls.failure(plugin, _ROUTE_HOOK, exc)])
            if len(self._by_route) >= _ROUTE_CACHE:
                self._by_route.clear()
            decision = Decision.combine(
                "approval",
                own,
                policy_version=self.policy.version,
                policy_sha256=self.policy.sha256,
                plugins_sha256=self.plugins_sha256,
                route=route,
            )
            cached = self._by_route[key] = (route, decision)
        return self._announce(request, cached[1])

    def _route_many(self, requests: list[ApprovalRequest]) -> list[Decision]:
        """:meth:`route_approval` for many requests, calling a lone lookup directly."""
        impls = self._impls[_ROUTE_HOOK]
        if len(impls) != 1 or self._impls["agency_check_approval"]:
            return [self.route_approval(request) for request in requests]
        ((plugin, function, argnames),) = impls
        policy = self.policy
        call = _positional(function, argnames, policy)
        by_route, observed = self._by_route, bool(self._impls["agency_decision_made"])
        decisions = []
        for request in requests:
            try:
                route = call(request)
            except Exception as exc:
                failure = calls.failure(plugin, _ROUTE_HOOK, exc)
                decisions.append(self._decided(request, [failure]))
                continue
            hit = by_route.get((id(route), plugin))
            if hit is not None and hit[0] is route and route.action == request.action:
                decisions.append(self._announce(request, hit[1]) if observed else hit[1])
            else:
                decisions.append(self.route_approval(request))
        return decisions

    # -- checks -----------------------------------------------------------------------------------

    def check_charge(self, check: ChargeCheck) -> Decision:
        """May this charge be billed? (FEE-01..04, FEE-06, FEE-08)."""
        return self.decide(check)

    def check_invoice(self, check: InvoiceCheck) -> Decision:
        """May this invoice be issued? (FEE-05, FEE-08)."""
        return self.decide(check)

    def check_collection(self, check: CollectionCheck) -> Decision:
        """May payment be collected? (FEE-07)."""
        return self.decide(check)

    def check_step(self, check: StepCheck) -> Decision:
        """May this person take this approval step? (APR-01, APR-04..07, SOD-01, SOD-04).

        The route in ``check`` must be the one the policy in force gives its request: a route
        a caller forged, or kept from an older policy, is denied (APR-01).
        """
        route, _plugin, failure = self._route(check.request)
        if failure is not None:
            return self._decided(check, [failure])
        if route is None or route.steps != check.route.steps or route.action != check.route.action:
            facts = {
                "request": check.request.id,
                "given": _names(check.route),
                "expected": _names(route),
            }
            return self._decided(
                check, [Finding("APR-01", Severity.DENY, _NOT_THE_ROUTE, facts, ENGINE)]
            )
        return self._decided(check, self._collect(_STEP_HOOK, check=check, policy=self.policy))

    def check_step_row(
        self,
        *,
        request_id: str,
        action: str,
        amount: Decimal | int | str,
        department: str,
        requester: str,
        actor: str,
        actor_department: str,
        actor_roles: Iterable[str],
        approved: Iterable[tuple[str, datetime]] = (),
        at: datetime,
        currency: str = "CNY",
    ) -> Decision:
        """One step question in plain values: may ``actor`` approve the next step of the request?

        The arguments are one row of a :class:`~agency_core.StepBatch`, and mean what its columns
        mean; the decision is the one :meth:`check_steps` gives that row. The values are validated
        once, with the entities' rules (:class:`~agency_core.InvalidInput` or
        :class:`~agency_core.MoneyError` naming the argument), and the step check is built from
        them without validating them again. Steps with a rejection, a delegate or a reason are
        asked with :meth:`check_step`.
        """
        request, asked = step_row(
            request_id,
            action,
            amount,
            department,
            requester,
            actor,
            actor_department,
            actor_roles,
            approved,
            at,
            currency,
        )
        route, plugin, failure = self._lookup_route(request)
        if route is None:
            return self._route_decision(request, None, plugin, failure)
        check = step_check(request, route, asked)
        kwargs = {"check": check, "policy": self.policy}
        return self._decided(check, calls.collect(self._impls[_STEP_HOOK], _STEP_HOOK, kwargs))

    def check_steps(self, steps: StepBatch) -> list[Decision]:
        """Decide every row of a :class:`~agency_core.StepBatch`, in order.

        Row ``i`` gets the decision :meth:`check_step` gives ``steps.check(i, route)``, where
        ``route`` is the route the policy in force gives ``steps.request(i)``; a row whose request
        gets no route is answered as :meth:`route_approval` answers it (a denial: APR-01, or
        ENG-01 naming the lookup that failed). Plugins that implement the batch forms
        (``agency_approval_routes``, ``agency_check_steps``) answer for every row at once; the
        others, and any whose batch answer fails, are asked row by row.
        """
        if not isinstance(steps, StepBatch):
            raise InvalidInput(f"check_steps takes a StepBatch, not {type(steps).__name__}")
        rows, policy = len(steps), self.policy
        requests: list[ApprovalRequest | None] = [None] * rows
        routes, failures = self._routes_of(steps, requests)
        unrouted = [row for row, route in enumerate(routes) if route is None]
        routed = tuple(routes)
        found: dict[int, list[Finding]] = {}  # only rows with findings: most rows have none
        checks: list[StepCheck | None] = []
        for impl in self._impls[_STEP_HOOK]:
            answered = self._batch_findings(impl[0], steps, routed)
            if answered is None:
                if not checks:
                    checks = [self._step_check(steps, row, routed, requests) for row in range(rows)]
                answered = [
                    (row, finding)
                    for row, check in enumerate(checks)
                    if check is not None
                    for finding in calls.collect(
                        (impl,), _STEP_HOOK, {"check": check, "policy": policy}
                    )
                ]
            for row, finding in answered:
                if row in found:
                    found[row].append(finding)
                else:
                    found[row] = [finding]
        allowed = self._decision("step", [])
        decisions = [allowed] * rows
        for row, findings in found.items():
            decisions[row] = self._decision("step", findings)
        observed = bool(self._impls["agency_decision_made"])
        for row in range(rows) if observed else unrouted:  # observers are told in row order
            if routed[row] is None:  # answered as its request is: a failure, or no route
                request = requests[row] or steps.request(row)
                failure = failures.get(row)
                decisions[row] = (
                    self._decided(request, [failure])
                    if failure is not None
                    else self.route_approval(request)
                )
            else:
                check = checks[row] if checks else self._step_check(steps, row, routed, requests)
                decisions[row] = self._announce(check, decisions[row])
        return decisions

    def _routes_of(
        self, steps: StepBatch, requests: list[ApprovalRequest | None]
    ) -> tuple[list[Route | None], dict[int, Finding]]:
        """Each row's route as the lookups give it, in their order, and the ENG-01 failure of
        each row whose lookup raised or answered a route for another action. A lookup with a
        batch form answers every row still open at once; the others are asked row by row."""
        routes: list[Route | None] = [None] * len(steps)
        failures: dict[int, Finding] = {}
        waiting = list(range(len(steps)))
        for impl in self._impls[_ROUTE_HOOK]:
            if not waiting:
                break
            plugin = impl[0]
            answers = self._batch_routes_of(plugin, steps)
            still = []
            for row in waiting:
                if answers is not None:
                    route = answers[row]
                else:
                    request = requests[row] = requests[row] or steps.request(row)
                    kwargs = {"request": request, "policy": self.policy}
                    route, _plugin, failure = calls.lookup((impl,), _ROUTE_HOOK, Route, kwargs)
                    if failure is not None:
                        failures[row] = failure
                        continue
                if route is None:
                    still.append(row)
                elif route.action == steps.action[row]:
                    routes[row] = route
                else:
                    failures[row] = _foreign(plugin, steps.action[row], route.action)
            waiting = still
        return routes, failures

    def _batch_routes_of(self, plugin: str, steps: StepBatch) -> tuple[Route | None, ...] | None:
        """A lookup's batch answer, one route or None per row; None when the plugin has no batch
        form or its answer failed (then it is asked row by row)."""
        form = self._batch_routes.get(plugin)
        if form is None:
            return None
        try:
            result = _call(form, {"steps": steps, "policy": self.policy})
            answers = (None,) * len(steps) if result is None else tuple(result)
        except Exception:
            return None
        if len(answers) != len(steps) or not all(
            a is None or isinstance(a, Route) for a in answers
        ):
            return None
        return answers

    @staticmethod
    def _step_check(
        steps: StepBatch,
        row: int,
        routes: tuple[Route | None, ...],
        requests: list[ApprovalRequest | None],
    ) -> StepCheck | None:
        route = routes[row]
        return steps.check(row, route, requests[row]) if route is not None else None

    def _batch_findings(
        self, plugin: str, steps: StepBatch, routes: tuple[Route | None, ...]
    ) -> list[tuple[int, Finding]] | None:
        """The plugin's ``agency_check_steps`` findings, checked; None when it has no batch form
        or its answer failed (then it is asked row by row, failing closed per row)."""
        form = self._batch_steps.get(plugin)
        if form is None:
            return None
        try:
            result = _call(form, {"steps": steps, "routes": routes, "policy": self.policy})
            answered = []
            for row, finding in result or ():
                if type(row) is not int or not 0 <= row < len(routes) or routes[row] is None:
                    return None
                answered.append((row, calls.checked(finding, plugin)))
        except Exception:
            return None
        return answered

    def check_duty(self, check: DutyCheck) -> Decision:
        """May this person perform this duty on this subject? (SOD-03)."""
        return self.decide(check)

    def check_role_grant(self, check: RoleGrant) -> Decision:
        """May this employee be given this role? (SOD-02)."""
        return self.decide(check)

    def check_disposal(self, check: DisposalCheck) -> Decision:
        """May this record be destroyed on this date? (RET-01..03, RET-06)."""
        kept, failures = self._retention(check.record)
        findings = self._collect(
            "agency_check_disposal", check=check, retention=kept, policy=self.policy
        )
        return self._decided(check, failures + findings)

    def check_destruction(self, check: DestructionCheck) -> Decision:
        """Does this destruction list follow the procedure? (RET-04)."""
        failures: list[Finding] = []
        kept: dict[str, Retention] = {}
        for record in check.records:
            kept[record.number], failed = self._retention(record)
            failures += failed
        findings = self._collect(
            "agency_check_destruction",
            check=check,
            retention=frozen_map(kept),
            policy=self.policy,
        )
        return self._decided(check, failures + findings)

    def check_record(self, check: RecordCheck) -> Decision:
        """Is this record numbered, lent and backed up as the rules say? (RET-05..07)."""
        return self.decide(check)

    def check_transition(self, check: TransitionCheck) -> Decision:
        """May this subject move to this state? The machine's plugins' guards decide.

        A subject kind nobody registered, or a transition its machine does not know, is
        :class:`InvalidInput` naming the states it allows.
        """
        registration = self.machines.get(check.subject_kind)
        if registration is None:
            known = ", ".join(sorted(self.machines)) or "none"
            raise InvalidInput(
                f"no state machine for {check.subject_kind!r} (registered: {known})",
                path="$.subject_kind",
            )
        machine = registration.item
        check.validate(machine)
        findings = self._collect(
            "agency_check_transition", check=check, machine=machine, policy=self.policy
        )
        return self._decided(check, findings)

    # -- retention and deadlines ------------------------------------------------------------------

    def retention(self, record: Record) -> Retention:
        """When ``record`` may be destroyed (RET-01, RET-02); PluginError if a lookup fails."""
        kept, failures = self._retention(record)
        if failures:
            raise PluginError(failures[0].message())
        return kept

    def _retention(self, record: Record) -> tuple[Retention, list[Finding]]:
        impls, policy = self._impls[_RETENTION_HOOK], self.policy

        def rule_of(record_class: str) -> tuple[RetentionRule | None, str, Finding | None]:
            kwargs = {"record_class": record_class, "policy": policy}
            return calls.lookup(impls, _RETENTION_HOOK, RetentionRule, kwargs)

        return retention.resolve(record, policy, rule_of)

    def deadline(self, start: datetime, period: Period) -> Deadline:
        """When a period that an event at ``start`` starts ends (``agency_deadline``).

        :class:`~agency_core.errors.CalendarError` when the calendar does not know a year the
        period touches; :class:`PluginError` when no plugin answers or one fails.
        """
        found: Deadline | None = self.lookup(
            "agency_deadline", Deadline, start=start, period=period, policy=self.policy
        )
        if found is None:
            raise PluginError("no plugin answers agency_deadline; is a deadline plugin blocked?")
        return found

    def lookup(self, hook: str, kind: type[Any], **kwargs: Any) -> Any:
        """The first answer of lookup ``hook`` (a plugin's own firstresult hook, say), called with
        ``kwargs``.

        A plugin that raises an agency error passes it on; any other failure is a
        :class:`PluginError` naming the plugin; no answer at all is None.
        """
        for plugin, function, argnames in self._impls[hook]:
            try:
                result = function(**{name: kwargs[name] for name in argnames})
            except AgencyError:
                raise
            except Exception as exc:
                raise PluginError(f"plugin {plugin!r} failed in {hook}: {exc}") from exc
            if result is not None:
                if not isinstance(result, kind):
                    raise PluginError(f"plugin {plugin!r} answered {hook} with {result!r}")
                return result
        return None


def _positional(
    function: Callable[..., Any], argnames: tuple[str, ...], policy: Policy
) -> Callable[[ApprovalRequest], Any]:
    """``function`` as a one-argument call on the request, its other argument bound."""
    if argnames == ("request", "policy"):
        return lambda request: function(request, policy)
    if argnames == ("request",):
        return function
    return lambda request: function(
        **{name: {"request": request, "policy": policy}[name] for name in argnames}
    )
