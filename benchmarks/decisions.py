"""Decision speed: our single and batch calls against the floors and the peer engines.

Every contender decides the same seeded expense requests; every contender's answer (outcome,
route roles) must equal ours on every request, or the benchmark fails.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agency_core import ApprovalRequest, Decision, Engine
from benchmarks.fastpath import DecisionBatch, decide_many_fast
from benchmarks.floors import plain_decide, pluggy_manager
from benchmarks.harness import Row, Target, time_passes
from benchmarks.peers import Contender, Missing, flatten
from benchmarks.profiles import profile
from benchmarks.workload import Answer, expense_requests

__all__ = ["PEERS", "DecisionReport", "check_answers", "contenders", "run"]

PEERS = ("benchmarks.peers.casbin_peer", "benchmarks.peers.cedar_peer", "benchmarks.peers.zen_peer")
OURS_SINGLE = "agency-core route_approval (single call; decisions shared per route)"
OURS_BATCH = "agency-core decide_many (batch call; decisions shared per route)"
FLOOR = "plain-Python function (floor)"
PLUGGY = "bare pluggy hookimpl (dispatch floor)"
PROTOTYPE = "prototype columnar batch (benchmarks/fastpath.py)"
SINGLE_TARGET = 100_000
BATCH_TARGET = 1_000_000
FLOOR_FACTOR = 6.0


class AnswerMismatch(AssertionError):
    """A contender's answer differs from ours on some request."""


def _answer(decision: Decision) -> Answer:
    route = decision.route.roles if decision.route is not None else ()
    return (decision.outcome.value, route)


def _same(requests: list[ApprovalRequest]) -> list[ApprovalRequest]:
    return requests


def _batch_answers(chunks: list[Any]) -> list[Answer]:
    return [a for batch in chunks for a in batch.answers()]


def ours(engine: Engine) -> list[Contender]:
    """Our calls, the floors and the prototype."""
    hook = pluggy_manager().hook.bench_route

    def pluggy_call(request: ApprovalRequest) -> Any:
        return hook(request=request)

    def prototype(requests: Sequence[ApprovalRequest]) -> DecisionBatch:
        return decide_many_fast(engine, requests)

    decisions: Callable[[list[Any]], list[Answer]] = lambda chunks: flatten(chunks, _answer)  # noqa: E731
    identity: Callable[[list[Any]], list[Answer]] = lambda chunks: flatten(chunks, tuple)  # noqa: E731
    return [
        Contender(OURS_SINGLE, "ours", False, _same, engine.route_approval, decisions),
        Contender(OURS_BATCH, "ours", True, _same, engine.decide_many, decisions),
        Contender(FLOOR, "floor", False, _same, plain_decide, identity),
        Contender(
            PLUGGY,
            "floor",
            False,
            _same,
            pluggy_call,
            identity,
            "pluggy",
            "one firstresult hookimpl calling the floor function",
        ),
        Contender(
            PROTOTYPE,
            "prototype",
            True,
            _same,
            prototype,
            _batch_answers,
            "agency-core",
            "not the engine: what a columnar decide_many can reach",
        ),
    ]


def contenders(engine: Engine) -> tuple[list[Contender], dict[str, str]]:
    """Every contender that can run here, and why the others cannot."""
    found = ours(engine)
    missing: dict[str, str] = {}
    for module in PEERS:
        try:
            found += importlib.import_module(module).contenders()
        except Missing as exc:
            missing[module.rsplit(".", 1)[1]] = str(exc)
    return found, missing


def check_answers(reference: list[Answer], name: str, got: list[Answer]) -> None:
    """Raise :class:`AnswerMismatch` unless ``got`` equals ``reference`` on every request."""
    if len(got) != len(reference):
        raise AnswerMismatch(f"{name}: {len(got)} answers for {len(reference)} requests")
    wrong = [i for i, (a, b) in enumerate(zip(reference, got, strict=True)) if a != b]
    if wrong:
        shown = "; ".join(f"#{i}: ours {reference[i]} vs {got[i]}" for i in wrong[:5])
        raise AnswerMismatch(f"{name}: {len(wrong)} answers differ from ours ({shown})")


def _pass(contender: Contender, inputs: list[Any], chunk: int) -> Callable[[], Any]:
    chunks = [inputs[i : i + chunk] for i in range(0, len(inputs), chunk)]
    call = contender.call
    clock = time.perf_counter

    if contender.batch:

        def run() -> tuple[list[Any], list[float]]:
            outputs, seconds = [], []
            for part in chunks:
                start = clock()
                out = call(part)
                seconds.append(clock() - start)
                outputs.append(out)
            return outputs, seconds

    else:

        def run() -> tuple[list[Any], list[float]]:
            outputs, seconds = [], []
            for part in chunks:
                start = clock()
                out = [call(item) for item in part]
                seconds.append(clock() - start)
                outputs.append(out)
            return outputs, seconds

    return run


@dataclass
class DecisionReport:
    """What the decision benchmark found."""

    rows: list[Row] = field(default_factory=list)
    ratios: list[dict[str, Any]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    checked: dict[str, int] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)


def run(
    count: int,
    repeats: int,
    *,
    single_chunk: int = 1000,
    batch_chunk: int = 10_000,
    profile_misses: bool = True,
    progress: Callable[[str], None] = print,
) -> DecisionReport:
    """Time every contender on ``count`` requests, ``repeats`` interleaved passes each."""
    engine = Engine()
    requests = expense_requests(count)
    found, missing = contenders(engine)
    report = DecisionReport(missing=missing)
    subjects = {}
    for contender in found:
        inputs = contender.prepare(requests)
        chunk = min(batch_chunk if contender.batch else single_chunk, count)
        warm = _pass(contender, inputs[: min(count, 2000)], chunk)
        warm()
        subjects[contender.name] = (_pass(contender, inputs, chunk), count, chunk)
    progress(f"decisions: {len(subjects)} contenders x {repeats} passes of {count:,} requests")
    measured, first = time_passes(subjects, repeats)

    reference = next(c for c in found if c.name == OURS_SINGLE).answers(first[OURS_SINGLE])
    for contender in found:
        check_answers(reference, contender.name, contender.answers(first[contender.name]))
        report.checked[contender.name] = len(reference)
    del first

    workload = f"{count:,} expense requests (seeded), bundled plugins, default policy"
    for contender in found:
        note = contender.note
        if contender.batch:
            chunk = subjects[contender.name][2]
            note = "; ".join(filter(None, [note, f"batches of {chunk:,}"]))
        report.rows.append(
            Row.of(
                "decisions",
                contender.name,
                contender.kind,
                workload,
                measured[contender.name],
                note,
            )
        )
    rate = {name: m.rate for name, m in measured.items()}
    peers = [c.name for c in found if c.kind == "peer"]
    single, batch, floor = rate[OURS_SINGLE], rate[OURS_BATCH], rate[FLOOR]

    def ratio(subject: str, against: str, meaning: str) -> None:
        report.ratios.append(
            {
                "subject": subject,
                "against": against,
                "ratio": rate[subject] / rate[against],
                "meaning": meaning,
            }
        )

    for subject in (OURS_SINGLE, OURS_BATCH, PROTOTYPE):
        ratio(subject, FLOOR, "speed as a fraction of the floor (1 = as fast)")
        ratio(subject, PLUGGY, "speed relative to bare pluggy dispatch")
    for subject in (OURS_SINGLE, OURS_BATCH):
        for peer in peers:
            ratio(subject, peer, "> 1: ours is faster")

    report.targets.append(
        Target(
            "2 single call",
            f">= {SINGLE_TARGET:,} decisions/s",
            f"{single:,.0f}/s",
            single >= SINGLE_TARGET,
            f"{single / SINGLE_TARGET:.2f}x of target, needs {SINGLE_TARGET / single:.2f}x",
        )
    )
    fastest = max(peers, key=rate.__getitem__) if peers else None
    if fastest is None:
        report.targets.append(
            Target("2 single vs peers", "faster than every peer", "no peer installed", None)
        )
    else:
        slower = [p for p in peers if rate[p] >= single]
        report.targets.append(
            Target(
                "2 single vs peers",
                "faster than every peer in the same run",
                f"fastest peer {fastest}: {rate[fastest]:,.0f}/s; "
                f"ours {single / rate[fastest]:.2f}x",
                not slower,
                "slower than " + ", ".join(f"{p} by {rate[p] / single:.2f}x" for p in slower),
            )
        )
    report.targets.append(
        Target(
            "2 batch call",
            f">= {BATCH_TARGET:,} decisions/s",
            f"{batch:,.0f}/s",
            batch >= BATCH_TARGET,
            f"needs {BATCH_TARGET / batch:.1f}x",
            f"prototype columnar batch: {rate[PROTOTYPE]:,.0f}/s",
        )
    )
    report.targets.append(
        Target(
            "2 batch vs floor",
            f"within {FLOOR_FACTOR:g}x of the plain-Python floor",
            f"floor is {floor / batch:.1f}x faster",
            floor / batch <= FLOOR_FACTOR,
            f"{floor / batch / FLOOR_FACTOR:.1f}x too slow",
            f"prototype: floor is {floor / rate[PROTOTYPE]:.1f}x faster",
        )
    )

    if profile_misses:
        sample = requests[: min(count, 20_000)]
        if single < SINGLE_TARGET or any(rate[p] >= single for p in peers):
            report.profiles[OURS_SINGLE] = profile(
                lambda: [engine.route_approval(r) for r in sample]
            )
        if batch < BATCH_TARGET or floor / batch > FLOOR_FACTOR:
            report.profiles[OURS_BATCH] = profile(lambda: engine.decide_many(sample))
    return report
