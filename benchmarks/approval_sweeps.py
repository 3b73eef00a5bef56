"""The core's four approval sweeps alone, on a store seeded once (benchmark code).

::

    python -m benchmarks.approval_sweeps URL N --seed      # empty the store, seed N, then sweep
    python -m benchmarks.approval_sweeps URL N             # sweep a store seeded before
    python -m benchmarks.approval_sweeps URL N --explain   # and print each sweep's plan

``URL`` is a SQLite file or a PostgreSQL database (its tables are dropped by ``--seed``). Each of
SOD-01, SOD-04, APR-04 and APR-07 runs through ``run_audit`` (median of ``--repeats``), its count
is checked against what was seeded, and the process's peak RSS (``VmHWM``) is printed with the
load average. The plan is ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL and ``EXPLAIN QUERY PLAN``
on SQLite, of the query ``run_audit`` sends.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from benchmarks.sweeps import APPROVAL_SWEEPS, vm_hwm_kib


def _seed(url: str, n: int) -> None:
    from sqlalchemy import MetaData

    import agency_core.store as st
    from benchmarks.seed import seed_approvals

    store = st.open(url)
    with store.database.begin() as conn:  # every table, the plugins' and Alembic's too
        tables = MetaData()
        tables.reflect(conn)
        tables.drop_all(conn)
    store.upgrade()
    start = time.perf_counter()
    seed_approvals(store, n, store.clock())
    print(f"seeded {n:,} approvals in {time.perf_counter() - start:.1f} s")
    store.dispose()


def _explain(store: Any, sweep: Any, opts: Any) -> str:
    from sqlalchemy import func, select, text

    offences = sweep.query(opts).cte("offences").prefix_with("MATERIALIZED", dialect="postgresql")
    total = func.count().over().label("total")
    query = select(offences.c.id, total).order_by(offences.c.id).limit(5)
    with store.reading() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        if store.dialect == "postgresql":
            conn.execute(text("SET LOCAL work_mem = '64MB'"))
            conn.execute(text("SET LOCAL jit = off"))
            for name, value in sweep.postgresql:
                conn.execute(text(f"SET LOCAL {name} = {value}"))
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%"))
            return "\n".join(r[0] for r in rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(f"{r[0]:>4} {r[1]:>4} {r[3]}" for r in rows)


def main() -> None:
    """Parse the arguments, seed if asked, sweep, check, print."""
    import agency_core.store as st
    from agency_core.store.audit import DEFAULT_STEP_DEADLINE, AuditOptions
    from benchmarks.seed import expected_approvals

    parser = argparse.ArgumentParser(prog="python -m benchmarks.approval_sweeps")
    parser.add_argument("url")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", action="store_true", help="drop the tables and seed n first")
    parser.add_argument("--explain", action="store_true", help="print each sweep's plan")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", nargs="+", default=APPROVAL_SWEEPS, choices=APPROVAL_SWEEPS)
    args = parser.parse_args()
    if args.seed:
        _seed(args.url, args.n)
    store = st.open(args.url)
    by_control = {s.control: s for s in st.SWEEPS}
    expected = expected_approvals(args.n)
    now = store.clock()
    print(f"{store.dialect}, {args.n:,} requests, load {os.getloadavg()[0]:.2f}")
    total = 0.0
    for control in args.only:
        sweep = by_control[control]
        times, count = [], -1
        for _ in range(args.repeats):
            start = time.perf_counter()
            (found,) = st.run_audit(store, on=now.date(), sweeps=[sweep])
            times.append(time.perf_counter() - start)
            count = found.count
        median = statistics.median(times)
        total += median
        ok = "ok" if count == expected[control] else f"WRONG, seeded {expected[control]}"
        print(f"{control}: {median:7.2f} s  count {count:,} ({ok})")
        if args.explain:
            policy = store.engine.policy
            opts = AuditOptions(now.date(), now, DEFAULT_STEP_DEADLINE, policy)
            print(_explain(store, sweep, opts))
    print(f"total {total:.2f} s, peak RSS {vm_hwm_kib()} KiB, load {os.getloadavg()[0]:.2f}")
    store.dispose()


if __name__ == "__main__":
    main()
