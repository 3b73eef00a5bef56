"""Smoke test of the benchmarks: tiny sizes, every engine's answers equal ours; no timings."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from agency_core import Engine
from benchmarks import decisions, segregation, step_floors, step_workload, steps
from benchmarks.fastpath import decide_many_fast
from benchmarks.peers import Contender, Missing
from benchmarks.workload import expense_requests

COUNT = 300


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="module")
def reference(engine: Engine) -> list[tuple[str, tuple[str, ...]]]:
    return [decisions._answer(engine.route_approval(r)) for r in expense_requests(COUNT)]


def _answers(contender: Contender, count: int) -> list[tuple[str, tuple[str, ...]]]:
    inputs = contender.prepare(expense_requests(count))
    if contender.batch:
        return contender.answers([contender.call(inputs[:100]), contender.call(inputs[100:])])
    return contender.answers([[contender.call(item) for item in inputs]])


def test_workload_covers_every_tier_and_both_bounds(
    reference: list[tuple[str, tuple[str, ...]]],
) -> None:
    amounts = {str(r.amount.amount) for r in expense_requests(COUNT)}
    assert {"5000.00", "50000.00"} <= amounts
    assert {len(route) for _, route in reference} == {2, 3, 4}


def test_ours_floors_and_prototype_agree(
    engine: Engine, reference: list[tuple[str, tuple[str, ...]]]
) -> None:
    for contender in decisions.ours(engine):
        decisions.check_answers(reference, contender.name, _answers(contender, COUNT))


def test_prototype_materialises_the_engine_decisions(engine: Engine) -> None:
    requests = expense_requests(20)
    assert list(decide_many_fast(engine, requests)) == engine.decide_many(requests)


@pytest.mark.parametrize("module", decisions.PEERS)
def test_peer_answers_equal_ours(module: str, reference: list[tuple[str, tuple[str, ...]]]) -> None:
    try:
        found = importlib.import_module(module).contenders()
    except Missing as exc:
        pytest.skip(str(exc))
    for contender in found:
        decisions.check_answers(reference, contender.name, _answers(contender, COUNT))


def test_mismatch_is_reported(reference: list[tuple[str, tuple[str, ...]]]) -> None:
    wrong = [*reference[:-1], ("deny", ())]
    with pytest.raises(decisions.AnswerMismatch, match="1 answers differ"):
        decisions.check_answers(reference, "broken", wrong)


def test_decision_benchmark_quick_run() -> None:
    report = decisions.run(200, 1, profile_misses=False, progress=lambda _: None)
    assert set(report.checked.values()) == {200}
    assert decisions.OURS_BATCH in report.checked


def test_segregation_policy_goes_through_the_loader() -> None:
    rows, targets, facts = segregation.run(200, 30, 8, 1, progress=lambda _: None)
    assert facts["max_closure"] >= 2
    assert rows[0].items == 200
    assert targets[0].met is not None


def test_plugin_sweeps_quick_run_checks_every_count() -> None:
    from benchmarks import plugin_sweeps

    rows, targets, facts = plugin_sweeps.run(["sqlite"], quick=True, repeats=1, progress=print)
    small, big = (facts["sqlite"][str(n)] for n in plugin_sweeps.QUICK_SIZES)
    assert 1 < small["copies"] < big["copies"]
    counts = big["counts"]
    # every plugin sweep ran; those the fixture trips found the template's count per copy
    assert len(counts) == len(big["per_sweep"]) > 40
    assert {k: v // big["copies"] for k, v in counts.items() if v} == {
        k: v for k, v in big["template"].items() if v
    }
    assert sum(1 for v in counts.values() if v) >= 5
    assert [t.met for t in targets] == [None] * len(targets)  # quick: nothing is judged
    assert len(rows) == 2


def test_replication_refuses_a_key_that_holds_the_mark(tmp_path: Path) -> None:
    import sqlite3

    import agency_core.store as st
    from benchmarks import plugin_sweeps
    from benchmarks.replicate import merge

    source = tmp_path / "source.db"
    target = st.open(f"sqlite:///{tmp_path}/target.db", engine=Engine(entry_points=True))
    target.upgrade()
    st.open(f"sqlite:///{source}").upgrade()
    with sqlite3.connect(source) as conn:
        conn.execute("INSERT INTO employees (id, department, name) VALUES ('E~1', 'sales', '')")
    with pytest.raises(ValueError, match="holds"):
        merge([source], target, plugin_sweeps.tables(target))


def test_step_benchmark_agrees_on_every_pair() -> None:
    report = steps.run(400, 1, chunk=100, profile_misses=False, progress=lambda _: None)
    assert set(report.checked.values()) == {400}
    ours = {steps.OURS_HOST, steps.OURS_ENTITIES, steps.OURS_BATCH, steps.OURS_COLUMNS}
    assert {steps.FLOOR, steps.PLUGGY, *ours} <= set(report.checked)
    assert len(report.checked) + len(report.missing) == 10


def test_step_workload_covers_every_control_and_bound() -> None:
    work = step_workload.pairs(2000)
    answers = [step_floors.plain_step(pair) for pair in work]
    controls = {c for _, denied in answers for c in denied}
    assert controls == {"SOD-01", "SOD-04", "APR-04"}
    assert any(outcome == "allow" for outcome, _ in answers)
    self_approvals = sum(pair[1][0] == pair[0][4] for pair in work)
    assert 0.03 < self_approvals / len(work) < 0.07
    amounts = {str(pair[0][2]) for pair in work}
    assert {"5000", "5000.01", "50000", "50000.01", "49999.99"} <= amounts
    assert len({pair[0][0] for pair in work}) == len(work)
