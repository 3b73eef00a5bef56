"""``agency finance ...``: read a budget's position or a client's credit from the store (JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import click

from agency_core.convert import converter
from agency_core.engine import Engine
from agency_core.errors import AgencyError
from agency_core.store.session import open_store
from agency_finance.store import Finance

__all__ = ["finance"]

_url = click.option(
    "--url",
    required=True,
    envvar="AGENCY_DATABASE_URL",
    help="sqlite:///path or postgresql+psycopg://user:password@host/db ($AGENCY_DATABASE_URL).",
)


def _engine() -> Engine:
    """The engine of the ``agency`` command's options (its --policy); this plugin alone when
    the command runs outside ``agency``."""
    settings = click.get_current_context().find_root().obj
    make = getattr(settings, "engine", None)
    return make() if callable(make) else Engine(entry_points=["finance"])


@contextmanager
def _finance(url: str) -> Iterator[Finance]:
    try:
        store = open_store(url, engine=_engine())
        try:
            with store.transaction() as tx:
                yield Finance(tx)
        finally:
            store.dispose()
    except AgencyError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


def _echo(value: Any) -> None:
    click.echo(json.dumps(converter.unstructure(value), ensure_ascii=False))


@click.group("finance")
def finance() -> None:
    """The finance department's stored ledgers (budgets, credit)."""


@finance.command("budget")
@_url
@click.argument("budget_id")
def budget(url: str, budget_id: str) -> None:
    """A budget's position: state, approved amount and adjustments, spent, remaining (FIN-02)."""
    with _finance(url) as fin:
        position = fin.budgets.position(budget_id)
        _echo({**converter.unstructure(position), "remaining": str(position.remaining)})


@finance.command("credit")
@_url
@click.argument("client")
@click.option("--on", type=click.DateTime(["%Y-%m-%d"]), help="Day of the position (today).")
def credit(url: str, client: str, on: Any) -> None:
    """A client's credit: limit, outstanding and overdue receivables (FIN-03)."""
    day = on.date() if on is not None else date.today()
    with _finance(url) as fin:
        _echo(fin.credit.position(client, day))
