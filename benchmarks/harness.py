"""Timing, statistics and machine facts shared by every benchmark.

Repeats are interleaved (every engine runs once per round, in a rotated order) so that load from
other processes falls on all of them alike; ratios are always taken within one run.
"""

from __future__ import annotations

import gc
import importlib.metadata
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Measured",
    "Row",
    "Target",
    "load_average",
    "machine",
    "percentile",
    "time_passes",
    "versions",
]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation; with few values, near the max."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages."""
    return os.getloadavg()


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, OS and Python of this machine."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
    }


def versions(names: Sequence[str]) -> dict[str, str | None]:
    """Installed versions of the named distributions (None when missing)."""
    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


@dataclass
class Measured:
    """Timings of one subject: wall time per full pass and per chunk, over every repeat."""

    items: int
    passes: list[float] = field(default_factory=list)
    """Seconds for one pass over all ``items``, one per repeat."""
    chunks: list[float] = field(default_factory=list)
    """Seconds per item, averaged within each timed chunk, over every repeat."""
    loads: list[float] = field(default_factory=list)
    """The 1-minute load average at each repeat."""

    @property
    def median(self) -> float:
        """Median seconds per pass."""
        return statistics.median(self.passes)

    @property
    def p99(self) -> float:
        """99th percentile of seconds per pass (with few repeats this is close to the slowest)."""
        return percentile(self.passes, 99)

    @property
    def rate(self) -> float:
        """Items per second at the median pass."""
        return self.items / self.median

    def latency_us(self, q: float) -> float | None:
        """The ``q``-th percentile of per-item microseconds over chunks, when chunked."""
        return percentile(self.chunks, q) * 1e6 if self.chunks else None


Pass = Callable[[], tuple[Any, list[float]]]
"""One timed pass: returns its output and the seconds of each timed chunk."""


def time_passes(
    subjects: dict[str, tuple[Pass, int, int]], repeats: int
) -> tuple[dict[str, Measured], dict[str, Any]]:
    """Run every subject ``repeats`` times, interleaved; return timings and first outputs.

    ``subjects`` maps a name to (pass, items, chunk size). The output of each subject's first pass
    is kept so the caller can check answers outside the timed region.
    """
    names = list(subjects)
    measured = {name: Measured(subjects[name][1]) for name in names}
    first: dict[str, Any] = {}
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            run, _items, chunk = subjects[name]
            gc.collect()
            load = load_average()[0]
            output, seconds = run()
            total = sum(seconds)
            entry = measured[name]
            entry.passes.append(total)
            entry.loads.append(load)
            entry.chunks.extend(s / chunk for s in seconds)
            if name not in first:
                first[name] = output
    return measured, first


@dataclass
class Target:
    """An issue target and how this run did against it."""

    item: str
    goal: str
    measured: str
    met: bool | None
    """None: not measured."""
    gap: str = ""
    note: str = ""

    @property
    def status(self) -> str:
        """``met``, ``missed (gap)`` or ``not measured``."""
        if self.met is None:
            return "not measured"
        return "met" if self.met else f"missed ({self.gap})"


@dataclass
class Row:
    """One line of the report: a subject, its workload and its timings."""

    benchmark: str
    name: str
    kind: str
    """ours, floor, peer, prototype or measure."""
    workload: str
    items: int
    repeats: int
    median_s: float | None
    p99_s: float | None
    rate: float | None = None
    """Items per second at the median, when it is a throughput."""
    latency_p50_us: float | None = None
    latency_p99_us: float | None = None
    load: tuple[float, float] | None = None
    """Lowest and highest 1-minute load average seen while it ran."""
    note: str = ""

    @classmethod
    def of(
        cls, benchmark: str, name: str, kind: str, workload: str, m: Measured, note: str = ""
    ) -> Row:
        """A row from timings."""
        return cls(
            benchmark,
            name,
            kind,
            workload,
            m.items,
            len(m.passes),
            m.median,
            m.p99,
            m.rate,
            m.latency_us(50),
            m.latency_us(99),
            (min(m.loads), max(m.loads)) if m.loads else None,
            note,
        )


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    """``run()`` and its wall time in seconds."""
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start
