"""Start-up: ``import agency_core`` and ``agency decide`` on one request, as fresh processes."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.harness import Row, Target, load_average, percentile

__all__ = ["import_breakdown", "run"]

IMPORT_TARGET_S = 0.150
CLI_TARGET_S = 0.400
REQUEST = {
    "kind": "approval",
    "id": "R1",
    "action": "expense_reimbursement",
    "amount": {"amount": "12000.00", "currency": "CNY"},
    "department": "sales",
    "requester": "E7",
}
_IMPORT = "import time; s = time.perf_counter(); import agency_core; print(time.perf_counter() - s)"


def _agency() -> str | None:
    here = Path(sys.executable).with_name("agency")
    return str(here) if here.exists() else shutil.which("agency")


def import_breakdown(top: int = 8) -> list[dict[str, Any]]:
    """The modules with the largest cumulative import time (``python -X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import agency_core"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[dict[str, Any]] = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        raw = parts[2][1:]
        name = raw.lstrip()
        rows.append(
            {
                "module": name,
                "depth": (len(raw) - len(name)) // 2,
                "self_ms": int(parts[0]) / 1000,
                "cumulative_ms": int(parts[1]) / 1000,
            }
        )
    rows.sort(key=lambda r: r["cumulative_ms"], reverse=True)
    return rows[:top]


def _row(name: str, workload: str, seconds: list[float], loads: list[float], note: str) -> Row:
    return Row(
        "startup",
        name,
        "ours",
        workload,
        1,
        len(seconds),
        statistics.median(seconds),
        percentile(seconds, 99),
        None,
        None,
        None,
        (min(loads), max(loads)),
        note,
    )


def run(
    repeats: int, progress: Callable[[str], None] = print
) -> tuple[list[Row], list[Target], dict[str, Any]]:
    """Time ``repeats`` fresh processes of each kind, interleaved."""
    progress(f"startup: {repeats} fresh processes each")
    agency = _agency()
    env = dict(os.environ)
    inside: list[float] = []
    whole: list[float] = []
    cli: list[float] = []
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        request = Path(tmp, "request.json")
        request.write_text(json.dumps(REQUEST), encoding="utf-8")
        for _ in range(repeats):
            loads.append(load_average()[0])
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _IMPORT], capture_output=True, text=True, check=True, env=env
            )
            whole.append(time.perf_counter() - start)
            inside.append(float(done.stdout))
            if agency is not None:
                start = time.perf_counter()
                ran = subprocess.run(
                    [agency, "decide", str(request)], capture_output=True, text=True, env=env
                )
                cli.append(time.perf_counter() - start)
                outcome = json.loads(ran.stdout)["outcome"] if ran.stdout else ran.stderr
                if ran.returncode != 4 or outcome != "needs_approval":
                    raise AssertionError(f"agency decide gave {ran.returncode}: {outcome}")
    rows = [
        _row(
            "import agency_core (timed inside a fresh process)",
            "1 import",
            inside,
            loads,
            f"best {min(inside) * 1000:.1f} ms",
        ),
        _row(
            "python -c 'import agency_core' (whole process)",
            "1 process",
            whole,
            loads,
            f"best {min(whole) * 1000:.1f} ms; includes interpreter start-up",
        ),
    ]
    best = min(inside)
    targets = [
        Target(
            "6 import",
            f"<= {IMPORT_TARGET_S * 1000:.0f} ms",
            f"median {statistics.median(inside) * 1000:.1f} ms, best {best * 1000:.1f} ms",
            statistics.median(inside) <= IMPORT_TARGET_S,
            f"{statistics.median(inside) / IMPORT_TARGET_S:.2f}x the budget",
        )
    ]
    if cli:
        rows.append(
            _row(
                "agency decide FILE (one approval request, whole process)",
                "1 process",
                cli,
                loads,
                f"best {min(cli) * 1000:.1f} ms; exit status 4 checked",
            )
        )
        median = statistics.median(cli)
        targets.append(
            Target(
                "6 agency decide",
                f"<= {CLI_TARGET_S * 1000:.0f} ms",
                f"median {median * 1000:.1f} ms, best {min(cli) * 1000:.1f} ms",
                median <= CLI_TARGET_S,
                f"{median / CLI_TARGET_S:.2f}x the budget",
            )
        )
    else:
        targets.append(
            Target(
                "6 agency decide",
                f"<= {CLI_TARGET_S * 1000:.0f} ms",
                "not measured: the agency command is not installed",
                None,
            )
        )
    return rows, targets, {"import_breakdown": import_breakdown()}
