"""The department plugins' kinds, and what registering them costs the built-in kinds.

Two engines in one run, interleaved: the bundled plugins only, and the bundled plugins with every
installed department plugin (entry points). On each, built-in kinds no department plugin adds a
hook implementation to (SOD-03 duty checks, deadlines on the working calendar) are timed, so the
ratio is what the extension points themselves cost. Step checks are timed too: a department plugin
may add rules there (branch offices do), and that cost is the plugin's rules, named in the note.
With every plugin, a transition check of one plugin's machine (HR's resignation, HR-02) is timed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from agency_core import Decision, DutyCheck, Employee, Engine, Period
from agency_core.requests import PerformedDuty
from agency_core.transitions import TransitionCheck
from benchmarks.harness import Row, Target, time_passes
from benchmarks.step_workload import AT, pairs
from benchmarks.steps import check_of

__all__ = ["run"]

LABELS = ("bundled", "with plugins")
NEUTRAL = 1.10
"""The built-in kinds count as unaffected when the plugin engine is within 10 % of the bundled."""


def _duties(count: int, engine: Engine) -> list[DutyCheck]:
    rng = random.Random(7)
    duties = sorted(engine.policy.duty_conflicts)
    checks = []
    for index in range(count):
        actor = f"E{rng.randint(1, 50):03d}"
        performed = tuple(
            PerformedDuty(rng.choice(duties), f"E{rng.randint(1, 50):03d}")
            for _ in range(rng.randint(0, 3))
        )
        checks.append(DutyCheck(f"S{index}", rng.choice(duties), actor, performed))
    return checks


def _starts(count: int) -> list[datetime]:
    rng = random.Random(11)
    first = AT.replace(month=1, day=5)  # within the years the bundled calendar knows
    return [first + timedelta(hours=rng.randint(0, 24 * 320)) for _ in range(count)]


def _resignations(count: int) -> list[TransitionCheck] | None:
    try:
        from agency_hr.entities import Clearance
    except ImportError:
        return None
    rng = random.Random(13)
    items = ("handover", "property", "settlement", "interview")
    head = Employee("E001", "hr", {"dept_head"})
    return [
        TransitionCheck(
            "resignation",
            f"resignation/R{index}",
            "applied",
            rng.choice(("completed", "withdrawn")),
            head,
            AT,
            Clearance(tuple(sorted(rng.sample(items, rng.randint(0, 4))))),
        )
        for index in range(count)
    ]


def _plain(chunks: list[list[Any]]) -> list[Any]:
    """Answers without the plugin set's digest, which differs between the engines by design."""
    return [
        (item.outcome, item.findings) if isinstance(item, Decision) else item
        for chunk in chunks
        for item in chunk
    ]


def _pass(call: Callable[[Any], Any], inputs: Sequence[Any], chunk: int) -> Callable[[], Any]:
    chunks = [inputs[i : i + chunk] for i in range(0, len(inputs), chunk)]
    clock = time.perf_counter

    def run() -> tuple[list[Any], list[float]]:
        outputs, seconds = [], []
        for part in chunks:
            start = clock()
            outputs.append([call(item) for item in part])
            seconds.append(clock() - start)
        return outputs, seconds

    return run


def run(
    count: int, repeats: int, progress: Callable[[str], None] = print
) -> tuple[list[Row], list[Target], dict[str, Any]]:
    """Time the built-in kinds on both engines and the plugin kinds on the plugin engine."""
    bundled = Engine(entry_points=False)
    everything = Engine(entry_points=True)
    departments = sorted(
        p.name for p in everything.plugins if not p.name.startswith("agency_core.")
    )
    duties = _duties(count, bundled)
    starts = _starts(count)
    period = Period(5)
    work = pairs(count)
    chunk = min(1000, count)
    subjects: dict[str, tuple[Callable[[], Any], int, int]] = {}
    for label, engine in zip(LABELS, (bundled, everything), strict=True):
        steps = [check_of(engine, pair) for pair in work]
        subjects[f"duty check (SOD-03), {label}"] = (
            _pass(engine.decide, duties, chunk),
            count,
            chunk,
        )
        deadline: Callable[[datetime], Any] = lambda s, e=engine: e.deadline(s, period)  # noqa: E731
        subjects[f"deadline, 5 working days, {label}"] = (
            _pass(deadline, starts, chunk),
            count,
            chunk,
        )
        subjects[f"step check, {label}"] = (_pass(engine.check_step, steps, chunk), count, chunk)
    resignations = _resignations(count)
    if resignations is not None:
        subjects["transition check (hr resignation, HR-02), with plugins"] = (
            _pass(everything.decide, resignations, chunk),
            count,
            chunk,
        )
    progress(f"plugin kinds: {len(subjects)} subjects x {repeats} passes of {count:,}")
    measured, first = time_passes(subjects, repeats)
    for kind in ("duty check (SOD-03)", "deadline, 5 working days", "step check"):
        if kind != "step check":  # the same answers: no plugin adds to these kinds
            ours, theirs = (_plain(first[f"{kind}, {label}"]) for label in LABELS)
            assert ours == theirs, kind
    workload = f"{count:,} items; plugins: {', '.join(departments) or 'none installed'}"
    step_hooks = [i[0] for i in everything._impls["agency_check_step"]]
    notes = {"step check, with plugins": f"agency_check_step by {', '.join(step_hooks)}"}
    rows = [
        Row.of("plugin kinds", name, "ours", workload, m, notes.get(name, ""))
        for name, m in measured.items()
    ]
    targets = []
    for kind in ("duty check (SOD-03)", "deadline, 5 working days"):
        ratio = measured[f"{kind}, bundled"].rate / measured[f"{kind}, with plugins"].rate
        targets.append(
            Target(
                "4 extension points",
                f"{kind}: all department plugins cost the built-in kind nothing measurable "
                f"(within {NEUTRAL - 1:.0%})",
                f"bundled / with plugins = {ratio:.3f}",
                ratio <= NEUTRAL if departments else None,
                f"{ratio - 1:.0%} slower with plugins",
            )
        )
    return rows, targets, {"departments": departments, "step_hooks": step_hooks}
