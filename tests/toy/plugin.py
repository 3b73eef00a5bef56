"""Gifts (a toy department): its own hook, kind, machine, policy section, table and sweep."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import click
from sqlalchemy import MetaData, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from agency_core import Finding, Money, Severity, Text, hookimpl
from agency_core.entities import _fields as _f
from agency_core.hookspecs import hookspec
from agency_core.kinds import Kind, Registrar, Scene, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.store.audit import Sweep
from agency_core.store.extension import StoreExtension
from agency_core.store.models import NAMING
from agency_core.store.tracked import overdue_sweep
from agency_core.transitions import StateMachine, TransitionCheck


@attrs.frozen
class GiftPolicy:
    limit: int = 200
    needs_reason: bool = True


@attrs.frozen
class Gift:
    """A gift an employee wants to accept."""

    id: str = attrs.field(validator=_f.code)
    employee: str = attrs.field(validator=_f.code)
    value: Money = attrs.field(validator=_f.of(Money))
    reason: str = ""


@attrs.frozen
class ReturnFacts:
    returned_to_donor: bool = False


class Specs:
    @hookspec
    def agency_check_gift(self, check: Gift, policy: Policy) -> Iterator[Finding] | None:
        """Check a gift (GFT-01)."""


OVER = Text(zh="礼品 {value} 超过上限 {limit}", en="gift of {value} is over the limit {limit}")
NOT_RETURNED = Text(zh="礼品未退回", en="the gift was not returned to its donor")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class GiftRow(Base):
    __tablename__ = "toy_gifts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    employee: Mapped[str] = mapped_column(String(64))


def _unclaimed(_opts: object) -> object:
    return select(GiftRow.id.label("id")).where(GiftRow.employee == "")


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(Specs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(Kind("gift", Gift, "agency_check_gift", actor=lambda gift: gift.employee))


@hookimpl
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    register(
        StateMachine(
            "gift",
            "received",
            {"received": {"kept", "returned"}, "kept": {"returned"}},
            closed={"kept", "returned"},
            data=ReturnFacts,
        )
    )


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section("gifts", GiftPolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    register(
        StoreExtension(
            "toy",
            Path(__file__).parent / "migrations",
            Base.metadata,
            (Sweep("GFT-02", "unclaimed gifts", _unclaimed), overdue_sweep("GFT-03", "late")),  # type: ignore[arg-type]
        )
    )


@hookimpl
def agency_register_commands(cli: click.Group) -> None:
    @cli.command("gifts")
    def gifts() -> None:
        """Say how many gifts there are."""
        click.echo("no gifts")


@hookimpl
def agency_check_gift(check: Gift, policy: Policy) -> Iterator[Finding]:
    limit = policy.section("gifts", GiftPolicy).limit
    if check.value.amount > limit:
        yield Finding("GFT-01", Severity.DENY, OVER, {"value": str(check.value), "limit": limit})


@hookimpl
def agency_check_transition(check: TransitionCheck) -> Iterator[Finding]:
    if check.subject_kind != "gift" or check.to_state != "returned":
        return
    if not (isinstance(check.data, ReturnFacts) and check.data.returned_to_donor):
        yield Finding("GFT-03", Severity.DENY, NOT_RETURNED)


def _scene(store: object, say: Callable[[str], None]) -> None:
    say("a gift of 250 CNY was returned to its donor")


@hookimpl
def agency_register_demos(register: Registrar[Scene]) -> None:
    register(Scene("gifts", "Gifts: one returned", "礼品：退回一件", _scene))
