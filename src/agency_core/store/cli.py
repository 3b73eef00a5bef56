"""The store's commands for the ``agency`` CLI: ``db upgrade``, ``log ...``, ``audit``.

The main CLI calls :func:`register`. Every command takes ``--format json|text`` and honours the
group's ``--policy``, ``--lang`` and ``--block`` (see :mod:`agency_core.clikit`). Errors exit 2;
``log verify`` exits 1 when the chain is broken, ``audit`` exits 1 when it finds offences.
Read-only commands never create a database: a missing SQLite file is an error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from agency_core.clikit import EXIT_FOUND, emit_json, format_option, reported, safe
from agency_core.engine import Engine
from agency_core.errors import InvalidInput
from agency_core.store.audit import DEFAULT_STEP_DEADLINE, AuditFinding, all_sweeps, run_audit
from agency_core.store.checkpoint import Checkpoint, load_key
from agency_core.store.log import LogReport, take_checkpoint, verify_log
from agency_core.store.persons import erase_person
from agency_core.store.session import Store, open_store

__all__ = ["register"]


_url = click.option(
    "--url",
    required=True,
    envvar="AGENCY_DATABASE_URL",
    help="sqlite:///path or postgresql+psycopg://user:password@host/db ($AGENCY_DATABASE_URL).",
)
_key = click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="AGENCY_LOG_KEY_FILE",
    help="File holding the firm's log key, kept away from the database ($AGENCY_LOG_KEY_FILE).",
)


def _settings() -> Any:
    """The main group's settings (``--policy``, ``--lang``, ``--block``), if any."""
    from agency_core.cli import Settings

    return click.get_current_context().find_object(Settings)


def _lang() -> str:
    settings = _settings()
    return str(settings.lang) if settings is not None else "en"


def _engine() -> Engine | None:
    """The engine the group's options describe, or None for the default one."""
    settings = _settings()
    if settings is None or (settings.policy is None and not settings.block):
        return None
    engine: Engine = settings.engine()
    return engine


def _check_url(url: str, *, must_exist: bool) -> None:
    if "\x00" in url:
        raise InvalidInput("the database URL holds a NUL character")
    if not must_exist or not url.startswith("sqlite"):
        return
    path = url.split("///", 1)[1] if "///" in url else ""
    path = path.split("?", 1)[0]
    if path in ("", ":memory:") or not Path(path).is_file():
        raise InvalidInput(f"no SQLite database at {path!r}: run `agency db upgrade` first")


@contextmanager
def _opened(
    url: str, engine: Engine | None = None, *, must_exist: bool = True, key: bytes | None = None
) -> Iterator[Store]:
    _check_url(url, must_exist=must_exist)
    store = open_store(url, engine=engine, log_key=key)
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
@format_option()
def db_upgrade(url: str, revision: str, fmt: str) -> None:
    """Create or upgrade the database to the latest schema."""
    with reported(fmt):
        if not revision.strip() or len(revision) > 64 or "\x00" in revision:
            raise InvalidInput(f"not a revision: {revision!r}")
        with _opened(url, _engine(), must_exist=False) as store:
            store.upgrade(revision)
            shown = store.url
    if fmt == "json":
        emit_json({"upgraded": shown, "revision": revision})
    else:
        click.echo(f"upgraded {safe(shown)} to {safe(revision)}")


@click.group("log")
def log() -> None:
    """The decision log: verify it, anchor its head outside the database."""


def _report(report: LogReport, fmt: str) -> None:
    problem = report.problem
    if fmt == "json":
        data: dict[str, Any] = {"ok": report.ok, "entries": report.entries, "head": report.head}
        if problem is not None:
            data["problem"] = {"seq": problem.seq, "kind": problem.kind, "detail": problem.detail}
        emit_json(data)
    elif problem is None:
        ok = "完整" if _lang() == "zh-CN" else "ok"
        click.echo(f"{ok}: {report.entries} entries, head {report.head}")
    else:
        broken = "链已损坏，条目" if _lang() == "zh-CN" else "broken at entry"
        click.echo(f"{broken} {problem.seq}: {problem.kind}: {safe(problem.detail)}")
    if problem is not None:
        sys.exit(EXIT_FOUND)


@log.command("verify")
@_url
@_key
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint the chain must extend (repeat); needs --key.",
)
@format_option()
def log_verify(
    url: str, key_file: Path | None, checkpoint_files: tuple[Path, ...], fmt: str
) -> None:
    """Walk the hash chain; name the first entry altered, removed, inserted, truncated,
    rewritten or forged."""
    with reported(fmt):
        key = load_key(key_file) if key_file is not None else None
        if checkpoint_files and key is None:
            raise InvalidInput("--checkpoint needs --key")
        checkpoints = [Checkpoint.read(path) for path in checkpoint_files]
        with _opened(url) as store:
            report = verify_log(store, key=key, checkpoints=checkpoints)
    _report(report, fmt)


@log.command("checkpoint")
@_url
@_key
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the checkpoint to this file (stdout when omitted).",
)
@format_option(default="json")
def log_checkpoint(url: str, key_file: Path | None, out: Path | None, fmt: str) -> None:
    """Verify the log and print its head signed with the log key; keep it outside the database."""
    with reported(fmt):
        if key_file is None:
            raise InvalidInput("--key is needed")
        key = load_key(key_file)
        with _opened(url, key=key) as store:
            checkpoint = take_checkpoint(store, key)
        if out is not None:
            try:
                out.write_text(checkpoint.to_json() + "\n", encoding="utf-8")
            except OSError as exc:
                raise InvalidInput(f"cannot write {str(out)!r}: {exc.strerror}") from None
    if out is None:
        click.echo(checkpoint.to_json())
    elif fmt == "json":
        emit_json({"seq": checkpoint.seq, "hash": checkpoint.hash, "out": str(out)})
    else:
        click.echo(f"checkpoint of entry {checkpoint.seq} written to {safe(str(out))}")


@log.command("erase")
@_url
@click.option("--person", required=True, help="The employee id whose salt to delete.")
@format_option()
def log_erase(url: str, person: str, fmt: str) -> None:
    """Erase a person from the log: delete their salt, so no entry can be linked to them.

    The log still verifies. Entries logged before the upgrade to 0006 keep ids in clear and are
    counted apart."""
    with reported(fmt), _opened(url) as store:
        erasure = erase_person(store, person)
    if fmt == "json":
        emit_json(
            {
                "person": erasure.person,
                "erased": erasure.erased,
                "entries": erasure.entries,
                "kept_clear": erasure.kept_clear,
            }
        )
        return
    zh = _lang() == "zh-CN"
    if erasure.erased:
        done = "已删除其盐值；无法再关联的条目" if zh else "salt deleted; entries no longer linked"
        click.echo(f"{safe(person)}: {done}: {erasure.entries}")
    else:
        none = "日志中没有其盐值" if zh else "no salt in the log"
        click.echo(f"{safe(person)}: {none}")
    if erasure.kept_clear:
        kept = "0006 之前的条目仍含明文编号" if zh else "entries before 0006 still naming them"
        click.echo(f"{kept}: {erasure.kept_clear}")


@click.command("audit")
@_url
@format_option()
@click.option(
    "--on",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Day checked (default today in the policy's time zone).",
)
@click.option(
    "--step-deadline-days",
    type=click.IntRange(min=1, max=3650),
    default=DEFAULT_STEP_DEADLINE.days,
    show_default=True,
    help="APR-07: days a step may wait.",
)
@click.option("--policy", type=click.Path(dir_okay=False), help="Policy file (default bundled).")
def audit(fmt: str, url: str, on: Any, step_deadline_days: int, policy: str | None) -> None:
    """Run every set-based audit sweep in the database and report counts and sample ids."""
    with reported(fmt):
        from agency_core.policy import load_policy

        engine = Engine(load_policy(policy)) if policy else _engine()
        day: date | None = on.date() if on is not None else None
        with _opened(url, engine) as store:
            findings = _sweep(store, day, timedelta(days=step_deadline_days), quiet=fmt == "json")
    if fmt == "json":
        emit_json([f.to_dict() for f in findings])
    else:
        _table(findings)
    if any(f.count for f in findings):
        sys.exit(EXIT_FOUND)


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
    zh = _lang() == "zh-CN"
    table = Table(title="agency 审计" if zh else "agency audit")
    columns = ("控制", "发现", "数量", "样例") if zh else ("control", "finding", "count", "sample")
    for index, column in enumerate(columns):
        table.add_column(column, justify="right" if index == 2 else "left")
    for found in findings:
        sample = ", ".join(safe(s) for s in found.sample)
        table.add_row(found.control, safe(found.title), str(found.count), sample)
    Console(width=None if sys.stdout.isatty() else 10_000).print(table)


def register(group: click.Group) -> None:
    """Add ``db upgrade``, ``log verify|checkpoint|erase`` and ``audit`` to the ``agency`` group."""
    group.add_command(db)
    group.add_command(log)
    group.add_command(audit)
