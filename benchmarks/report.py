"""The report: Markdown tables and the same facts as JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from benchmarks.harness import Row, Target

__all__ = ["write"]


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value * 1000:,.2f} ms" if value < 1 else f"{value:,.2f} s"


def _rows(rows: list[Row]) -> list[str]:
    lines = [
        "| benchmark | subject | kind | items | repeats | median | p99 | items/s "
        "| µs/item p50 | µs/item p99 | load 1m | note |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        load = f"{r.load[0]:.2f}–{r.load[1]:.2f}" if r.load else ""
        lines.append(
            f"| {r.benchmark} | {r.name} | {r.kind} | {r.items:,} | {r.repeats} "
            f"| {_seconds(r.median_s)} | {_seconds(r.p99_s)} | {_num(r.rate, 0)} "
            f"| {_num(r.latency_p50_us, 2)} | {_num(r.latency_p99_us, 2)} | {load} | {r.note} |"
        )
    return lines


def _targets(targets: list[Target]) -> list[str]:
    lines = ["| item | target | measured | status | note |", "|---|---|---|---|---|"]
    lines += [
        f"| {t.item} | {t.goal} | {t.measured} | **{t.status}** | {t.note} |" for t in targets
    ]
    return lines


def _profiles(profiles: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for name, found in profiles.items():
        lines.append(f"### Profile: {name}")
        if found.get("error"):
            lines.append(f"not profiled: {found['error']}")
            continue
        lines.append(f"{found['tool']}, {found['seconds']} s sampled. Self time:")
        lines += [f"- {f['share']}% {f['function']}" for f in found["self"][:8]]
        lines.append("Inclusive time:")
        lines += [f"- {f['share']}% {f['function']}" for f in found["inclusive"][:8]]
        lines.append("")
    return lines


def write(
    out: Path,
    facts: dict[str, Any],
    rows: list[Row],
    targets: list[Target],
    ratios: list[dict[str, Any]],
    profiles: dict[str, Any],
    notes: list[str],
) -> Path:
    """Write ``report.md`` and ``report.json`` into ``out``; return the Markdown path."""
    out.mkdir(parents=True, exist_ok=True)
    data = {
        **facts,
        "rows": [dataclasses.asdict(r) for r in rows],
        "targets": [{**dataclasses.asdict(t), "status": t.status} for t in targets],
        "ratios": ratios,
        "profiles": profiles,
        "notes": notes,
    }
    (out / "report.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    machine = facts["machine"]
    lines = [
        "# agency-core benchmarks",
        "",
        f"Run {facts['started']} ({facts['mode']}), {facts['elapsed_s']:.0f} s in all. "
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['os']}, Python {machine['python']}.",
        f"Load average at start {facts['load_start']}, at end {facts['load_end']}.",
        "Versions: "
        + ", ".join(f"{k} {v or 'not installed'}" for k, v in facts["versions"].items())
        + ".",
        "Workloads: " + "; ".join(f"{k}: {v}" for k, v in facts["workloads"].items()) + ".",
        "",
        "## Targets",
        *_targets(targets),
        "",
        "## Measurements",
        *_rows(rows),
        "",
        "## Ratios (same run)",
        "| subject | against | ratio | meaning |",
        "|---|---|---:|---|",
        *[
            f"| {r['subject']} | {r['against']} | {r['ratio']:.3f} | {r['meaning']} |"
            for r in ratios
        ],
        "",
        *_profiles(profiles),
        "## Notes",
        *[f"- {n}" for n in notes],
        "",
    ]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
