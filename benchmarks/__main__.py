"""``python -m benchmarks``: run every benchmark and write the report (see benchmarks/README.md)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import (
    decisions,
    plugin_kinds,
    plugin_sweeps,
    report,
    segregation,
    startup,
    steps,
    store,
)
from benchmarks.harness import Row, Target, load_average, machine, versions

DISTRIBUTIONS = (
    "agency-core",
    "pluggy",
    "attrs",
    "cattrs",
    "SQLAlchemy",
    "psycopg",
    "pycasbin",
    "cedarpy",
    "zen-engine",
    "rule-engine",
    "pyinstrument",
)
FULL = {
    "decisions": 100_000,
    "decision_repeats": 5,
    "steps": 100_000,
    "step_repeats": 5,
    "plugin_items": 20_000,
    "plugin_repeats": 5,
    "employees": 10_000,
    "roles": 200,
    "conflicts": 100,
    "sod_repeats": 7,
    "startup_repeats": 15,
    "log_entries": 100_000,
}
QUICK = {
    "decisions": 2_000,
    "decision_repeats": 2,
    "steps": 2_000,
    "step_repeats": 2,
    "plugin_items": 500,
    "plugin_repeats": 2,
    "employees": 500,
    "roles": 40,
    "conflicts": 10,
    "sod_repeats": 2,
    "startup_repeats": 3,
    "log_entries": 1_000,
}
NOTES = [
    "Repeats are interleaved: each round runs every contender once, in a rotated order.",
    "Decision timings: each pass decides the whole workload; single calls are timed in chunks of "
    "1,000 calls, batch calls in batches of 10,000; 'p99' of a pass is over repeats (with 5 "
    "repeats, close to the slowest), 'µs/item p99' over chunks.",
    "Every contender gets its native input built once, untimed (ApprovalRequest objects for us; "
    "tuples, dicts or JSON context for the peers); mapping outputs to (outcome, route) is untimed "
    "and checked against ours on every request.",
    "GC stays enabled during timing (collected before each pass).",
    "The prototype columnar batch is benchmark code (benchmarks/fastpath.py), not the engine.",
]


BENCHMARKS = ("decisions", "steps", "plugins", "segregation", "startup", "store", "sweeps")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; 0 when every answer agreed (targets may still be missed)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).parent / "results",
        help="where report.md and report.json go (default benchmarks/results)",
    )
    parser.add_argument(
        "--only",
        nargs="*",
        choices=[*BENCHMARKS],
        help="run only these (steps: may this approver take this step; plugins: the department "
        "plugins' kinds; store: the decision log and the core's sweeps; sweeps: the core's and "
        "every plugin's sweeps)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-profile", action="store_true", help="skip profiling misses")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    wanted = set(args.only or BENCHMARKS)
    began = time.perf_counter()
    facts: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "mode": "quick" if args.quick else "full",
        "machine": machine(),
        "versions": versions(DISTRIBUTIONS),
        "load_start": [round(x, 2) for x in load_average()],
        "sizes": sizes,
        "workloads": {},
    }
    rows: list[Row] = []
    targets: list[Target] = []
    ratios: list[dict[str, Any]] = []
    profiles: dict[str, Any] = {}
    notes = list(NOTES)

    def say(text: str) -> None:
        print(
            f"[{time.perf_counter() - began:6.1f} s, load {load_average()[0]:.2f}] {text}",
            file=sys.stderr,
            flush=True,
        )

    if "decisions" in wanted:
        found = decisions.run(
            sizes["decisions"],
            sizes["decision_repeats"],
            profile_misses=not args.no_profile,
            progress=say,
        )
        rows += found.rows
        targets += found.targets
        ratios += found.ratios
        profiles.update(found.profiles)
        facts["workloads"]["decisions"] = (
            f"{sizes['decisions']:,} seeded expense requests, {sizes['decision_repeats']} repeats"
        )
        facts["answers_checked"] = found.checked
        notes += [f"peer {k} not measured: {v}" for k, v in found.missing.items()]
        notes.append(
            f"Answers checked: {len(found.checked)} contenders x {sizes['decisions']:,} requests, "
            "every (outcome, route) equal to engine.route_approval's."
        )
    if "steps" in wanted:
        found_steps = steps.run(
            sizes["steps"], sizes["step_repeats"], profile_misses=not args.no_profile, progress=say
        )
        rows += found_steps.rows
        targets += found_steps.targets
        ratios += found_steps.ratios
        profiles.update(found_steps.profiles)
        facts["workloads"]["steps"] = (
            f"{sizes['steps']:,} seeded step pairs, {sizes['step_repeats']} repeats"
        )
        facts["step_answers_checked"] = found_steps.checked
        notes += [f"step peer {k} not measured: {v}" for k, v in found_steps.missing.items()]
        notes.append(
            f"Step answers checked: {len(found_steps.checked)} contenders x {sizes['steps']:,} "
            "pairs, every (outcome, denying controls) equal to the plain-Python floor's."
        )
    if "plugins" in wanted:
        kind_rows, kind_targets, kind_facts = plugin_kinds.run(
            sizes["plugin_items"], sizes["plugin_repeats"], say
        )
        rows += kind_rows
        targets += kind_targets
        facts["plugin_kinds"] = kind_facts
        facts["workloads"]["plugins"] = (
            f"{sizes['plugin_items']:,} items per kind, {sizes['plugin_repeats']} repeats"
        )
    if "segregation" in wanted:
        sod_rows, sod_targets, sod_facts = segregation.run(
            sizes["employees"], sizes["roles"], sizes["conflicts"], sizes["sod_repeats"], say
        )
        rows += sod_rows
        targets += sod_targets
        facts["segregation"] = sod_facts
        facts["workloads"]["segregation"] = (
            f"{sizes['employees']:,} employees, {sizes['roles']} roles, "
            f"{sizes['conflicts']} conflict sets"
        )
    if "startup" in wanted:
        up_rows, up_targets, up_facts = startup.run(sizes["startup_repeats"], say)
        rows += up_rows
        targets += up_targets
        facts["startup"] = up_facts
        facts["workloads"]["startup"] = f"{sizes['startup_repeats']} fresh processes each"
        notes.append(
            "Slowest imports (python -X importtime, cumulative ms): "
            + ", ".join(
                f"{m['module']} {m['cumulative_ms']:.1f}" for m in up_facts["import_breakdown"][:6]
            )
        )
    if wanted & {"store", "sweeps"}:
        st_rows, st_targets, st_profiles, skipped = store.run(
            sizes["log_entries"],
            postgres=not args.no_postgres,
            log="store" in wanted,
            progress=say,
        )
        rows += st_rows
        targets += st_targets
        profiles.update(st_profiles)
        notes += [f"{k}: {v}" for k, v in skipped.items()]
        facts["workloads"]["store"] = f"{sizes['log_entries']:,} logged decisions per backend"
    if "sweeps" in wanted:
        ps_rows, ps_targets, ps_facts = plugin_sweeps.run(
            store.backends(postgres=not args.no_postgres), quick=args.quick, progress=say
        )
        rows += ps_rows
        targets += ps_targets
        facts["plugin_sweeps"] = ps_facts
        facts["workloads"]["plugin sweeps"] = (
            "the plugins' test stores (quick: the agency demo's) merged and replicated in SQL "
            "until the largest table, staff aside, holds each size (benchmarks/replicate.py)"
        )
    facts["load_end"] = [round(x, 2) for x in load_average()]
    facts["elapsed_s"] = time.perf_counter() - began
    path = report.write(args.out, facts, rows, targets, ratios, profiles, notes)
    say(f"report written: {path} and {path.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
