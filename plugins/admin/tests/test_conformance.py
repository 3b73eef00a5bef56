"""The admin plugin keeps its conformance properties, and each catches a broken copy of it.

Every broken variant is the plugin with one bug a firm's developer makes when copying it; it
wraps the bundled hook and feeds it (or its request) through the bug, so the bug is the only
difference. The kit must report each under exactly its control ID, at the default profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import agency_admin.plugin
import attrs
import pytest
from agency_admin import Act, AdminAct, AdminPolicy, PurchasePayment, SealReturn, SealUse
from agency_admin.conformance import PROPERTIES
from agency_admin.store import (
    SWEEPS,
    AcceptanceLineRow,
    AcceptanceRow,
    AssetRow,
    ContractLineRow,
    StocktakeRow,
    extension,
)
from sqlalchemy import and_, func, select
from sqlalchemy.sql import Select

from agency_core import Finding, Policy, hookimpl
from agency_core.kinds import Kind, Registrar, Section
from agency_core.plugins import HookRegistry
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.extension import StoreExtension
from agency_core.testing import conformance
from agency_core.testing.conformance import VERDICT
from agency_core.transitions import StateMachine, TransitionCheck

PLUGIN = agency_admin.plugin


def _spec(policy: Policy) -> AdminPolicy:
    return policy.section("admin", AdminPolicy)


class _Admin:
    """The bundled admin plugin, unchanged; each subclass brings one bug."""

    __name__ = "firm_admin"

    @hookimpl
    def agency_addhooks(self, pluginmanager: HookRegistry) -> None:
        PLUGIN.agency_addhooks(pluginmanager=pluginmanager)

    @hookimpl
    def agency_register_kinds(self, register: Registrar[Kind]) -> None:
        PLUGIN.agency_register_kinds(register=register)

    @hookimpl
    def agency_register_machines(self, register: Registrar[StateMachine]) -> None:
        PLUGIN.agency_register_machines(register=register)

    @hookimpl
    def agency_register_policy(self, register: Registrar[Section]) -> None:
        PLUGIN.agency_register_policy(register=register)

    @hookimpl
    def agency_register_store(self, register: Registrar[StoreExtension]) -> None:
        register(attrs.evolve(extension(), sweeps=tuple(self.sweep(s) for s in SWEEPS)))

    def sweep(self, sweep: Sweep) -> Sweep:
        return sweep

    def seal_use(self, check: SealUse, policy: Policy) -> SealUse:
        return check

    def act(self, check: AdminAct, policy: Policy) -> AdminAct:
        return check

    def payment(self, check: PurchasePayment, policy: Policy) -> PurchasePayment:
        return check

    def transition(self, check: TransitionCheck, policy: Policy) -> TransitionCheck | None:
        return check

    @hookimpl
    def agency_check_seal_use(self, check: SealUse, policy: Policy) -> Iterator[Finding]:
        return PLUGIN.agency_check_seal_use(check=self.seal_use(check, policy), policy=policy)

    @hookimpl
    def agency_check_admin_act(self, check: AdminAct, policy: Policy) -> Iterator[Finding]:
        return PLUGIN.agency_check_admin_act(check=self.act(check, policy), policy=policy)

    @hookimpl
    def agency_check_purchase_payment(
        self, check: PurchasePayment, policy: Policy
    ) -> Iterator[Finding]:
        return PLUGIN.agency_check_purchase_payment(
            check=self.payment(check, policy), policy=policy
        )

    @hookimpl
    def agency_check_transition(self, check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
        seen = self.transition(check, policy)
        return PLUGIN.agency_check_transition(check=seen, policy=policy) if seen else iter(())


class ForgetsTheRequester(_Admin):
    """ADM-01: ``_approval(..., app.department)`` without ``app.user``: someone else's approved
    application of the same department lets the user seal."""

    def seal_use(self, check: SealUse, policy: Policy) -> SealUse:
        if check.approval is None:
            return check
        approval = attrs.evolve(check.approval, requester=check.application.user)
        return attrs.evolve(check, approval=approval)


class HardCodedSealAction(_Admin):
    """ADM-01: the copy compares the approval's action with ``"seal_use"`` instead of the
    section's ``seal_action``: a firm that names its action otherwise seals on any approval
    called seal_use, and on none of its own."""

    def seal_use(self, check: SealUse, policy: Policy) -> SealUse:
        approval, named = check.approval, _spec(policy).seal_action
        if approval is None or named == "seal_use":
            return check
        if approval.action == "seal_use":
            return attrs.evolve(check, approval=attrs.evolve(approval, action=named))
        if approval.action == named:
            return attrs.evolve(check, approval=attrs.evolve(approval, action=f"not {named}"))
        return check


class BlankOnlyInUse(_Admin):
    """ADM-02: ``if check.document.blank``: the blank form the application names is sealed
    when the user brings a filled-in copy of it."""

    def seal_use(self, check: SealUse, policy: Policy) -> SealUse:
        app = check.application
        document = attrs.evolve(app.document, blank=False)
        return attrs.evolve(check, application=attrs.evolve(app, document=document))


class PendingRequisition(_Admin):
    """ADM-03: ``status != "rejected"`` for supplies: a requisition still pending issues them."""

    def act(self, check: AdminAct, policy: Policy) -> AdminAct:
        approval = check.approval
        if check.act is Act.SUPPLIES_ISSUE and approval and approval.status == "pending":
            return attrs.evolve(check, approval=attrs.evolve(approval, status="approved"))
        return check


class ScrapsOnARepairApproval(_Admin):
    """ADM-04: the scrapping branch copied from the repair one keeps ``spec.repair_action``:
    an approved repair lets the equipment be scrapped."""

    def act(self, check: AdminAct, policy: Policy) -> AdminAct:
        spec, approval = _spec(policy), check.approval
        if check.act is Act.EQUIPMENT_SCRAPPING and approval:
            if approval.action == spec.repair_action:  # the copied line: repair, not scrapping
                approval = attrs.evolve(approval, action=spec.scrapping_action)
            return attrs.evolve(check, approval=approval)
        return check


class DoneOnlyGuardedFromInProgress(_Admin):
    """ADM-05: the outcome guard reads ``from_state == "in_progress"``: a resolution that goes
    straight from ``assigned`` to ``done`` needs no outcome."""

    def transition(self, check: TransitionCheck, policy: Policy) -> TransitionCheck | None:
        if check.subject_kind == "resolution" and check.from_state == "assigned":
            return None
        return check


class AcceptedWheneverAccepted(_Admin):
    """ADM-06: the acceptances are summed without ``acceptance.at <= payment.at``: goods
    accepted after the payment make it one paid after acceptance."""

    def payment(self, check: PurchasePayment, policy: Policy) -> PurchasePayment:
        acceptances = tuple(attrs.evolve(a, at=min(a.at, check.at)) for a in check.acceptances)
        return attrs.evolve(check, acceptances=acceptances)


class CurrencyIgnored(_Admin):
    """ADM-06: amounts compared as numbers: 100 USD is paid on a contract priced in CNY as if
    it were 100 CNY."""

    def payment(self, check: PurchasePayment, policy: Policy) -> PurchasePayment:
        currency = check.contract.lines[0].unit_price.currency
        before = check.paid_before
        return attrs.evolve(
            check,
            amount=attrs.evolve(check.amount, currency=currency),
            paid_before=attrs.evolve(before, currency=currency) if before else None,
        )


class AnyPurchaseApproval(_Admin):
    """ADM-07: registration checks the approval's action and status but not its id: the
    approved purchase of another asset registers this one."""

    def act(self, check: AdminAct, policy: Policy) -> AdminAct:
        if check.act is Act.ASSET_REGISTRATION and check.approval is not None:
            approval = attrs.evolve(check.approval, id=check.application)
            return attrs.evolve(check, approval=approval)
        return check


def _counted_within(opts: AuditOptions) -> Select[Any]:
    """``counted_on > since``, ``acquired_on <= since``: an asset counted exactly the interval
    ago is reported on the last day it may still be counted."""
    since = opts.on - timedelta(days=_spec(opts.policy).stocktake_interval_days)
    counted = select(StocktakeRow.id).where(
        StocktakeRow.asset_number == AssetRow.number, StocktakeRow.counted_on > since
    )
    return select(AssetRow.number.label("id")).where(
        AssetRow.disposed_on.is_(None), AssetRow.acquired_on <= since, ~counted.exists()
    )


class StocktakeDueADayEarly(_Admin):
    """ADM-07: the stocktake sweep compares with ``>`` where the deadline is inclusive."""

    def sweep(self, sweep: Sweep) -> Sweep:
        if "stocktaken" in sweep.title:
            return attrs.evolve(sweep, query=_counted_within)
        return sweep


def _cut_at_utc_midnight(opts: AuditOptions) -> Select[Any]:
    """The registration deadline cut at midnight UTC: goods accepted before 08:00 in Shanghai
    are due a day early."""
    days = _spec(opts.policy).asset_register_days
    cutoff = datetime.combine(opts.on - timedelta(days=days), time.min, tzinfo=UTC)
    accepted = (
        select(
            AcceptanceRow.contract_id.label("contract"),
            func.sum(AcceptanceLineRow.quantity).label("n"),
        )
        .join(AcceptanceLineRow, AcceptanceLineRow.acceptance_id == AcceptanceRow.id)
        .join(
            ContractLineRow,
            and_(
                ContractLineRow.contract_id == AcceptanceRow.contract_id,
                ContractLineRow.item == AcceptanceLineRow.item,
            ),
        )
        .where(
            AcceptanceRow.passed.is_(True),
            ContractLineRow.fixed_asset.is_(True),
            AcceptanceRow.accepted_at < cutoff,
        )
        .group_by(AcceptanceRow.contract_id)
        .subquery()
    )
    registered = (
        select(func.count())
        .select_from(AssetRow)
        .where(AssetRow.contract_id == accepted.c.contract)
        .scalar_subquery()
    )
    return select(accepted.c.contract.label("id")).where(registered < accepted.c.n)


class RegistrationDeadlineInUtc(_Admin):
    """ADM-07: the registration sweep cuts the day at midnight UTC, not the firm's midnight."""

    def sweep(self, sweep: Sweep) -> Sweep:
        if "not registered" in sweep.title:
            return attrs.evolve(sweep, query=_cut_at_utc_midnight)
        return sweep


def _counted_within_a_year(opts: AuditOptions) -> Select[Any]:
    """The stocktake sweep with the bundled 365 days written in, not the section's interval."""
    since = opts.on - timedelta(days=365)
    counted = select(StocktakeRow.id).where(
        StocktakeRow.asset_number == AssetRow.number, StocktakeRow.counted_on >= since
    )
    return select(AssetRow.number.label("id")).where(
        AssetRow.disposed_on.is_(None), AssetRow.acquired_on < since, ~counted.exists()
    )


class HardCodedStocktakeInterval(_Admin):
    """ADM-07: ``timedelta(days=365)`` in the stocktake sweep: a firm counting every half year
    is held to a year."""

    def sweep(self, sweep: Sweep) -> Sweep:
        if "stocktaken" in sweep.title:
            return attrs.evolve(sweep, query=_counted_within_a_year)
        return sweep


class CustodyByDirectRolesOnly(_Admin):
    """ADM-08: ``spec.custodian_role in custodian.roles`` instead of the effective roles: a
    supervisor whose role inherits custody may not hand out the seal he keeps."""

    def seal_use(self, check: SealUse, policy: Policy) -> SealUse:
        role, custodian = _spec(policy).custodian_role, check.custodian
        if role not in custodian.roles and role in policy.effective_roles(custodian.roles):
            nobody = attrs.evolve(custodian, roles=frozenset())
            return attrs.evolve(check, custodian=nobody)
        return check


class AnyCustodianReceives(_Admin):
    """ADM-08: the return checks that the receiver holds the custodian role, not that they are
    this seal's custodian: any custodian logs any seal back."""

    def transition(self, check: TransitionCheck, policy: Policy) -> TransitionCheck | None:
        if check.subject_kind == "seal_use" and _spec(policy).custodian_role in check.actor.roles:
            return attrs.evolve(check, data=SealReturn(check.actor.id))
        return check


BROKEN = [
    ("ADM-01", ForgetsTheRequester()),
    ("ADM-01", HardCodedSealAction()),
    ("ADM-02", BlankOnlyInUse()),
    ("ADM-03", PendingRequisition()),
    ("ADM-04", ScrapsOnARepairApproval()),
    ("ADM-05", DoneOnlyGuardedFromInProgress()),
    ("ADM-06", AcceptedWheneverAccepted()),
    ("ADM-06", CurrencyIgnored()),
    ("ADM-07", AnyPurchaseApproval()),
    ("ADM-07", StocktakeDueADayEarly()),
    ("ADM-07", RegistrationDeadlineInUtc()),
    ("ADM-07", HardCodedStocktakeInterval()),
    ("ADM-08", AnyCustodianReceives()),
    ("ADM-08", CustodyByDirectRolesOnly()),
]


def test_the_plugin_declares_a_property_for_every_control_and_keeps_them() -> None:
    report = conformance.check([PLUGIN], settings=VERDICT, only=["ADM"])
    assert {r.prop.id for r in report.results} == {f"ADM-0{n}" for n in range(1, 9)}
    assert report.ok, str(report)


def test_the_unchanged_copy_keeps_every_property() -> None:
    report = conformance.check([_Admin()], properties=PROPERTIES, settings=VERDICT)
    assert report.ok, str(report)


def test_every_control_has_a_broken_variant() -> None:
    assert {control for control, _plugin in BROKEN} == {p.id for p in PROPERTIES}


@pytest.mark.parametrize(
    ("control", "plugin"), BROKEN, ids=[f"{c}-{type(p).__name__}" for c, p in BROKEN]
)
def test_a_broken_copy_is_caught_under_its_control(control: str, plugin: _Admin) -> None:
    report = conformance.check([plugin], properties=PROPERTIES, only=[control], settings=VERDICT)
    assert report.failed == (control,), str(report)
