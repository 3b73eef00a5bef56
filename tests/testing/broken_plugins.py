"""Deliberately broken plugins: the conformance suite must catch each under the right control.

Each carries one realistic bug of the kind a firm's developer makes when copying a bundled
plugin. Most wrap the bundled hook and feed it (or its answer) through the bug, so the bug is the
only difference; the docstring names the bug as it would be written in a copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final

import attrs

from agency_core import (
    ChargeCheck,
    CollectionCheck,
    DestructionCheck,
    DisposalCheck,
    DutyCheck,
    Finding,
    InvoiceCheck,
    Policy,
    RecordCheck,
    RoleGrant,
    Route,
    RouteStep,
    Severity,
    StepCheck,
    hookimpl,
)
from agency_core.builtin import approvals, fees, retention, segregation
from agency_core.entities import CURRENCIES, ApprovalRequest, Money, Scope, Verdict
from agency_core.policy import Retention, RetentionRule, add_years

SEGREGATION = "agency_core.builtin.segregation"
APPROVALS = "agency_core.builtin.approvals"
FEES = "agency_core.builtin.fees"
RETENTION = "agency_core.builtin.retention"
DAY = timedelta(days=1)


def _unit(currency: str) -> Money:
    return Money(Decimal(1).scaleb(-CURRENCIES[currency]), currency)


# --- FEE: copies of agency_core.builtin.fees (block FEES) ---------------------------------------


class _Fees:
    """The bundled fee checks, unchanged; each subclass brings one bug."""

    __name__ = "broken.fees"

    def charge(self, check: ChargeCheck) -> ChargeCheck:
        return check

    def findings(self, check: object, found: Iterable[Finding]) -> Iterator[Finding]:
        yield from found

    @hookimpl
    def agency_check_charge(self, check: ChargeCheck, policy: Policy) -> Iterator[Finding]:
        found = fees.agency_check_charge(check=self.charge(check), policy=policy)
        return self.findings(check, found)

    @hookimpl
    def agency_check_invoice(self, check: InvoiceCheck, policy: Policy) -> Iterator[Finding]:
        return self.findings(check, fees.agency_check_invoice(check=check, policy=policy))

    @hookimpl
    def agency_check_collection(self, check: CollectionCheck, policy: Policy) -> Iterator[Finding]:
        return self.findings(check, fees.agency_check_collection(check=check, policy=policy))


class FeeComparedInWholeUnits(_Fees):
    """FEE-01: ``int(charge.amount.amount) != int(agreed.amount)``: a charge off by fen passes."""

    __name__ = "broken.fee_whole_units"

    def findings(self, check: object, found: Iterable[Finding]) -> Iterator[Finding]:
        for finding in found:
            if isinstance(check, ChargeCheck) and finding.control == "FEE-01":
                agreed = check.contract.fees.get(check.charge.item)
                if agreed is not None and int(agreed.amount) == int(check.charge.amount.amount):
                    continue
            yield finding


class ScheduleLastDayInclusive(_Fees):
    """FEE-02: ``effective_from <= day <= effective_to``: a schedule one day too long."""

    __name__ = "broken.schedule_inclusive"

    def charge(self, check: ChargeCheck) -> ChargeCheck:
        longer = [
            attrs.evolve(s, effective_to=s.effective_to + DAY) if s.effective_to else s
            for s in check.schedules
        ]
        return attrs.evolve(check, schedules=longer)


class PriceComparedInWholeUnits(_Fees):
    """FEE-03: ``int(agreed.amount) > int(price.amount)``: a fee above the price by fen passes."""

    __name__ = "broken.price_whole_units"

    def findings(self, check: object, found: Iterable[Finding]) -> Iterator[Finding]:
        for finding in found:
            if isinstance(check, ChargeCheck) and finding.control == "FEE-03":
                agreed = check.contract.fees[check.charge.item]
                item = check.schedules[0].item(check.charge.item)
                if item is not None and int(agreed.amount) == int(item.price.amount):
                    continue
            yield finding


class DisclosureWallClock(_Fees):
    """FEE-04: ``disclosed_at.replace(tzinfo=None) > signed_at.replace(tzinfo=None)``: wall
    clocks compared, offsets ignored."""

    __name__ = "broken.disclosure_wall_clock"

    def charge(self, check: ChargeCheck) -> ChargeCheck:
        contract = check.contract
        if contract.disclosed_at is None:
            return check
        same_zone = contract.disclosed_at.replace(tzinfo=contract.signed_at.tzinfo)
        return attrs.evolve(check, contract=attrs.evolve(contract, disclosed_at=same_zone))


class SecondInvoiceAllowed(_Fees):
    """FEE-05: the check forgets ``check.invoiced``: a charge may be invoiced twice."""

    __name__ = "broken.second_invoice"

    @hookimpl
    def agency_check_invoice(self, check: InvoiceCheck, policy: Policy) -> Iterator[Finding]:
        return fees.agency_check_invoice(
            check=attrs.evolve(check, invoiced=frozenset()), policy=policy
        )


class CurrencyIgnored(_Fees):
    """FEE-06: ``charge.amount.amount != agreed.amount``: the currency is never compared."""

    __name__ = "broken.currency_ignored"

    def charge(self, check: ChargeCheck) -> ChargeCheck:
        agreed = check.contract.fees.get(check.charge.item)
        if agreed is None:
            return check
        same = Money(check.charge.amount.amount, agreed.currency)
        return attrs.evolve(check, charge=attrs.evolve(check.charge, amount=same))


class StatementSameDay(_Fees):
    """FEE-07: ``statement.issued_at.date() > collected_at.date()``: issued later that day
    passes."""

    __name__ = "broken.statement_same_day"

    @hookimpl
    def agency_check_collection(self, check: CollectionCheck, policy: Policy) -> Iterator[Finding]:
        statement = check.statement
        if statement is not None and statement.issued_at.date() == check.collected_at.date():
            statement = attrs.evolve(statement, issued_at=check.collected_at)
            check = attrs.evolve(check, statement=statement)
        return fees.agency_check_collection(check=check, policy=policy)


class InvoiceMarkUnchecked(_Fees):
    """FEE-08: the third-party mark is checked on the charge only, not on invoice lines."""

    __name__ = "broken.invoice_mark"

    def findings(self, check: object, found: Iterable[Finding]) -> Iterator[Finding]:
        for finding in found:
            if not (isinstance(check, InvoiceCheck) and finding.control == "FEE-08"):
                yield finding


# --- APR: routes (tryfirst lookups) and copies of the step check (block APPROVALS) ---------------


class TierBoundExclusive:
    """APR-01: ``bisect_right`` for inclusive bounds: an amount on a bound goes up a tier."""

    __name__ = "broken.tier_bound"

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        matrix = policy.matrix(request.action, request.department)
        amount = request.amount
        on_bound = amount.currency == policy.currency and amount.amount in (
            matrix.bounds if matrix else ()
        )
        if matrix and matrix.control == "APR-01" and matrix.inclusive and on_bound:
            request = attrs.evolve(request, amount=amount + _unit(amount.currency))
        return approvals.agency_approval_route(request=request, policy=policy)


class DisbursementBoundInclusive:
    """APR-02: "at or above 100,000" read as "above": 100,000.00 stays in the lower tier."""

    __name__ = "broken.disbursement_bound"

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        matrix = policy.matrix(request.action, request.department)
        amount = request.amount
        on_bound = amount.currency == policy.currency and amount.amount in (
            matrix.bounds if matrix else ()
        )
        if matrix and matrix.control == "APR-02" and on_bound:
            request = attrs.evolve(request, amount=amount - _unit(amount.currency))
        return approvals.agency_approval_route(request=request, policy=policy)


class FewerApprovals:
    """APR-03: routes above 100,000 to the department head alone: fewer approvals for more."""

    __name__ = "broken.fewer_approvals"

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        if request.amount.amount > 100_000:
            return Route(request.action, [RouteStep("dept_head", Scope.DEPARTMENT)])
        return None


class LowerApprovals:
    """Above 100,000 every approver after the first is the deputy of the role the tiers name: as
    many approvals as before, but of lower rank (APR-03 judges by rank, not by count)."""

    __name__ = "broken.lower_approvals"
    DEPUTY: Final = MappingProxyType(
        {"finance_manager": "deputy_finance_manager", "general_manager": "deputy_general_manager"}
    )

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        matrix = policy.matrix(request.action, request.department)
        if matrix is None or request.amount.amount <= 100_000:
            return None
        steps = matrix.routes[matrix.tier(request.amount.amount)]
        return Route(request.action, [RouteStep(self.DEPUTY.get(s.role, s.role)) for s in steps])


class PromotedApprovals:
    """Above 100,000 the department head's step goes to the management committee: a higher rank
    in place of a lower one keeps APR-03 although the role names differ."""

    __name__ = "promoted_approvals"

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        matrix = policy.matrix(request.action, request.department)
        if matrix is None or request.amount.amount <= 100_000 or request.budget_remaining:
            return None  # over a budget, the bundled route adds the adjustment's approvers
        roles = [s.role for s in matrix.routes[matrix.tier(request.amount.amount)]]
        promoted = ["management_committee", *(r for r in roles if r != "dept_head")]
        return Route(request.action, [RouteStep(r) for r in dict.fromkeys(promoted)])


class _Steps:
    """The bundled step check, fed through one bug."""

    __name__ = "broken.steps"

    def step(self, check: StepCheck) -> StepCheck:
        return check

    @hookimpl
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        return approvals.agency_approval_route(request=request, policy=policy)

    @hookimpl
    def agency_check_step(self, check: StepCheck, policy: Policy) -> Iterator[Finding]:
        return approvals.agency_check_step(check=self.step(check), policy=policy)


class DepartmentScopeIgnored(_Steps):
    """APR-04: ``step.role in holder.roles`` only: a department head approves for any
    department."""

    __name__ = "broken.scope_ignored"

    def step(self, check: StepCheck) -> StepCheck:
        here = check.request.department
        principal = check.principal and attrs.evolve(check.principal, department=here)
        actor = attrs.evolve(check.actor, department=here)
        return attrs.evolve(check, actor=actor, principal=principal)


class ReasonNeedsWords:
    """APR-05: "a written reason" read as at least two words: a Chinese reason is refused."""

    __name__ = "broken.reason_words"

    @hookimpl
    def agency_check_step(self, check: StepCheck, policy: Policy) -> Iterator[Finding]:
        if check.action.verdict is Verdict.REJECT and len(check.action.reason.split()) < 2:
            facts = {"step": check.action.step, "problem": "no reason", "problem_zh": "未说明原因"}
            yield Finding("APR-05", Severity.DENY, approvals.ORDER, facts)


class DelegationOneDayTooLong(_Steps):
    """APR-06: ``starts <= at <= ends + timedelta(days=1)``: a delegation valid a day too long."""

    __name__ = "broken.delegation_day"

    def step(self, check: StepCheck) -> StepCheck:
        longer = [attrs.evolve(d, ends=d.ends + DAY) for d in check.delegations]
        return attrs.evolve(check, delegations=longer)


class RejectionCountedAsDone(_Steps):
    """APR-07: ``done = {h.step for h in history}``: a rejected step counts as taken."""

    __name__ = "broken.rejection_done"

    def step(self, check: StepCheck) -> StepCheck:
        history = [attrs.evolve(h, verdict=Verdict.APPROVE) for h in check.history]
        return attrs.evolve(check, history=history)


class BudgetEdgeOver:
    """APR-08: ``amount >= budget``: spending exactly the budget left needs an adjustment."""

    __name__ = "broken.budget_edge"

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        budget = request.budget_remaining
        if budget is not None and budget == request.amount and budget.amount > 0:
            less = budget - _unit(budget.currency)
            request = attrs.evolve(request, budget_remaining=less)
        return approvals.agency_approval_route(request=request, policy=policy)


# --- SOD: copies of agency_core.builtin.segregation (block SEGREGATION) -------------------------


class _Segregation:
    __name__ = "broken.segregation"

    @hookimpl
    def agency_check_step(self, check: StepCheck, policy: Policy) -> Iterator[Finding]:
        return segregation.agency_check_step(check=check, policy=policy)

    @hookimpl
    def agency_check_duty(self, check: DutyCheck, policy: Policy) -> Iterator[Finding]:
        return segregation.agency_check_duty(check=check, policy=policy)

    @hookimpl
    def agency_check_role_grant(self, check: RoleGrant, policy: Policy) -> Iterator[Finding]:
        return segregation.agency_check_role_grant(check=check, policy=policy)


class SelfApproval(_Segregation):
    """SOD-01: the self-approval test is forgotten."""

    __name__ = "broken.self_approval"

    @hookimpl
    def agency_check_step(self, check: StepCheck, policy: Policy) -> Iterator[Finding]:
        for finding in segregation.agency_check_step(check=check, policy=policy):
            if finding.control != "SOD-01":
                yield finding


class CardinalityReadAsTwo(_Segregation):
    """SOD-02: ``len(held) >= 2`` whatever the set's cardinality."""

    __name__ = "broken.cardinality_two"

    @hookimpl
    def agency_check_role_grant(self, check: RoleGrant, policy: Policy) -> Iterator[Finding]:
        pairs = tuple(attrs.evolve(c, cardinality=2) for c in policy.static_conflicts)
        return segregation.agency_check_role_grant(
            check=check, policy=attrs.evolve(policy, static_conflicts=pairs)
        )


class DutiesOneWay(_Segregation):
    """SOD-03: conflicts kept as ordered pairs: ``pay`` after ``approve_payment`` is caught,
    ``approve_payment`` after ``pay`` is not."""

    __name__ = "broken.duties_one_way"

    @hookimpl
    def agency_check_duty(self, check: DutyCheck, policy: Policy) -> Iterator[Finding]:
        for finding in segregation.agency_check_duty(check=check, policy=policy):
            if str(finding.facts["done"]) < check.duty:
                yield finding


class DeputyStepsNotCounted(_Segregation):
    """SOD-04: ``people & {taken.actor}``: a step a deputy took for someone is not theirs."""

    __name__ = "broken.deputy_steps"

    @hookimpl
    def agency_check_step(self, check: StepCheck, policy: Policy) -> Iterator[Finding]:
        history = [attrs.evolve(h, on_behalf_of=None) for h in check.history]
        return segregation.agency_check_step(
            check=attrs.evolve(check, history=history), policy=policy
        )


# --- RET: copies of agency_core.builtin.retention (block RETENTION) -----------------------------


class _Retention:
    __name__ = "broken.retention"

    def kept(self, check: DisposalCheck, kept: Retention) -> tuple[DisposalCheck, Retention]:
        return check, kept

    @hookimpl(trylast=True)
    def agency_retention_rule(self, record_class: str, policy: Policy) -> RetentionRule | None:
        return retention.agency_retention_rule(record_class=record_class, policy=policy)

    @hookimpl
    def agency_check_disposal(
        self, check: DisposalCheck, retention: Retention, policy: Policy
    ) -> Iterator[Finding]:
        check, retention = self.kept(check, retention)
        return _bundled_disposal(check, retention, policy)

    @hookimpl
    def agency_check_destruction(
        self, check: DestructionCheck, retention: dict[str, Retention], policy: Policy
    ) -> Iterator[Finding]:
        return _bundled_destruction(check, retention, policy)

    @hookimpl
    def agency_check_record(self, check: RecordCheck, policy: Policy) -> Iterator[Finding]:
        return _bundled_record(check, policy)


def _bundled_disposal(check: DisposalCheck, kept: Retention, policy: Policy) -> Iterator[Finding]:
    return retention.agency_check_disposal(check=check, retention=kept, policy=policy)


def _bundled_destruction(
    check: DestructionCheck, kept: dict[str, Retention], policy: Policy
) -> Iterator[Finding]:
    return retention.agency_check_destruction(check=check, retention=kept, policy=policy)


def _bundled_record(check: RecordCheck, policy: Policy) -> Iterator[Finding]:
    return retention.agency_check_record(check=check, policy=policy)


class ShortRetention:
    """RET-01: keeps every finite-period record class for 3 years: below the statutory minimum."""

    __name__ = "broken.short_retention"

    @hookimpl(tryfirst=True)
    def agency_retention_rule(self, record_class: str, policy: Policy) -> RetentionRule | None:
        rule = policy.retention.get(record_class)
        if rule is None or rule.years is None:
            return None
        return RetentionRule(record_class, 3, rule.basis)


class UnknownClassIgnored(_Retention):
    """RET-01: ``if retention.permanent: ... elif retention.due and on < due``: a record of a
    class nobody knows has no due date, so nothing stops its destruction."""

    __name__ = "broken.unknown_class"

    def kept(self, check: DisposalCheck, kept: Retention) -> tuple[DisposalCheck, Retention]:
        return check, attrs.evolve(kept, unknown=())


class CountedFromClosingDay(_Retention):
    """RET-02: ``due = add_years(record.closed_on + 1 day, years)``: counted from the day the
    record closed, not from the end of its fiscal year."""

    __name__ = "broken.closing_day"

    def kept(self, check: DisposalCheck, kept: Retention) -> tuple[DisposalCheck, Retention]:
        if kept.due is None or kept.years is None:
            return check, kept
        due = add_years(check.record.closed_on + DAY, kept.years)
        return check, attrs.evolve(kept, due=due)


class HoldFromNextDay(_Retention):
    """RET-03: ``hold.placed_on < on``: a hold binds only from the day after it is placed."""

    __name__ = "broken.hold_next_day"

    def kept(self, check: DisposalCheck, kept: Retention) -> tuple[DisposalCheck, Retention]:
        holds = [attrs.evolve(h, placed_on=h.placed_on + DAY) for h in check.record.holds]
        return attrs.evolve(check, record=attrs.evolve(check.record, holds=holds)), kept


class SupervisorDepartmentsUnchecked(_Retention):
    """RET-04: counts the supervisors but never looks at their departments."""

    __name__ = "broken.supervisor_departments"

    @hookimpl
    def agency_check_destruction(
        self, check: DestructionCheck, retention: dict[str, Retention], policy: Policy
    ) -> Iterator[Finding]:
        lax = attrs.evolve(policy.destruction, supervisor_departments=())
        return _bundled_destruction(check, retention, attrs.evolve(policy, destruction=lax))


class PrefixOnly(_Retention):
    """RET-05: ``number.startswith(prefix)``: the rest of the number is never checked."""

    __name__ = "broken.prefix_only"

    @hookimpl
    def agency_check_record(self, check: RecordCheck, policy: Policy) -> Iterator[Finding]:
        prefixes = tuple(f"{policy.prefixes[c]}-" for c in check.record.classes)
        for finding in _bundled_record(check, policy):
            if finding.control != "RET-05" or not check.record.number.startswith(prefixes):
                yield finding


class OverdueLoanNotOut(_Retention):
    """RET-06: ``lent_on <= on <= due_on``: an overdue loan no longer counts as out."""

    __name__ = "broken.overdue_loan"

    def kept(self, check: DisposalCheck, kept: Retention) -> tuple[DisposalCheck, Retention]:
        loans = [
            attrs.evolve(loan, returned_on=loan.due_on + DAY)
            if loan.returned_on is None or loan.returned_on > loan.due_on + DAY
            else loan
            for loan in check.record.loans
        ]
        return attrs.evolve(check, record=attrs.evolve(check.record, loans=loans)), kept


class OriginalCountsAsBackup(_Retention):
    """RET-07: ``record.backups + 1 < min_backups``: the original is counted as a copy."""

    __name__ = "broken.original_backup"

    @hookimpl
    def agency_check_record(self, check: RecordCheck, policy: Policy) -> Iterator[Finding]:
        record = attrs.evolve(check.record, backups=check.record.backups + 1)
        return _bundled_record(attrs.evolve(check, record=record), policy)


# --- The engine contract ------------------------------------------------------------------------


class Crashing:
    """A fee check with a bug: it looks up the item in a table that lacks most items."""

    __name__ = "broken.crashing"

    @hookimpl
    def agency_check_charge(self, check: ChargeCheck, policy: Policy) -> list[Finding]:
        surcharges = {"registration": 0}
        surcharges[check.charge.item]  # KeyError for every other item
        return []


class RouteCache:
    """Keeps state: caches the route per action and department, whatever the amount."""

    __name__ = "broken.route_cache"

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], Route | None] = {}

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        key = (request.action, request.department)
        if key not in self.cache:
            self.cache[key] = approvals.agency_approval_route(request=request, policy=policy)
        return self.cache[key]


class WrongOnce:
    """Keeps state: a call counter; its third route is one step short, every other is right."""

    __name__ = "broken.wrong_once"

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        self.calls += 1
        route = approvals.agency_approval_route(request=request, policy=policy)
        if self.calls == 3 and route is not None:
            return Route(route.action, route.steps[:-1])
        return route


class StampsToday:
    """Reads the clock: stamps the route's findings with today's date "for the audit trail", so
    the same request decided on another day gives another decision."""

    __name__ = "broken.stamps_today"

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        route = approvals.agency_approval_route(request=request, policy=policy)
        if route is None:
            return None
        today = date.today().isoformat()
        stamped = [attrs.evolve(f, facts={**f.facts, "as_of": today}) for f in route.findings]
        return attrs.evolve(route, findings=stamped)
