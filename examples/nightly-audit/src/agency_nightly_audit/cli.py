"""``agency-nightly-audit``: the job as a command for cron.

Exit codes: 0 the log verifies and nothing was found; 1 offences found; 2 bad options or input
(no report written); 3 the log does not extend the last checkpoint (whatever the sweeps found).
The report is written for 0, 1 and 3; the checkpoint file advances only when the log verifies.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

import agency_core.store as st
from agency_core.clikit import reported, safe
from agency_core.engine import Engine
from agency_core.errors import InvalidInput
from agency_core.policy import load_policy
from agency_core.store.audit import DEFAULT_STEP_DEADLINE
from agency_core.store.checkpoint import Checkpoint, load_key
from agency_nightly_audit.job import Report, run
from agency_nightly_audit.report import render_html

__all__ = ["main"]


def _existing_database(url: str) -> None:
    """A SQLite URL must name an existing file: the job never creates a database."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise InvalidInput(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise InvalidInput(f"no SQLite database at {path!r}")


def _anchor(path: Path) -> Checkpoint:
    if not path.is_file():
        raise InvalidInput(
            f"no checkpoint at {str(path)!r}: take the first one with "
            f"`agency log checkpoint --url URL --key KEY --out {path}`"
        )
    return Checkpoint.read(path)


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a rename over the old file)."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        raise InvalidInput(f"cannot write {str(path)!r}: {exc.strerror}") from None


def _publish(report: Report, out: Path, checkpoint_file: Path) -> tuple[Path, Path]:
    """The JSON and HTML reports in ``out``; then tonight's checkpoint over the last one."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create {str(out)!r}: {exc.strerror}") from None
    stem = out / f"agency-audit-{report.on.isoformat()}"
    data = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    written = (stem.with_suffix(".json"), stem.with_suffix(".html"))
    _write(written[0], data)
    _write(written[1], render_html(report))
    if report.log.checkpoint is not None:
        _write(checkpoint_file, report.log.checkpoint.to_json() + "\n")
    return written


def _summary(report: Report, html: Path) -> str:
    log = report.log
    if log.problem is None:
        head = f"log intact ({log.entries} entries, checkpoint {log.anchor.seq} -> {log.entries})"
    else:
        head = f"LOG BROKEN at entry {log.problem.seq} ({log.problem.kind})"
    controls = sum(1 for n in report.by_control().values() if n)
    found = f"{report.offences} offences under {controls} controls" if controls else "no offences"
    return f"{report.on}: {head}; {found}; report {safe(str(html))}"


@click.command("agency-nightly-audit")
@click.option(
    "--url",
    required=True,
    envvar="AGENCY_DATABASE_URL",
    help="sqlite:///path or postgresql+psycopg://user:password@host/db ($AGENCY_DATABASE_URL).",
)
@click.option(
    "--key",
    "key_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="AGENCY_LOG_KEY_FILE",
    help="The firm's log key file ($AGENCY_LOG_KEY_FILE).",
)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The last checkpoint; replaced by tonight's when the log verifies.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for agency-audit-DAY.json and agency-audit-DAY.html.",
)
@click.option(
    "--on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Day checked (default today in the policy's time zone).",
)
@click.option(
    "--step-deadline-days",
    type=click.IntRange(min=1, max=3650),
    default=DEFAULT_STEP_DEADLINE.days,
    show_default=True,
    help="APR-07: days an approval step may wait.",
)
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    help="Policy file (default: the bundled one).",
)
@click.option(
    "--ids",
    "listed",
    type=click.IntRange(min=0, max=1_000_000),
    default=1000,
    show_default=True,
    help="Offending ids listed per sweep (every offence is counted).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def command(
    url: str,
    key_file: Path,
    checkpoint_file: Path,
    out: Path,
    on: datetime | None,
    step_deadline_days: int,
    policy: str | None,
    listed: int,
    quiet: bool,
) -> None:
    """Verify the decision log against the last checkpoint, run every audit sweep of the core
    and the installed plugins, and write an HTML and a JSON report."""
    with reported("text"):
        _existing_database(url)
        key = load_key(key_file)
        anchor = _anchor(checkpoint_file)
        engine = Engine(load_policy(policy)) if policy else Engine()
        store = st.open(url, engine=engine)
        console = Console(stderr=True)
        try:
            with Progress(
                TextColumn("{task.description:<8}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                disable=quiet or not console.is_terminal,
            ) as progress:
                task = progress.add_task("log", total=None)

                def step(done: str, total: int) -> None:
                    progress.update(task, total=total, advance=1, description=done)

                report = run(
                    store,
                    key=key,
                    anchor=anchor,
                    on=on.date() if on is not None else None,
                    step_deadline=timedelta(days=step_deadline_days),
                    listed=listed,
                    step=step,
                )
        finally:
            store.dispose()
        _json, html = _publish(report, out, checkpoint_file)
    click.echo(_summary(report, html))
    sys.exit(report.exit_code)


def main() -> None:
    """The console script."""
    command()
