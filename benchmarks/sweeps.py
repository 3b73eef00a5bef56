"""Audit and retention sweeps over bulk-seeded stores, timed in a fresh process per size.

The parent seeds a store (:mod:`benchmarks.seed`) and starts ``python -m benchmarks.sweeps URL N``;
the child opens the store, runs ``agency_core.store.run_audit`` (the approval sweeps, then the
records sweeps, ``repeats`` times each), checks every count against what was seeded, reads its
peak RSS (``VmHWM``) and only then times a Python loop over ORM rows on a sample of the same
data, for the ratio. It prints one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date, datetime
from typing import Any

APPROVAL_SWEEPS = ("SOD-01", "SOD-04", "APR-04", "APR-07")
RECORD_SWEEPS = ("RET-02", "RET-03", "RET-06", "RET-07")


def vm_hwm_kib() -> int | None:
    """This process's peak resident set size in KiB (Linux ``VmHWM``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _orm_approvals(store: Any, sample: int, now: datetime, policy: Any) -> dict[str, int]:
    """The four approval controls as a Python loop over ORM rows (the slow way, on a sample)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from agency_core.store.audit import DEFAULT_STEP_DEADLINE
    from agency_core.store.models import ApprovalRequestRow, EmployeeRow, StepActionRow

    found = dict.fromkeys(APPROVAL_SWEEPS, 0)
    closure = policy.role_closure
    with Session(store.database) as session:
        people = {
            e.id: (e.department, {r.role for r in e.roles})
            for e in session.scalars(select(EmployeeRow))
        }
        requests = session.scalars(
            select(ApprovalRequestRow).order_by(ApprovalRequestRow.id).limit(sample)
        ).all()
        actions: dict[str, list[StepActionRow]] = {}
        ids = [r.id for r in requests]
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for action in session.scalars(
                select(StepActionRow).where(StepActionRow.request_id.in_(chunk))
            ):
                actions.setdefault(action.request_id, []).append(action)
        for request in requests:
            if request.status == "pending" and request.pending_since < now - DEFAULT_STEP_DEADLINE:
                found["APR-07"] += 1
            done = actions.get(request.id, [])
            seen: dict[str, set[int]] = {}
            for action in done:
                holder = action.on_behalf_of or action.actor
                if action.verdict == "approve" and request.requester in (
                    action.actor,
                    action.on_behalf_of,
                ):
                    found["SOD-01"] += 1
                for person in {action.actor, action.on_behalf_of} - {None}:
                    seen.setdefault(str(person), set()).add(action.step)
                step = request.steps[action.step]
                department, roles = people.get(holder, ("", set()))
                has_role = any(step.role in closure.get(role, {role}) for role in roles)
                if not has_role or (
                    step.scope == "department" and department != request.department
                ):
                    found["APR-04"] += 1
            found["SOD-04"] += sum(1 for steps in seen.values() if len(steps) > 1)
    return found


def _orm_records(store: Any, sample: int, on: date, policy: Any) -> dict[str, int]:
    """The four records controls as a Python loop over ORM rows (on a sample)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from agency_core.store.models import RecordRow

    found = dict.fromkeys(RECORD_SWEEPS, 0)

    def held(record: RecordRow, day: date) -> bool:
        return any(
            h.placed_on <= day and (h.released_on is None or h.released_on > day)
            for h in record.holds
        )

    with Session(store.database) as session:
        records = session.scalars(select(RecordRow).order_by(RecordRow.number).limit(sample))
        for record in records:
            if (
                record.destroyed_on is None
                and not record.permanent
                and record.due_on is not None
                and record.due_on <= on
                and not held(record, on)
            ):
                found["RET-02"] += 1
            if record.destroyed_on is not None and held(record, record.destroyed_on):
                found["RET-03"] += 1
            found["RET-06"] += sum(
                1 for loan in record.loans if loan.returned_on is None and loan.due_on < on
            )
            if (
                record.important
                and record.destroyed_on is None
                and len(record.backups) < policy.min_backups
            ):
                found["RET-07"] += 1
    return found


def child(url: str, n: int, repeats: int, sample: int) -> dict[str, Any]:
    """Time the sweeps on the store at ``url`` seeded with ``n`` approvals and ``n`` records."""
    import agency_core.store as st
    from benchmarks.seed import expected_approvals, expected_records

    store = st.open(url)
    now = store.clock()
    on = now.date()
    policy = store.engine.policy
    by_control = {s.control: s for s in st.SWEEPS}
    rss_before = vm_hwm_kib()
    result: dict[str, Any] = {"n": n, "rss_before_kib": rss_before}
    for group, controls, expected in (
        ("approvals", APPROVAL_SWEEPS, expected_approvals(n)),
        ("records", RECORD_SWEEPS, expected_records(n)),
    ):
        sweeps = [by_control[c] for c in controls]
        seconds = []
        counts: dict[str, int] = {}
        each: dict[str, list[float]] = {c: [] for c in controls}
        for _ in range(repeats):
            marks = [time.perf_counter()]

            def tick(
                found: Any, marks: list[float] = marks, each: dict[str, list[float]] = each
            ) -> None:
                now_ = time.perf_counter()
                each[found.control].append(now_ - marks[-1])
                marks.append(now_)

            findings = st.run_audit(store, on=on, sweeps=sweeps, progress=tick)
            seconds.append(marks[-1] - marks[0])
            counts = {f.control: f.count for f in findings}
        if counts != expected:
            raise AssertionError(f"{group}: the sweeps found {counts}, seeded {expected}")
        result[group] = {
            "seconds": seconds,
            "median": statistics.median(seconds),
            "counts": counts,
            "per_sweep": {c: statistics.median(v) for c, v in each.items()},
        }
    result["rss_peak_kib"] = vm_hwm_kib()
    for group, loop, arg in (
        ("approvals", _orm_approvals, now),
        ("records", _orm_records, on),
    ):
        take = min(sample, n)
        start = time.perf_counter()
        found = loop(store, take, arg, policy)  # type: ignore[operator]
        spent = time.perf_counter() - start
        result[group]["orm_sample"] = {"rows": take, "seconds": spent, "counts": found}
    store.dispose()
    return result


if __name__ == "__main__":
    url_arg, n_arg, repeats_arg, sample_arg = sys.argv[1:5]
    print(json.dumps(child(url_arg, int(n_arg), int(repeats_arg), int(sample_arg))))
