"""Step decisions: "may this approver approve this request now?", uncached, from host objects.

Every pair of the seeded workload (:mod:`benchmarks.step_workload`) is distinct. Contenders take
the host's pair and answer; ours is timed four ways from the host's objects (the plain values to
``check_step_row``, validated there; the public entities built by the host, routed, then
``check_step``; and as columns, a ``StepBatch`` to ``check_steps``), and engine-only (checks
built beforehand). Every answer (outcome, denying controls) must equal the reference on every pair.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agency_core import ApprovalRequest, Decision, Employee, Engine, Money, Severity, StepCheck
from agency_core.entities import StepAction, Verdict
from agency_core.step_batch import StepBatch
from benchmarks.decisions import DecisionReport, _pass, check_answers
from benchmarks.harness import Row, Target, time_passes
from benchmarks.peers import Contender, flatten, step_peers
from benchmarks.profiles import profile
from benchmarks.step_floors import answer, plain_step, pluggy_manager
from benchmarks.step_workload import AT, Answer, Pair, check_rules, pairs, required

__all__ = ["check_of", "contenders", "from_entities", "from_host", "run", "step_answer"]

FLOOR = "plain-Python function (floor)"
PLUGGY = "bare pluggy, 4 hookimpls"
OURS_HOST = "agency-core check_step_row, from host objects (single)"
OURS_ENTITIES = "agency-core entities built by the host, route_approval + check_step (single)"
OURS_ENGINE = "agency-core check_step, checks pre-built (engine only)"
OURS_BATCH = "agency-core decide_many, checks pre-built (batch)"
OURS_COLUMNS = "agency-core check_steps, StepBatch from host objects (batch)"
ZEN = "zen-engine ZenEngine.evaluate (static loader)"
SINGLE_SHARE = 1 / 40
BATCH_SHARE = 1 / 5


def step_answer(decision: Decision) -> Answer:
    """A decision as (outcome, denying controls)."""
    denied = [f.control for f in decision.findings if f.severity is Severity.DENY]
    return (decision.outcome.value, tuple(sorted(set(denied))))


def check_of(engine: Engine, pair: Pair) -> StepCheck:
    """The step check of ``pair``: the request, its route under the policy, the steps taken."""
    (rid, action, amount, department, requester), (person, home, roles), history = pair
    request = ApprovalRequest(rid, action, Money(amount, "CNY"), department, requester)
    route = engine.route_approval(request).route
    assert route is not None, rid
    taken = tuple(
        StepAction(step, actor, Verdict.APPROVE, AT) for step, actor in enumerate(history)
    )
    return StepCheck(
        request,
        route,
        StepAction(len(taken), person, Verdict.APPROVE, AT),
        Employee(person, home, roles),
        history=taken,
    )


def from_host(engine: Engine) -> Callable[[Pair], Decision]:
    """Decide a host's pair: its plain values to ``check_step_row``, which validates them."""
    ask = engine.check_step_row

    def decide(pair: Pair) -> Decision:
        (rid, action, amount, department, requester), (person, home, roles), history = pair
        return ask(
            request_id=rid,
            action=action,
            amount=amount,
            department=department,
            requester=requester,
            actor=person,
            actor_department=home,
            actor_roles=roles,
            approved=tuple([(who, AT) for who in history]),
            at=AT,
        )

    return decide


def from_entities(engine: Engine) -> Callable[[Pair], Decision]:
    """Decide a host's pair: build agency-core's entities from it, route, then ``check_step``."""
    check_step = engine.check_step

    def decide(pair: Pair) -> Decision:
        return check_step(check_of(engine, pair))

    return decide


def columns(engine: Engine) -> Callable[[list[Pair]], list[Decision]]:
    """Decide a host's pairs as one batch: transpose them into a :class:`StepBatch` (validated
    there, as columns), then ``check_steps``."""
    check_steps = engine.check_steps

    def decide(items: list[Pair]) -> list[Decision]:
        rows = [
            (*request, person, home, roles, tuple([(who, AT) for who in history]), AT)
            for request, (person, home, roles), history in items
        ]
        return check_steps(StepBatch(*zip(*rows, strict=True)))

    return decide


def ours(engine: Engine) -> list[Contender]:
    """Our three calls and the two floors."""
    hook = pluggy_manager().hook.bench_step

    def pluggy_call(pair: Pair) -> Answer:
        (_id, action, amount, *_), _approver, history = pair
        return answer(hook(pair=pair, role=required(action, amount, len(history))))

    def prebuilt(items: list[Pair]) -> list[StepCheck]:
        return [check_of(engine, pair) for pair in items]

    decisions: Callable[[list[Any]], list[Answer]] = lambda chunks: flatten(chunks, step_answer)  # noqa: E731
    identity: Callable[[list[Any]], list[Answer]] = lambda chunks: flatten(chunks, tuple)  # noqa: E731
    return [
        Contender(FLOOR, "floor", False, list, plain_step, identity),
        Contender(PLUGGY, "floor", False, list, pluggy_call, identity, "pluggy"),
        Contender(OURS_HOST, "ours", False, list, from_host(engine), decisions),
        Contender(OURS_ENTITIES, "ours", False, list, from_entities(engine), decisions),
        Contender(OURS_ENGINE, "ours", False, prebuilt, engine.check_step, decisions),
        Contender(OURS_BATCH, "ours", True, prebuilt, engine.decide_many, decisions),
        Contender(OURS_COLUMNS, "ours", True, list, columns(engine), decisions),
    ]


def contenders(engine: Engine) -> tuple[list[Contender], dict[str, str]]:
    """Ours, the floors and every peer that can run here (and why the others cannot)."""
    peers, missing = step_peers.contenders()
    return ours(engine) + peers, missing


def run(
    count: int,
    repeats: int,
    *,
    chunk: int = 1000,
    profile_misses: bool = True,
    engine: Engine | None = None,
    progress: Callable[[str], None] = print,
) -> DecisionReport:
    """Time every contender on ``count`` pairs, ``repeats`` interleaved passes each."""
    engine = engine if engine is not None else Engine(entry_points=False)
    check_rules(engine.policy)
    work = pairs(count)
    found, missing = contenders(engine)
    report = DecisionReport(missing=missing)
    subjects = {}
    for contender in found:
        inputs = contender.prepare(work)
        size = min(chunk, count)
        _pass(contender, inputs[: min(count, 2000)], size)()
        subjects[contender.name] = (_pass(contender, inputs, size), count, size)
    progress(f"steps: {len(subjects)} contenders x {repeats} passes of {count:,} pairs")
    measured, first = time_passes(subjects, repeats)

    reference = [plain_step(pair) for pair in work]
    for contender in found:
        check_answers(reference, contender.name, contender.answers(first[contender.name]))
        report.checked[contender.name] = len(reference)
    del first

    workload = f"{count:,} distinct (request, approver, history) pairs (seeded), default policy"
    for contender in found:
        note = "; ".join(
            filter(None, [contender.note, f"batches of {chunk:,}" if contender.batch else ""])
        )
        report.rows.append(
            Row.of(
                "steps", contender.name, contender.kind, workload, measured[contender.name], note
            )
        )
    rate = {name: m.rate for name, m in measured.items()}
    for subject in [c.name for c in found if c.name != FLOOR]:
        report.ratios.append(
            {
                "subject": subject,
                "against": FLOOR,
                "ratio": rate[subject] / rate[FLOOR],
                "meaning": "speed as a fraction of the floor (1 = as fast)",
            }
        )
    single, batch, floor = rate[OURS_HOST], rate[OURS_COLUMNS], rate[FLOOR]
    report.targets.append(
        Target(
            "2 step, single from host objects",
            f">= 1/{1 / SINGLE_SHARE:.0f} of the floor",
            f"1/{floor / single:.0f} ({single:,.0f}/s; floor {floor:,.0f}/s)",
            single >= floor * SINGLE_SHARE,
            f"needs {floor * SINGLE_SHARE / single:.2f}x",
        )
    )
    if ZEN in rate:
        report.targets.append(
            Target(
                "2 step, single vs zen-engine",
                "faster than zen-engine's static-loader path, same run",
                f"ours {single / rate[ZEN]:.2f}x zen-engine ({rate[ZEN]:,.0f}/s)",
                single > rate[ZEN],
                f"needs {rate[ZEN] / single:.2f}x",
            )
        )
    else:
        report.targets.append(
            Target("2 step, single vs zen-engine", "faster than zen-engine", "not installed", None)
        )
    report.targets.append(
        Target(
            "2 step, batch (StepBatch from host objects)",
            f">= 1/{1 / BATCH_SHARE:.0f} of the floor",
            f"1/{floor / batch:.1f} ({batch:,.0f}/s)",
            batch >= floor * BATCH_SHARE,
            f"needs {floor * BATCH_SHARE / batch:.2f}x",
        )
    )
    if profile_misses:
        sample = work[: min(count, 20_000)]
        if single < floor * SINGLE_SHARE or single <= rate.get(ZEN, 0):
            decide = from_host(engine)
            report.profiles[OURS_HOST] = profile(lambda: [decide(p) for p in sample])
        if batch < floor * BATCH_SHARE:
            decide_columns = columns(engine)
            report.profiles[OURS_COLUMNS] = profile(lambda: decide_columns(sample))
    return report
