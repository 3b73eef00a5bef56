"""The store: decision-log appends and verification (item 4); sweeps (item 3) are stubs for now.

Uses only the store's public API (``agency_core.store.open``, ``DecisionLog``, ``verify_log``).
PostgreSQL runs in its own database (``agency_bench`` by default), created when missing, so that
the test database is never touched.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agency_core import Engine
from benchmarks.harness import Row, Target, load_average
from benchmarks.profiles import profile
from benchmarks.workload import expense_requests

__all__ = ["PG_URL", "available", "run"]

PG_URL = os.environ.get(
    "AGENCY_BENCH_PG", "postgresql+psycopg://agency:agency@localhost:5432/agency_bench"
)
APPEND_TARGET = {"sqlite": 20_000, "postgresql": 10_000}
VERIFY_TARGET_S = 10.0
VERIFY_FULL = 1_000_000
_NOT_YET = "not measured: no bulk loader for 1,000,000 stored approvals/records yet"


def available() -> str | None:
    """None when the store's public API is there, else why not."""
    try:
        import agency_core.store as store
    except Exception as exc:  # a half-written store must not break the other benchmarks
        return f"store not available ({type(exc).__name__}: {exc})"
    missing = [
        n for n in ("open", "DecisionLog", "verify_log", "run_audit") if not hasattr(store, n)
    ]
    return f"store not available (missing {', '.join(missing)})" if missing else None


def _ensure_pg_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres")
    try:
        connection = psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True)
    except psycopg.Error:  # no access to "postgres": use the test database to issue CREATE
        fallback = parsed.set(drivername="postgresql", database="agency_test")
        connection = psycopg.connect(
            fallback.render_as_string(hide_password=False), autocommit=True
        )
    with connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
        else:  # start from an empty log every run
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')


def _log(
    url: str, backend: str, entries: int, batch: int
) -> tuple[list[Row], list[Target], dict[str, Any]]:
    import agency_core.store as st

    store = st.open(url)
    store.upgrade()
    log = st.DecisionLog(store, batch_size=batch, name=f"bench-log-{backend}")
    engine = Engine(plugins=[log])
    requests = expense_requests(entries)
    gc.collect()
    load = load_average()[0]
    start = time.perf_counter()
    for i in range(0, entries, batch):
        engine.decide_many(requests[i : i + batch])
    log.flush()
    append_s = time.perf_counter() - start
    start = time.perf_counter()
    report = st.verify_log(store, chunk=5000)
    verify_s = time.perf_counter() - start
    if not report.ok or report.entries != entries:
        raise AssertionError(f"{backend}: verify_log found {report}")
    workload = f"{entries:,} approval decisions logged, batches of {batch:,}"
    rows = [
        Row(
            "log",
            f"{backend}: decide_many + DecisionLog append (hash chain)",
            "ours",
            workload,
            entries,
            1,
            append_s,
            append_s,
            entries / append_s,
            load=(load, load_average()[0]),
            note="end to end: the decision, canonical JSON, sha256 chain, INSERT",
        ),
        Row(
            "log",
            f"{backend}: verify_log",
            "ours",
            workload,
            entries,
            1,
            verify_s,
            verify_s,
            entries / verify_s,
            load=(load, load_average()[0]),
        ),
    ]
    rate, goal = entries / append_s, APPEND_TARGET[backend]
    projected = VERIFY_FULL / (entries / verify_s)
    targets = [
        Target(
            f"4 log append ({backend})",
            f">= {goal:,}/s",
            f"{rate:,.0f}/s",
            rate >= goal,
            f"needs {goal / rate:.2f}x",
        ),
        Target(
            f"4 log verify ({backend})",
            f"{VERIFY_FULL:,} entries <= {VERIFY_TARGET_S:g} s",
            f"{entries / verify_s:,.0f} entries/s over {entries:,}"
            + ("" if entries >= VERIFY_FULL else f"; projected {projected:.1f} s for 1M"),
            projected <= VERIFY_TARGET_S,
            f"needs {projected / VERIFY_TARGET_S:.1f}x",
            "" if entries >= VERIFY_FULL else "projection from the measured rate, not a 1M run",
        ),
    ]
    profiles: dict[str, Any] = {}
    if rate < goal:
        more = expense_requests(min(entries, 5000), seed=7)
        profiles[f"log append ({backend})"] = profile(
            lambda: (engine.decide_many(more), log.flush())
        )
    store.dispose()
    return rows, targets, profiles


def run(
    entries: int, *, postgres: bool = True, progress: Callable[[str], None] = print
) -> tuple[list[Row], list[Target], dict[str, Any], dict[str, str]]:
    """The log benchmarks on SQLite (a temporary file) and PostgreSQL; stubs for the sweeps."""
    rows: list[Row] = []
    targets: list[Target] = []
    profiles: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for item in (
        "3 audit sweep (sqlite)",
        "3 audit sweep (postgresql)",
        "3 retention sweep",
        "3 peak RSS at 100k / 1M",
    ):
        targets.append(Target(item, "see issue 5", _NOT_YET, None))
    reason = available()
    if reason is not None:
        for backend in ("sqlite", "postgresql"):
            targets.append(
                Target(
                    f"4 decision log ({backend})", "see issue 5", f"not measured: {reason}", None
                )
            )
        return rows, targets, profiles, {"store": reason}
    batch = min(1000, entries)
    with tempfile.TemporaryDirectory() as tmp:
        progress(f"log: sqlite, {entries:,} entries")
        found = _log(f"sqlite:///{Path(tmp, 'bench.db')}", "sqlite", entries, batch)
        rows += found[0]
        targets += found[1]
        profiles.update(found[2])
    if postgres:
        try:
            _ensure_pg_database(PG_URL)
        except Exception as exc:
            skipped["postgresql"] = f"not measured: PostgreSQL not reachable ({exc})"
            targets.append(
                Target("4 decision log (postgresql)", "see issue 5", skipped["postgresql"], None)
            )
        else:
            progress(f"log: postgresql, {entries:,} entries")
            found = _log(PG_URL, "postgresql", entries, batch)
            rows += found[0]
            targets += found[1]
            profiles.update(found[2])
    return rows, targets, profiles, skipped
