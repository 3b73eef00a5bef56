"""The store's commands for the ``agency`` CLI: ``db upgrade``, ``log verify``, ``audit``.

The main CLI calls :func:`register`. Errors print one line without a traceback and exit 2;
``log verify`` exits 1 when the chain is broken, ``audit`` exits 1 when it finds offences.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from agency_core.engine import Engine
from agency_core.errors import AgencyError
from agency_core.policy import load_policy
from agency_core.store.audit import DEFAULT_STEP_DEADLINE, AuditFinding, all_sweeps, run_audit
from agency_core.store.log import verify_log
from agency_core.store.session import Store, open_store

__all__ = ["register"]


_url = click.option(
    "--url",
    required=True,
    envvar="AGENCY_DATABASE_URL",
    help="sqlite:///path or postgresql+psycopg://user:password@host/db ($AGENCY_DATABASE_URL).",
)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except AgencyError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


@contextmanager
def _opened(url: str, engine: Engine | None = None) -> Iterator[Store]:
    store = open_store(url, engine=engine)
    try:
        yield store
    finally:
        store.dispose()


@click.group("db")
def db() -> None:
    """Create and upgrade the store's database."""


@db.command("upgrade")
@_url
@click.option("--revision", default="heads", show_default=True, help="Alembic revision.")
def db_upgrade(url: str, revision: str) -> None:
    """Create or upgrade the database to the latest schema."""
    with _errors(), _opened(url) as store:
        store.upgrade(revision)
        click.echo(f"upgraded {store.url} to {revision}")


@click.group("log")
def log() -> None:
    """The decision log."""


@log.command("verify")
@_url
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def log_verify(url: str, as_json: bool) -> None:
    """Walk the hash chain; name the first entry altered, removed or inserted."""
    with _errors(), _opened(url) as store:
        report = verify_log(store)
    problem = report.problem
    if as_json:
        data: dict[str, Any] = {"ok": report.ok, "entries": report.entries, "head": report.head}
        if problem is not None:
            data["problem"] = {"seq": problem.seq, "kind": problem.kind, "detail": problem.detail}
        click.echo(json.dumps(data, ensure_ascii=False))
    elif problem is None:
        click.echo(f"ok: {report.entries} entries, head {report.head}")
    else:
        click.echo(f"broken at entry {problem.seq}: {problem.kind}: {problem.detail}")
    if problem is not None:
        raise SystemExit(1)


@click.command("audit")
@_url
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--on",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Day checked (default today in the policy's time zone).",
)
@click.option(
    "--step-deadline-days",
    type=click.IntRange(min=1),
    default=DEFAULT_STEP_DEADLINE.days,
    show_default=True,
    help="APR-07: days a step may wait.",
)
@click.option("--policy", type=click.Path(dir_okay=False), help="Policy file (default bundled).")
def audit(url: str, as_json: bool, on: Any, step_deadline_days: int, policy: str | None) -> None:
    """Run every set-based audit sweep in the database and report counts and sample ids."""
    with _errors():
        engine = Engine(load_policy(policy)) if policy else None
        day: date | None = on.date() if on is not None else None
        with _opened(url, engine) as store:
            findings = _sweep(store, day, timedelta(days=step_deadline_days), quiet=as_json)
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False))
    else:
        _table(findings)
    if any(f.count for f in findings):
        raise SystemExit(1)


def _sweep(
    store: Store, on: date | None, deadline: timedelta, *, quiet: bool
) -> list[AuditFinding]:
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=quiet) as progress:
        sweeps = all_sweeps(store)
        task = progress.add_task("auditing", total=len(sweeps))

        def advance(found: AuditFinding) -> None:
            progress.update(task, advance=1, description=found.control)

        return run_audit(store, on=on, step_deadline=deadline, sweeps=sweeps, progress=advance)


def _table(findings: list[AuditFinding]) -> None:
    table = Table(title="agency audit")
    table.add_column("control")
    table.add_column("finding")
    table.add_column("count", justify="right")
    table.add_column("sample")
    for found in findings:
        table.add_row(found.control, found.title, str(found.count), ", ".join(found.sample))
    Console(width=140).print(table)


def register(group: click.Group) -> None:
    """Add ``db upgrade``, ``log verify`` and ``audit`` to the main ``agency`` group."""
    group.add_command(db)
    group.add_command(log)
    group.add_command(audit)
