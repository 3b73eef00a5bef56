"""``agency business ...``: the business department's commands."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

import agency_core.store as st
from agency_business.demo import run
from agency_core.engine import Engine
from agency_core.errors import AgencyError

__all__ = ["business"]

MORNING = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
"""The demo's day, whatever today is (its deadlines fall in a year the calendar knows)."""


@click.group("business")
def business() -> None:
    """The business department (业务部): cases from intake to closed file."""


@business.command("demo")
@click.option("--url", help="Database URL (default: a scratch SQLite file, removed afterwards).")
def demo(url: str | None) -> None:
    """Walk one case from inquiry to closed file, with a refusal on the way."""
    with tempfile.TemporaryDirectory() as scratch:
        url = url or f"sqlite:///{Path(scratch) / 'business.db'}"
        engine = Engine(entry_points=["business"])
        store = st.open(url, engine=engine, clock=lambda: MORNING)
        try:
            store.upgrade()
            run(store, click.echo)
        except AgencyError as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            store.dispose()
