"""The store: decision-log appends and verification (item 4), audit and retention sweeps (item 3).

Appends go through the public API (``DecisionLog`` on an engine); the log is then filled to
1,000,000 entries through the store's own ``LogRepository.append`` in large batches (the same
chain, canonical bodies and INSERT) and ``verify_log`` is timed on the whole of it. The sweeps run
over bulk-seeded stores (:mod:`benchmarks.seed`) in a fresh process per size
(:mod:`benchmarks.sweeps`), which also reports its peak RSS and times a Python loop over ORM rows
on a sample for the ratio. PostgreSQL runs in its own database (``agency_bench`` by default),
re-created for each store, so that the test database is never touched.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from agency_core import Engine
from benchmarks.harness import Row, Target, load_average
from benchmarks.profiles import profile
from benchmarks.workload import expense_requests

__all__ = ["PG_URL", "available", "backends", "fresh", "run"]

PG_URL = os.environ.get(
    "AGENCY_BENCH_PG", "postgresql+psycopg://agency:agency@localhost:5432/agency_bench"
)
APPEND_TARGET = {"sqlite": 20_000, "postgresql": 10_000}
VERIFY_TARGET_S = 10.0
VERIFY_FULL = 1_000_000
SWEEP_TARGET_S = 5.0
SWEEP_SIZES = (100_000, 1_000_000)
QUICK_SWEEP_SIZES = (2_000, 10_000)
ORM_SAMPLE = 10_000
RSS_FLAT = 1.25
"""Peak RSS at the largest size within this factor of the smallest counts as flat."""
FILL_BATCH = 25_000


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


def _fill(store: Any, count: int, engine: Engine) -> float:
    """Append ``count`` more entries through the store's own append, in large batches."""
    from agency_core.store.log import PendingEntry

    if count <= 0:
        return 0.0
    decision = engine.decide_many(expense_requests(1))[0]
    findings = tuple(f.to_dict() for f in decision.findings)
    from agency_core.store.canonical import canonical_text

    text = canonical_text(findings)
    start = time.perf_counter()
    done = 0
    while done < count:
        size = min(FILL_BATCH, count - done)
        at = store.clock()
        entries = [
            PendingEntry(
                at=at + timedelta(microseconds=i),
                kind=decision.kind,
                digest=hashlib.sha256(str(done + i).encode()).hexdigest(),
                outcome=decision.outcome.value,
                actor=f"E{(done + i) % 5000:05d}",
                policy_version=decision.policy_version,
                policy_sha256=decision.policy_sha256,
                findings=findings,
                findings_json=text,
            )
            for i in range(size)
        ]
        with store.transaction() as tx:
            tx.log.append(entries)
        done += size
    return time.perf_counter() - start


def _log(
    url: str, backend: str, entries: int, batch: int, verify_n: int
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
    report = st.verify_log(store)
    verify_s = time.perf_counter() - start
    if not report.ok or report.entries != entries:
        raise AssertionError(f"{backend}: verify_log found {report}")
    filled = max(entries, verify_n)
    fill_s = _fill(store, filled - entries, engine)
    gc.collect()
    load_full = load_average()[0]
    start = time.perf_counter()
    report = st.verify_log(store)
    verify_full_s = time.perf_counter() - start
    if not report.ok or report.entries != filled:
        raise AssertionError(f"{backend}: verify_log found {report}")
    workload = f"{entries:,} approval decisions logged, batches of {batch:,}"
    full_workload = (
        f"{filled:,} entries: the {entries:,} above, then LogRepository.append in batches of "
        f"{FILL_BATCH:,} ({fill_s:.1f} s, {(filled - entries) / max(fill_s, 1e-9):,.0f}/s)"
    )
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
        Row(
            "log",
            f"{backend}: verify_log (full log)",
            "ours",
            full_workload,
            filled,
            1,
            verify_full_s,
            verify_full_s,
            filled / verify_full_s,
            load=(load_full, load_average()[0]),
        ),
    ]
    rate, goal = entries / append_s, APPEND_TARGET[backend]
    projected = VERIFY_FULL / (filled / verify_full_s)
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
            f"{verify_full_s:.2f} s for {filled:,} entries ({filled / verify_full_s:,.0f}/s)",
            projected <= VERIFY_TARGET_S,
            f"needs {projected / VERIFY_TARGET_S:.2f}x",
            "measured on the whole log"
            if filled >= VERIFY_FULL
            else f"quick run: {filled:,} entries only; {projected:.1f} s projected for 1M",
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


def fresh(backend: str, tmp: str, name: str) -> str:
    """The URL of an empty database for ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{Path(tmp, name + '.db')}"
    _ensure_pg_database(PG_URL)
    return PG_URL


def _sweeps(
    backend: str, sizes: tuple[int, ...], repeats: int, tmp: str, progress: Callable[[str], None]
) -> tuple[list[Row], list[Target]]:
    """Seed each size, run the sweeps in a child process, and compare with the ORM loop."""
    import agency_core.store as st
    from benchmarks import seed

    rows: list[Row] = []
    found: dict[int, dict[str, Any]] = {}
    for n in sizes:
        url = fresh(backend, tmp, f"sweep-{n}")
        store = st.open(url)
        store.upgrade()
        now = store.clock()
        progress(f"sweeps: {backend}, seeding {n:,} approvals and {n:,} records")
        start = time.perf_counter()
        seed.seed_approvals(store, n, now)
        seed.seed_records(store, n, now)
        seeded = time.perf_counter() - start
        store.dispose()
        rows.append(
            Row(
                "sweeps",
                f"{backend}: bulk seed (INSERT ... SELECT over a series)",
                "measure",
                f"{n:,} approvals (2 steps each) + {n:,} records",
                n,
                1,
                seeded,
                seeded,
                n / seeded,
                note="benchmarks/seed.py; VACUUM ANALYZE included on PostgreSQL",
            )
        )
        progress(f"sweeps: {backend}, {n:,} rows, run_audit in a fresh process")
        root = Path(__file__).resolve().parent.parent
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
        }
        load = load_average()[0]
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.sweeps", url, str(n), str(repeats), str(ORM_SAMPLE)],
            capture_output=True,
            text=True,
            check=False,
            cwd=root,
            env=env,
        )
        if child.returncode != 0:
            raise AssertionError(f"sweeps {backend} {n}: {child.stderr[-2000:]}")
        result = json.loads(child.stdout)
        result["load"] = (load, load_average()[0])
        found[n] = result
        for group, title in (("approvals", "audit sweep"), ("records", "retention sweep")):
            g = result[group]
            orm = g["orm_sample"]
            projected = orm["seconds"] * n / orm["rows"]
            per = ", ".join(f"{c} {t * 1000:,.0f} ms" for c, t in g["per_sweep"].items())
            rows.append(
                Row(
                    "sweeps",
                    f"{backend}: run_audit, {title} (SQL)",
                    "ours",
                    f"{n:,} seeded {group}",
                    n,
                    repeats,
                    g["median"],
                    max(g["seconds"]),
                    n / g["median"],
                    load=result["load"],
                    note=f"counts checked against the seed; {per}",
                )
            )
            rows.append(
                Row(
                    "sweeps",
                    f"{backend}: {title} as a Python loop over ORM rows",
                    "floor",
                    f"sample of {orm['rows']:,} of {n:,}, extrapolated",
                    n,
                    1,
                    projected,
                    projected,
                    n / projected,
                    load=result["load"],
                    note=f"{orm['seconds']:.2f} s for the sample; SQL is "
                    f"{projected / g['median']:,.1f}x faster",
                )
            )
    targets: list[Target] = []
    big, small = max(sizes), min(sizes)
    full = big >= SWEEP_SIZES[-1]
    for group, title in (("approvals", "audit sweep"), ("records", "retention sweep")):
        g = found[big][group]
        orm = g["orm_sample"]
        projected = orm["seconds"] * big / orm["rows"]
        slowest = max(g["per_sweep"].items(), key=lambda kv: kv[1])
        targets.append(
            Target(
                f"3 {title} ({backend})",
                f"{SWEEP_SIZES[-1]:,} rows <= {SWEEP_TARGET_S:g} s",
                f"{g['median']:.2f} s over {big:,} {group}; ORM loop extrapolated "
                f"{projected:.1f} s (SQL {projected / g['median']:,.0f}x faster)",
                g["median"] <= SWEEP_TARGET_S if full else None,
                f"needs {g['median'] / SWEEP_TARGET_S:.2f}x",
                (
                    f"slowest: {slowest[0]} {slowest[1]:.2f} s (one query: count and sample)"
                    if full
                    else f"quick run: {big:,} rows only"
                ),
            )
        )
    peak_small = found[small]["rss_peak_kib"] / 1024
    peak_big = found[big]["rss_peak_kib"] / 1024
    targets.append(
        Target(
            f"3 peak RSS at {small:,} / {big:,} ({backend})",
            "flat as rows grow",
            f"{peak_small:.1f} MiB / {peak_big:.1f} MiB "
            f"(after start-up {found[big]['rss_before_kib'] / 1024:.1f} MiB)",
            peak_big <= peak_small * RSS_FLAT if full else None,
            f"grows {peak_big / peak_small:.2f}x",
            f"VmHWM of the sweeping process; flat = within {RSS_FLAT}x",
        )
    )
    return rows, targets


def backends(*, postgres: bool = True) -> list[str]:
    """SQLite, and PostgreSQL when asked for and reachable."""
    if not postgres:
        return ["sqlite"]
    try:
        _ensure_pg_database(PG_URL)
    except Exception:
        return ["sqlite"]
    return ["sqlite", "postgresql"]


def run(
    entries: int,
    *,
    postgres: bool = True,
    log: bool = True,
    progress: Callable[[str], None] = print,
) -> tuple[list[Row], list[Target], dict[str, Any], dict[str, str]]:
    """The log and sweep benchmarks on SQLite (temporary files) and PostgreSQL.

    ``entries`` below 100,000 is a quick run: small sweep sizes and a small full log.
    ``log=False`` runs the sweeps only.
    """
    rows: list[Row] = []
    targets: list[Target] = []
    profiles: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    quick = entries < 100_000
    sizes = QUICK_SWEEP_SIZES if quick else SWEEP_SIZES
    verify_n = max(entries, 10 * entries if quick else VERIFY_FULL)
    repeats = 2
    reason = available()
    if reason is not None:
        for item in ("3 sweeps", "4 decision log") if log else ("3 sweeps",):
            for backend in ("sqlite", "postgresql"):
                targets.append(
                    Target(f"{item} ({backend})", "see issue 5", f"not measured: {reason}", None)
                )
        return rows, targets, profiles, {"store": reason}
    batch = min(1000, entries)
    backends = ["sqlite"]
    if postgres:
        try:
            _ensure_pg_database(PG_URL)
        except Exception as exc:
            skipped["postgresql"] = f"not measured: PostgreSQL not reachable ({exc})"
            for item in ("3 sweeps", "4 decision log") if log else ("3 sweeps",):
                targets.append(
                    Target(f"{item} (postgresql)", "see issue 5", skipped["postgresql"], None)
                )
        else:
            backends.append("postgresql")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if log:
                progress(f"log: {backend}, {entries:,} entries, then verify {verify_n:,}")
                url = fresh(backend, tmp, "log")
                found = _log(url, backend, entries, batch, verify_n)
                rows += found[0]
                targets += found[1]
                profiles.update(found[2])
            sweep_rows, sweep_targets = _sweeps(backend, sizes, repeats, tmp, progress)
            rows += sweep_rows
            targets += sweep_targets
    skipped["store workloads"] = (
        (
            f"log: {entries:,} decisions appended end to end per backend, verify on {verify_n:,}; "
            if log
            else ""
        )
        + f"sweeps: {', '.join(f'{n:,}' for n in sizes)} seeded approvals and records per backend "
        f"(benchmarks/seed.py), run_audit x{repeats} in a fresh process per size, ORM loop on "
        f"{ORM_SAMPLE:,} rows extrapolated"
    )
    return rows, targets, profiles, skipped
