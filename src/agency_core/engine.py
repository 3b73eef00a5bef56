"""The engine: asks the plugins, combines their findings into a :class:`Decision`.

Every hook is called with keyword arguments. Implementations are called one at a time, in pluggy's
order, so that a plugin that raises is named in the decision (fail closed) and the others still
speak. Wrappers around agency hooks are refused: observe decisions with ``agency_decision_made``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final, TypeVar

import pluggy

from agency_core.checks import (
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
from agency_core.decision import Decision, Finding, Route, Severity, Text
from agency_core.entities import ApprovalRequest, Record
from agency_core.errors import InvalidInput, PluginError
from agency_core.plugins import make_manager
from agency_core.policy import (
    Policy,
    Retention,
    RetentionRule,
    add_years,
    default_policy,
    statutory_minimums,
)
from agency_core.policy import load_policy as _load_policy

__all__ = ["ENGINE", "KINDS", "Engine", "Request"]

ENGINE: Final = "agency_core.engine"
"""The name findings of the engine itself carry."""

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
)
"""Everything the engine decides."""

KINDS: Final[dict[str, type[Request]]] = {
    "approval": ApprovalRequest,
    "charge": ChargeCheck,
    "invoice": InvoiceCheck,
    "collection": CollectionCheck,
    "step": StepCheck,
    "duty": DutyCheck,
    "role_grant": RoleGrant,
    "disposal": DisposalCheck,
    "destruction": DestructionCheck,
    "record": RecordCheck,
}
"""The kinds of request, by the name used in JSON and in :attr:`Decision.kind`."""

_KIND_OF: Final = {cls: kind for kind, cls in KINDS.items()}

_FAILED = Text(
    zh="插件 {plugin} 在 {hook} 中出错（{error}），按失败即拒绝处理",
    en="plugin {plugin} failed in {hook} ({error}); denied, failing closed",
)
_NO_ROUTE = Text(
    zh="审批矩阵中没有事项 {action}（部门 {department}）的审批路径",
    en="the approval matrix has no route for action {action} in department {department}",
)

_Impl = tuple[str, Callable[..., Any], tuple[str, ...]]
_ROUTE_HOOK: Final = "agency_approval_route"
_RETENTION_HOOK: Final = "agency_retention_rule"
_ROUTE_CACHE: Final = 4096
"""How many distinct routes' decisions an engine keeps."""
_T = TypeVar("_T")


def _failure(plugin: str, hook: str, error: BaseException | str) -> Finding:
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    facts = {"plugin": plugin, "hook": hook, "error": detail}
    return Finding("ENG-01", Severity.DENY, _FAILED, facts, plugin)


def _check_facts(finding: Finding) -> None:
    for name, value in finding.facts.items():
        if value is not None and type(value) not in (str, int, bool):
            raise TypeError(f"fact {name}={value!r} of {finding.control} is not a JSON scalar")


def _route_findings(route: Route, plugin: str) -> list[Finding]:
    for finding in route.findings:
        _check_facts(finding)
    return [_stamped(f, plugin) for f in route.findings]


def _stamped(finding: Finding, plugin: str) -> Finding:
    if finding.plugin == plugin:
        return finding
    return Finding(finding.control, finding.severity, finding.text, finding.facts, plugin)


class Engine:
    """Decides requests under one policy with one composed set of plugins.

    :param policy: the compiled policy; the bundled default when None.
    :param plugins: plugin objects or modules to register after the bundled ones.
    :param entry_points: also load the plugins installed under the ``agency_core`` entry points.
    :param block: plugin names never to register, e.g. ``"agency_core.builtin.fees"``.
    :param builtins: register the bundled plugins (those not blocked).

    An engine is immutable: to change plugins or policy, build another.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        plugins: Iterable[object] = (),
        entry_points: bool = False,
        block: Iterable[str] = (),
        builtins: bool = True,
    ) -> None:
        self.policy: Final = policy if policy is not None else default_policy()
        self.plugin_manager: Final = make_manager(
            builtins=builtins, entry_points=entry_points, plugins=plugins, block=block
        )
        self._impls = {name: self._hookimpls(name) for name in _hook_names(self.plugin_manager)}
        self._by_route: dict[tuple[int, str], tuple[Route, Decision]] = {}
        self._deciders: dict[type, Callable[[Any], Decision]] = {
            ApprovalRequest: self.route_approval,
            ChargeCheck: self.check_charge,
            InvoiceCheck: self.check_invoice,
            CollectionCheck: self.check_collection,
            StepCheck: self.check_step,
            DutyCheck: self.check_duty,
            RoleGrant: self.check_role_grant,
            DisposalCheck: self.check_disposal,
            DestructionCheck: self.check_destruction,
            RecordCheck: self.check_record,
        }

    @classmethod
    def from_policy(cls, path: str | Path | None = None, **options: Any) -> Engine:
        """An engine for the policy file at ``path`` (the bundled default when None)."""
        return cls(_load_policy(path) if path is not None else None, **options)

    def _hookimpls(self, name: str) -> tuple[_Impl, ...]:
        caller = getattr(self.plugin_manager.hook, name)
        impls = []
        for impl in reversed(caller.get_hookimpls()):  # pluggy's call order
            if impl.hookwrapper or impl.wrapper:
                raise PluginError(
                    f"plugin {impl.plugin_name!r} wraps {name}: agency hooks take no wrappers; "
                    "observe decisions with agency_decision_made"
                )
            impls.append((impl.plugin_name, impl.function, tuple(impl.argnames)))
        return tuple(impls)

    # -- calling hooks ------------------------------------------------------------------------

    def _collect(self, hook: str, **kwargs: Any) -> list[Finding]:
        """Every implementation's findings; a raising implementation adds a deny naming it."""
        findings: list[Finding] = []
        for plugin, function, argnames in self._impls[hook]:
            try:
                result = function(**{name: kwargs[name] for name in argnames})
                if result is None:
                    continue
                for finding in result:
                    if not isinstance(finding, Finding):
                        raise TypeError(f"returned {finding!r}, not a Finding")
                    _check_facts(finding)
                    findings.append(_stamped(finding, plugin))
            except Exception as exc:
                findings.append(_failure(plugin, hook, exc))
        return findings

    def _lookup(
        self, hook: str, kind: type[_T], **kwargs: Any
    ) -> tuple[_T | None, str, Finding | None]:
        """The first non-None answer and who gave it, or the failure of the plugin that raised."""
        for plugin, function, argnames in self._impls[hook]:
            try:
                result = function(**{name: kwargs[name] for name in argnames})
            except Exception as exc:
                return None, plugin, _failure(plugin, hook, exc)
            if result is not None:
                if not isinstance(result, kind):
                    bad = f"returned {result!r}, not a {kind.__name__}"
                    return None, plugin, _failure(plugin, hook, bad)
                return result, plugin, None
        return None, ENGINE, None

    def _decided(
        self, request: Request, findings: list[Finding], route: Route | None = None
    ) -> Decision:
        policy = self.policy
        decision = Decision.combine(
            _KIND_OF[type(request)],
            findings,
            policy_version=policy.version,
            policy_sha256=policy.sha256,
            route=route,
        )
        return self._announce(request, decision)

    def _announce(self, request: Request, decision: Decision) -> Decision:
        """Tell the observers; one that raises turns the decision into a deny naming it."""
        observers = self._impls["agency_decision_made"]
        kwargs = {"request": request, "decision": decision} if observers else {}
        for plugin, function, argnames in observers:
            try:
                function(**{name: kwargs[name] for name in argnames})
            except Exception as exc:
                failure = _failure(plugin, "agency_decision_made", exc)
                return Decision.combine(
                    decision.kind,
                    [*decision.findings, failure],
                    policy_version=decision.policy_version,
                    policy_sha256=decision.policy_sha256,
                    route=decision.route,
                )
        return decision

    # -- deciding ---------------------------------------------------------------------------------

    def decide(self, request: Request) -> Decision:
        """Decide any request; dispatches on its type."""
        decider = self._deciders.get(type(request))
        if decider is None:
            raise InvalidInput(
                f"cannot decide a {type(request).__name__}; expected one of "
                f"{', '.join(cls.__name__ for cls in self._deciders)}"
            )
        return decider(request)

    def decide_many(self, requests: Iterable[Request]) -> list[Decision]:
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
        deciders = self._deciders
        for index, request in enumerate(requests):
            if decisions[index] is None:
                decider = deciders.get(type(request))
                decisions[index] = decider(request) if decider else self.decide(request)
        return decisions  # type: ignore[return-value]

    def route_approval(self, request: ApprovalRequest) -> Decision:
        """Route an approval request (APR-01, APR-02, APR-08): needs approval with the route."""
        route, plugin, failure = self._lookup(
            "agency_approval_route", Route, request=request, policy=self.policy
        )
        return self._route_decision(request, route, plugin, failure)

    def _route_decision(
        self, request: ApprovalRequest, route: Route | None, plugin: str, failure: Finding | None
    ) -> Decision:
        policy = self.policy
        if failure is not None:
            return self._decided(request, [failure])
        if route is None:
            facts = {"action": request.action, "department": request.department}
            return self._decided(
                request, [Finding("APR-01", Severity.DENY, _NO_ROUTE, facts, ENGINE)]
            )
        checked = (
            self._collect("agency_check_approval", request=request, route=route, policy=policy)
            if self._impls["agency_check_approval"]
            else None
        )
        if checked:
            try:
                findings = _route_findings(route, plugin) + checked
            except TypeError as exc:
                return self._decided(request, [_failure(plugin, _ROUTE_HOOK, exc)])
            return self._decided(request, findings, route)
        # The decision depends on the route alone: lookups that return the same Route object
        # (the bundled one builds each tier's route once) share one Decision.
        key = (id(route), plugin)
        cached = self._by_route.get(key)
        if cached is None or cached[0] is not route:
            try:
                findings = _route_findings(route, plugin)
            except TypeError as exc:
                return self._decided(request, [_failure(plugin, _ROUTE_HOOK, exc)])
            if len(self._by_route) >= _ROUTE_CACHE:
                self._by_route.clear()
            decision = Decision.combine(
                "approval",
                findings,
                policy_version=policy.version,
                policy_sha256=policy.sha256,
                route=route,
            )
            cached = self._by_route[key] = (route, decision)
        return self._announce(request, cached[1])

    def _route_many(self, requests: list[ApprovalRequest]) -> list[Decision]:
        """:meth:`route_approval` for many requests, calling a lone lookup directly."""
        impls = self._impls["agency_approval_route"]
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
                decisions.append(self._decided(request, [_failure(plugin, _ROUTE_HOOK, exc)]))
                continue
            hit = by_route.get((id(route), plugin))
            if hit is not None and hit[0] is route:
                decisions.append(self._announce(request, hit[1]) if observed else hit[1])
            elif route is None or isinstance(route, Route):
                decisions.append(self._route_decision(request, route, plugin, None))
            else:
                bad = _failure(plugin, _ROUTE_HOOK, f"returned {route!r}, not a Route")
                decisions.append(self._decided(request, [bad]))
        return decisions

    def check_charge(self, check: ChargeCheck) -> Decision:
        """May this charge be billed? (FEE-01..04, FEE-06, FEE-08)."""
        return self._decided(
            check, self._collect("agency_check_charge", check=check, policy=self.policy)
        )

    def check_invoice(self, check: InvoiceCheck) -> Decision:
        """May this invoice be issued? (FEE-05, FEE-08)."""
        return self._decided(
            check, self._collect("agency_check_invoice", check=check, policy=self.policy)
        )

    def check_collection(self, check: CollectionCheck) -> Decision:
        """May payment be collected? (FEE-07)."""
        return self._decided(
            check, self._collect("agency_check_collection", check=check, policy=self.policy)
        )

    def check_step(self, check: StepCheck) -> Decision:
        """May this person take this approval step? (APR-04..07, SOD-01, SOD-04)."""
        return self._decided(
            check, self._collect("agency_check_step", check=check, policy=self.policy)
        )

    def check_duty(self, check: DutyCheck) -> Decision:
        """May this person perform this duty on this subject? (SOD-03)."""
        return self._decided(
            check, self._collect("agency_check_duty", check=check, policy=self.policy)
        )

    def check_role_grant(self, check: RoleGrant) -> Decision:
        """May this employee be given this role? (SOD-02)."""
        return self._decided(
            check, self._collect("agency_check_role_grant", check=check, policy=self.policy)
        )

    def check_disposal(self, check: DisposalCheck) -> Decision:
        """May this record be destroyed on this date? (RET-01..03, RET-06)."""
        retention, failures = self._retention(check.record)
        findings = self._collect(
            "agency_check_disposal", check=check, retention=retention, policy=self.policy
        )
        return self._decided(check, failures + findings)

    def check_destruction(self, check: DestructionCheck) -> Decision:
        """Does this destruction list follow the procedure? (RET-04)."""
        failures: list[Finding] = []
        retention: dict[str, Retention] = {}
        for record in check.records:
            retention[record.number], failed = self._retention(record)
            failures += failed
        findings = self._collect(
            "agency_check_destruction", check=check, retention=retention, policy=self.policy
        )
        return self._decided(check, failures + findings)

    def check_record(self, check: RecordCheck) -> Decision:
        """Is this record numbered, lent and backed up as the rules say? (RET-05..07)."""
        return self._decided(
            check, self._collect("agency_check_record", check=check, policy=self.policy)
        )

    # -- retention --------------------------------------------------------------------------------

    def retention(self, record: Record) -> Retention:
        """When ``record`` may be destroyed (RET-01, RET-02); PluginError if a lookup fails."""
        retention, failures = self._retention(record)
        if failures:
            raise PluginError(failures[0].message())
        return retention

    def _retention(self, record: Record) -> tuple[Retention, list[Finding]]:
        """The record's retention from the lookups; a rule below the law fails closed (RET-01)."""
        policy = self.policy
        failures: list[Finding] = []
        unknown: list[str] = []
        waiting: list[str] = []
        permanent: str | None = None
        latest: tuple[date, str, int] | None = None
        for record_class in sorted(record.classes):
            rule, plugin, failure = self._lookup(
                "agency_retention_rule", RetentionRule, record_class=record_class, policy=policy
            )
            if failure is None and rule is not None and _below_law(rule):
                failure = _failure(
                    plugin, _RETENTION_HOOK, f"{rule} is below the statutory minimum"
                )
                rule = None
            if failure is not None:
                failures.append(failure)
            if rule is None:
                unknown.append(record_class)
            elif rule.years is None:
                permanent = permanent or record_class
            else:
                start = policy.retention_start(rule, record)
                if start is None:
                    waiting.append(record_class)
                else:
                    due = add_years(start, rule.years)
                    if latest is None or due > latest[0]:
                        latest = (due, record_class, rule.years)
        if permanent is not None:
            retention = Retention(
                record.number, None, True, permanent, None, tuple(unknown), tuple(waiting)
            )
        elif unknown or waiting or latest is None:
            retention = Retention(
                record.number, None, False, None, None, tuple(unknown), tuple(waiting)
            )
        else:
            due, decided_by, years = latest
            retention = Retention(record.number, due, False, decided_by, years)
        return retention, failures


def _below_law(rule: RetentionRule) -> bool:
    minimum = statutory_minimums().get(rule.record_class)
    if minimum is None:
        return False
    if minimum.years is None:
        return rule.years is not None
    return rule.years is not None and rule.years < minimum.years


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


def _hook_names(manager: pluggy.PluginManager) -> Sequence[str]:
    return [name for name in vars(manager.hook) if name.startswith("agency_")]
