"""The legal properties bite: the plugin keeps them all, and each broken copy is caught under the
control it breaks (LEG-01, LEG-02), at the kit's default profile."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import agency_legal.plugin as plugin
import attrs
import pytest
from agency_legal import rules
from agency_legal.conformance import PROPERTIES
from agency_legal.entities import ContractSigning, LegalReview, Verdict
from agency_legal.store import EXTENSION, SWEEPS, MatterRecordRow, MatterRow
from sqlalchemy import and_, exists, literal, or_, select, union_all
from sqlalchemy.sql import Select

from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Registrar
from agency_core.policy import Policy
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.extension import StoreExtension
from agency_core.store.models import HoldRow
from agency_core.testing import conformance


def variant(name: str, **hooks: Callable[..., Any]) -> types.SimpleNamespace:
    """A copy of the legal plugin with the hooks ``hooks`` replaced by broken ones."""
    copy = types.SimpleNamespace(__name__=f"broken_legal[{name}]")
    for attr in dir(plugin):
        if attr.startswith("agency_"):
            setattr(copy, attr, getattr(plugin, attr))
    for attr, function in hooks.items():
        setattr(copy, attr, hookimpl(function))
    return copy


def run(plugins: list[object], only: list[str] | None = None) -> conformance.Report:
    return conformance.check(plugins, only=only, properties=PROPERTIES)


# -- the broken copies: one realistic bug each ---------------------------------------------------


def any_pass_counts(check: ContractSigning, policy: Policy) -> list[Finding]:
    """LEG-01: only passing reviews are looked up, so a pass later overturned by a failing review
    still lets the contract be signed."""
    passed = tuple(r for r in check.reviews if r.verdict is Verdict.PASSED)
    return list(rules.check_signing(attrs.evolve(check, reviews=passed), policy))


def _released_today_still_holds(opts: AuditOptions) -> Select[Any]:
    """LEG-02: a hold released on the day checked is still taken as in force (``>=``)."""
    m, mr, h = MatterRow, MatterRecordRow, HoldRow
    label = (mr.matter_id + literal(":") + mr.record_number).label("id")
    in_force = exists().where(
        h.id == mr.hold_id,
        h.matter == mr.matter_id,
        h.record_number == mr.record_number,
        h.placed_on <= opts.on,
        or_(h.released_on.is_(None), h.released_on >= opts.on),
    )
    open_unheld = (
        select(label)
        .join(m, m.id == mr.matter_id)
        .where(or_(m.closed_on.is_(None), m.closed_on > opts.on), ~in_force)
    )
    closed_held = (
        select(label)
        .join(m, m.id == mr.matter_id)
        .join(h, h.id == mr.hold_id)
        .where(and_(m.closed_on <= opts.on, h.released_on.is_(None)))
    )
    both = union_all(open_unheld, closed_held).subquery()
    return select(both.c.id.label("id"))


def released_today_still_holds(register: Registrar[StoreExtension]) -> None:
    sweep = Sweep(
        "LEG-02",
        "records of open matters not held, or held after the close",
        _released_today_still_holds,
    )
    register(attrs.evolve(EXTENSION, sweeps=(*SWEEPS[:-1], sweep)))


BROKEN: dict[str, dict[str, Callable[..., Any]]] = {
    "LEG-01": {"agency_check_contract_signing": any_pass_counts},
    "LEG-02": {"agency_register_store": released_today_still_holds},
}


def test_every_control_has_a_property_and_a_broken_copy() -> None:
    assert {prop.id for prop in PROPERTIES} == set(BROKEN) == {"LEG-01", "LEG-02"}


def test_the_plugin_registers_its_properties() -> None:
    subject = conformance.Subject([plugin])
    keys = {prop.key for prop in conformance.all_properties(subject)}
    assert {prop.key for prop in PROPERTIES} <= keys


def test_the_plugin_keeps_every_property() -> None:
    report = run([plugin])
    assert report.ok, str(report)
    assert len(report.results) == len(PROPERTIES)


@pytest.mark.parametrize("control", sorted(BROKEN))
def test_a_broken_copy_is_caught_under_its_control(control: str) -> None:
    report = run([variant(control, **BROKEN[control])], only=[control])
    assert report.failed == (control,), str(report)


def test_a_sweep_left_out_is_caught_under_leg02() -> None:
    def no_sweeps(register: Registrar[StoreExtension]) -> None:
        register(attrs.evolve(EXTENSION, sweeps=SWEEPS[:-1]))

    report = run([variant("no-sweep", agency_register_store=no_sweeps)], only=["LEG-02"])
    assert report.failed == ("LEG-02",), str(report)


def drafter_may_review(check: LegalReview, policy: Policy) -> list[Finding]:
    """LEG-01: the drafter is kept out only at signing; recording their review is let through."""
    return [f for f in rules.check_review(check, policy) if f.text is not rules.DRAFTER_REVIEWS]


def test_a_review_by_the_drafter_let_through_is_caught_under_leg01() -> None:
    broken = variant("LEG-01", agency_check_legal_review=drafter_may_review)
    report = run([broken], only=["LEG-01"])
    assert report.failed == ("LEG-01",), str(report)
    assert "FAIL LEG-01[independent-review]" in str(report)
