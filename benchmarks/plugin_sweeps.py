"""Every plugin's sweeps over a store grown to a million rows (issue 14, item 5).

The data are the plugins' own test fixtures: ``pytest plugins -p benchmarks.capture`` keeps the
store of every test that has one (the quick run uses the store of ``agency demo`` instead), and
:mod:`benchmarks.replicate` merges them into a template and copies it in SQL until the largest
table holds the wanted number of rows. The template's findings per sweep, times the number of
copies, is what each sweep must find at scale; a fresh process per size
(``python -m benchmarks.plugin_sweeps``) runs ``run_audit`` over every plugin sweep
(``all_sweeps`` less the core's), checks every count, and reads its peak RSS (``VmHWM``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

from benchmarks.harness import Row, Target, load_average

__all__ = ["capture", "run"]

ROOT: Final = Path(__file__).resolve().parent.parent
ON: Final = date(2026, 12, 1)
"""The audit day: after every fixture's dates, so each deadline planted has passed."""
SIZES: Final = (100_000, 1_000_000)
QUICK_SIZES: Final = (2_000, 10_000)
TARGET_S: Final = 5.0
RSS_FLAT: Final = 1.25
STAFF: Final = frozenset({"employees", "employee_roles"})
"""Not counted when sizing: every fixture hires its own staff, so they outnumber the rest."""


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def capture(directory: Path, *, quick: bool) -> list[Path]:
    """Stores to replicate: every plugin test's store, or (quick) the store of ``agency demo``."""
    if quick:
        db = directory / "demo.db"
        code = "from agency_core.cli import main; main()"
        args = [sys.executable, "-c", code, "demo", "--db", str(db)]
        env = _env()
        env.pop("AGENCY_CORE_LOAD_PLUGINS", None)  # every installed plugin, whatever a test set
        subprocess.run(args, check=True, capture_output=True, cwd=ROOT, env=env)
        return [db]
    args = [
        *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p"),
        *("benchmarks.capture", "-x", "plugins"),
    ]
    env = {**_env(), "AGENCY_BENCH_CAPTURE": str(directory)}
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT, env=env)
    return sorted(directory.glob("*.db"))


def _label(sweep: Any) -> str:
    return f"{sweep.control} {sweep.title}"


def plugin_sweeps(store: Any) -> list[Any]:
    """The sweeps the plugins add: ``all_sweeps`` less the core's."""
    from agency_core.store.audit import SWEEPS, all_sweeps

    return [s for s in all_sweeps(store) if s not in SWEEPS]


def tables(store: Any) -> list[Any]:
    """The core's tables, then each plugin's, parents before children."""
    from agency_core.store.extension import extensions
    from agency_core.store.models import Base

    found = list(Base.metadata.sorted_tables)
    for ext in extensions(store.engine):
        found += ext.metadata.sorted_tables
    return found


def _open(url: str) -> Any:
    import agency_core.store as st
    from agency_core import Engine

    return st.open(url, engine=Engine(entry_points=True))


def child(url: str, copies: int, repeats: int, template: dict[str, int]) -> dict[str, Any]:
    """Time every plugin sweep on the replicated store at ``url``; check the counts."""
    import agency_core.store as st
    from benchmarks.sweeps import vm_hwm_kib

    store = _open(url)
    sweeps = plugin_sweeps(store)
    rss_before = vm_hwm_kib()
    each: dict[str, list[float]] = {_label(s): [] for s in sweeps}
    totals: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(repeats):
        marks = [time.perf_counter()]
        labels = iter([_label(s) for s in sweeps])

        def tick(found: Any, marks: list[float] = marks, labels: Any = labels) -> None:
            now = time.perf_counter()
            each[next(labels)].append(now - marks[-1])
            marks.append(now)

        findings = st.run_audit(store, on=ON, sweeps=sweeps, progress=tick)
        totals.append(marks[-1] - marks[0])
        counts = {_label(s): f.count for s, f in zip(sweeps, findings, strict=True)}
    expected = {k: v * copies for k, v in template.items()}
    wrong = {k: (counts.get(k), v) for k, v in expected.items() if counts.get(k) != v}
    if wrong:
        raise AssertionError(f"plugin sweeps found (found, expected): {wrong}")
    store.dispose()
    return {
        "copies": copies,
        "rss_before_kib": rss_before,
        "rss_peak_kib": vm_hwm_kib(),
        "total_median": statistics.median(totals),
        "per_sweep": {k: statistics.median(v) for k, v in each.items()},
        "counts": counts,
    }


def _template(url: str, sources: Sequence[Path]) -> tuple[Any, dict[str, int], dict[str, Any]]:
    """A store at ``url`` holding the merged ``sources``; its count per plugin sweep."""
    import agency_core.store as st
    from benchmarks.replicate import merge

    store = _open(url)
    store.upgrade()
    facts = merge(sources, store, tables(store))
    sweeps = plugin_sweeps(store)
    found = st.run_audit(store, on=ON, sweeps=sweeps)
    return store, {_label(s): f.count for s, f in zip(sweeps, found, strict=True)}, facts


def run(
    backends: Sequence[str],
    *,
    quick: bool,
    repeats: int = 2,
    progress: Callable[[str], None] = print,
) -> tuple[list[Row], list[Target], dict[str, Any]]:
    """Replicate the fixtures to each size on each backend, time the sweeps, check the counts.

    ``backends`` are ``"sqlite"`` (files in a temporary directory) and ``"postgresql"`` (the
    benchmark database, re-created for each size).
    """
    from benchmarks.replicate import replicate, table_rows
    from benchmarks.store import fresh

    sizes = QUICK_SIZES if quick else SIZES
    rows: list[Row] = []
    targets: list[Target] = []
    facts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        progress("plugin sweeps: capturing the plugins' test stores")
        kept = Path(tmp, "fixtures")
        kept.mkdir()
        sources = capture(kept, quick=quick)
        for backend in backends:
            found: dict[int, dict[str, Any]] = {}
            for n in sizes:
                url = fresh(backend, tmp, f"plugin-sweeps-{n}")
                store, template, merged = _template(url, sources)
                every = tables(store)
                largest = max(v for k, v in table_rows(store, every).items() if k not in STAFF)
                copies = max(1, n // largest)
                progress(f"plugin sweeps: {backend}, {copies:,} copies of {len(sources)} stores")
                start = time.perf_counter()
                replicate(store, every, copies)
                seeded = time.perf_counter() - start
                sizes_now = table_rows(store, every)
                store.dispose()
                load = load_average()[0]
                args = [sys.executable, "-m", "benchmarks.plugin_sweeps", url, str(copies)]
                child_run = subprocess.run(
                    [*args, str(repeats), json.dumps(template)],
                    capture_output=True,
                    text=True,
                    check=False,
                    cwd=ROOT,
                    env=_env(),
                )
                if child_run.returncode != 0:
                    raise AssertionError(f"plugin sweeps {backend} {n}: {child_run.stderr[-3000:]}")
                result = json.loads(child_run.stdout)
                result.update(
                    load=(load, load_average()[0]),
                    seed_s=seeded,
                    tables=sizes_now,
                    template=template,
                    sources=len(merged["sources"]),
                )
                found[n] = result
                biggest = max(v for k, v in sizes_now.items() if k not in STAFF)
                slowest = max(result["per_sweep"].items(), key=lambda kv: kv[1])
                rows.append(
                    Row(
                        "plugin sweeps",
                        f"{backend}: run_audit, every plugin sweep (SQL)",
                        "ours",
                        f"{len(sources)} fixture stores x {copies:,}; largest table "
                        f"{biggest:,} rows",
                        biggest,
                        repeats,
                        result["total_median"],
                        result["total_median"],
                        biggest / result["total_median"],
                        load=result["load"],
                        note=f"{len(result['per_sweep'])} sweeps, counts checked; slowest "
                        f"{slowest[0]} {slowest[1]:.2f} s; seeded in {seeded:.1f} s",
                    )
                )
            big, small = max(sizes), min(sizes)
            facts[backend] = {str(n): found[n] for n in sizes}
            for label, seconds in sorted(found[big]["per_sweep"].items()):
                met = seconds <= TARGET_S
                targets.append(
                    Target(
                        f"5 {label} ({backend})",
                        f"{SIZES[-1]:,} rows <= {TARGET_S:g} s",
                        f"{seconds:.3f} s (at {min(sizes):,}: "
                        f"{found[small]['per_sweep'][label]:.3f} s); finds "
                        f"{found[big]['counts'][label]:,}",
                        met if not quick else None,
                        f"needs {seconds / TARGET_S:.2f}x",
                    )
                )
            peak_small = found[small]["rss_peak_kib"] / 1024
            peak_big = found[big]["rss_peak_kib"] / 1024
            targets.append(
                Target(
                    f"5 plugin sweeps peak RSS at {small:,} / {big:,} ({backend})",
                    "flat as rows grow",
                    f"{peak_small:.1f} MiB / {peak_big:.1f} MiB",
                    peak_big <= peak_small * RSS_FLAT if not quick else None,
                    f"grows {peak_big / peak_small:.2f}x",
                    f"VmHWM of the sweeping process; flat = within {RSS_FLAT}x",
                )
            )
    return rows, targets, facts


if __name__ == "__main__":
    url_arg, copies_arg, repeats_arg, template_arg = sys.argv[1:5]
    out = child(url_arg, int(copies_arg), int(repeats_arg), json.loads(template_arg))
    print(json.dumps(out))
