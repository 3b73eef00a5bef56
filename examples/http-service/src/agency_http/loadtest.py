"""A bounded load test of the real server: loopback only, a fixed count of requests, then it stops.

``python -m agency_http.loadtest --url postgresql+psycopg://... --workers 1 2`` prepares the
database (schema, staff, tokens), and for each worker count starts ``uvicorn --workers N`` on a
free loopback port and measures:

* decisions/s: ``POST /decide`` of expense claims, from ``--clients`` threads;
* approvals/s: claims of 12,000 CNY (three steps) submitted, then every step raced by several
  approvers at once (two holders of the step's role, one who holds the roles of two steps, and on
  some claims the requester): exactly one may win each step.

Then it checks the store: every claim approved, every step decided once (0 lost, 0 doubled), no
actor on two steps of a claim nor on their own claim, and the SOD sweeps find 0 offences.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from threading import Lock, local
from typing import Any
from urllib.parse import urlsplit

import attrs

from agency_core.entities import Employee
from agency_core.store import Status
from agency_core.store.audit import run_audit
from agency_core.store.session import open_store
from agency_http.cli import put_staff
from agency_http.serving import serving
from agency_http.tokens import issue

__all__ = ["STAFF", "LoadReport", "main", "prepare", "run"]

STAFF = (
    Employee("chen", "business", (), "陈专员"),
    Employee("zhang", "business", {"dept_head"}, "张主管"),
    Employee("zhang2", "business", {"dept_head"}, "张二主管"),
    Employee("zhou", "finance", {"finance_reviewer"}, "周会计"),
    Employee("zhou2", "finance", {"finance_reviewer"}, "周二会计"),
    Employee("li", "finance", {"finance_manager"}, "李经理"),
    Employee("li2", "finance", {"finance_manager"}, "李二经理"),
    Employee("multi", "business", {"dept_head", "finance_reviewer"}, "兼职者"),
    Employee("sun", "archives", {"archives_head"}, "孙档案"),
    Employee("wu", "audit", {"auditor"}, "吴稽核"),
    Employee("wang", "management", {"general_manager"}, "王总"),
    Employee("feng", "accounting", {"accounting_head"}, "冯会计主管"),
    Employee("zhao", "accounting", (), "赵会计"),
    Employee("ma", "legal", {"legal_reviewer"}, "马法务"),
)
"""Two holders of every role on the 12,000 CNY route, one holding two of its roles, an
auditor (the oversight endpoints' caller), the approvers and supervisors of a destruction list
(RET-04) and a legal reviewer (who holds records, RET-03)."""
RACERS = (("zhang", "zhang2", "multi"), ("zhou", "zhou2", "multi"), ("li", "li2"))
"""Who tries each step of the route at once."""
SOD_CONTROLS = frozenset({"SOD-01", "SOD-03", "SOD-04"})
"""The sweeps of segregation of duties: self-approval, conflicting duties, two steps by one."""


def prepare(url: str, directory: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Upgrade the database at ``url``, store :data:`STAFF`, issue a token for each.

    Returns the server's environment and the tokens by employee.
    """
    store = open_store(url)
    try:
        store.upgrade()
    finally:
        store.dispose()
    put_staff(url, list(STAFF))
    tokens_file = directory / "tokens.json"
    tokens = {e.id: issue(tokens_file, e.id) for e in STAFF}
    env = {"AGENCY_DATABASE_URL": url, "AGENCY_HTTP_TOKENS": str(tokens_file)}
    return env, tokens


class Client:
    """A keep-alive HTTP/1.1 connection per thread to the server at ``base``."""

    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        parts = urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the load test runs on loopback only, not {parts.hostname}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.tokens = tokens
        self._local = local()
        self._lock = Lock()
        self._opened: list[http.client.HTTPConnection] = []

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def call(
        self, who: str, method: str, path: str, body: Any = None, key: str | None = None
    ) -> tuple[int, Any, float]:
        """Status, parsed JSON answer and seconds taken."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        for attempt in range(2):
            connection = self._connection()
            try:
                connection.request(method, path, data, headers)
                response = connection.getresponse()
                answer = json.loads(response.read())
                return response.status, answer, time.perf_counter() - start
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                self._local.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


def claim(request_id: str, amount: str, requester: str) -> dict[str, Any]:
    """An expense claim of the business department as ``agency decide`` takes it."""
    return {
        "kind": "approval",
        "id": request_id,
        "action": "expense_reimbursement",
        "amount": {"amount": amount, "currency": "CNY"},
        "department": "business",
        "requester": requester,
    }


@attrs.frozen
class LoadReport:
    """What one run measured and what the store holds afterwards."""

    workers: int
    decisions: int
    decisions_per_s: float
    decide_p50_ms: float
    decide_p99_ms: float
    claims: int
    approvals: int
    approvals_per_s: float
    step_p50_ms: float
    step_p99_ms: float
    refused: int
    """Step attempts that lost their race (409) or were refused (403: by the engine, or before
    it to a racer who may not read the claim, its step taken by another holder of the role)."""
    unexpected: int
    """Answers other than 200, 403 and 409 to a step, or other than 200 to a decision."""
    lost: int
    doubled: int
    sod_stored: int
    sod_offences: int

    @property
    def clean(self) -> bool:
        """Whether nothing was lost, doubled or stored against segregation of duties."""
        return not (self.unexpected or self.lost or self.doubled or self.sod_stored)


def _ms(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def run(
    base: str,
    url: str,
    tokens: dict[str, str],
    *,
    workers: int,
    decisions: int,
    claims: int,
    clients: int = 8,
    seed: int = 0,
) -> LoadReport:
    """Drive the server at ``base`` (the store at ``url``) and check what it stored."""
    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:8]
    with Client(base, tokens) as client, ThreadPoolExecutor(clients) as pool:
        amounts = [str(rng.choice((800, 4_000, 12_000, 80_000))) for _ in range(decisions)]
        start = time.perf_counter()
        answers = list(
            pool.map(
                lambda i: client.call(
                    "chen", "POST", "/decide", claim(f"D-{tag}-{i}", amounts[i], "chen")
                ),
                range(decisions),
            )
        )
        decide_seconds = time.perf_counter() - start
        ids = [f"C-{tag}-{i}" for i in range(claims)]
        requester = {rid: ("zhang2" if i % 4 == 0 else "chen") for i, rid in enumerate(ids)}
        submitted = list(
            pool.map(
                lambda rid: client.call(
                    requester[rid], "POST", "/approvals", claim(rid, "12000", requester[rid]), rid
                ),
                ids,
            )
        )
        if any(status != 201 for status, _a, _s in submitted):
            raise RuntimeError(f"a submission failed: {submitted[:3]}")
        start = time.perf_counter()
        steps: list[tuple[tuple[str, int, str], tuple[int, Any, float]]] = []
        for step, racers in enumerate(RACERS):  # a step waits for the one before
            batch = []  # the racers of one claim side by side, so they run at the same time
            for rid in rng.sample(ids, len(ids)):
                who = {*racers, requester[rid]} if step == 0 else set(racers)
                batch += [(rid, step, w) for w in rng.sample(sorted(who), len(who))]
            results = pool.map(
                lambda t: client.call(
                    t[2], "POST", f"/approvals/{t[0]}/steps/{t[1]}", {"verdict": "approve"},
                    f"{t[0]}-{t[1]}-{t[2]}",
                ),
                batch,
            )  # fmt: skip
            steps += list(zip(batch, results, strict=True))
        approve_seconds = time.perf_counter() - start
    won = [t for t, (status, _a, _s) in steps if status == 200]
    unexpected = sum(1 for _t, (status, _a, _s) in steps if status not in (200, 403, 409))
    unexpected += sum(1 for status, _a, _s in answers if status != 200)
    lost, doubled, sod_stored, sod_offences = _check(url, ids, requester, won)
    step_times = [s for _t, (_st, _a, s) in steps]
    decide_times = [s for _st, _a, s in answers]
    return LoadReport(
        workers=workers,
        decisions=decisions,
        decisions_per_s=round(decisions / decide_seconds, 1),
        decide_p50_ms=_ms(decide_times, 0.5),
        decide_p99_ms=_ms(decide_times, 0.99),
        claims=claims,
        approvals=len(won),
        approvals_per_s=round(len(won) / approve_seconds, 1),
        step_p50_ms=_ms(step_times, 0.5),
        step_p99_ms=_ms(step_times, 0.99),
        refused=len(steps) - len(won) - unexpected,
        unexpected=unexpected,
        lost=lost,
        doubled=doubled,
        sod_stored=sod_stored,
        sod_offences=sod_offences,
    )


def _check(
    url: str, ids: list[str], requester: dict[str, str], won: list[tuple[str, int, str]]
) -> tuple[int, int, int, int]:
    """Lost, doubled and segregation-breaking steps in the store; SOD offences the sweeps find."""
    store = open_store(url)
    lost = doubled = sod = 0
    try:
        with store.transaction() as tx:
            for rid in ids:
                sub = tx.approvals.get(rid)
                taken = [(a.step, a.actor) for a in sub.history]
                winners = {(step, who) for r, step, who in won if r == rid}
                lost += len(winners - set(taken))
                lost += len(sub.route.steps) - len({step for step, _who in taken})
                lost += sub.status is not Status.APPROVED
                doubled += len(taken) - len({step for step, _who in taken})
                doubled += len([w for w in won if w[0] == rid]) - len(set(taken))
                actors = [who for _step, who in taken]
                sod += len(actors) - len(set(actors)) + actors.count(requester[rid])
        findings = run_audit(store)
    finally:
        store.dispose()
    offences = sum(f.count for f in findings if f.control in SOD_CONTROLS)
    return lost, doubled, sod, offences


@contextmanager
def _server(url: str, workers: int) -> Iterator[tuple[str, dict[str, str]]]:
    with tempfile.TemporaryDirectory() as scratch:
        env, tokens = prepare(url, Path(scratch))
        with serving(env, workers=workers) as base:
            yield base, tokens


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test for each worker count; print a table and the JSON; 1 if not clean."""
    parser = argparse.ArgumentParser(prog="python -m agency_http.loadtest", description=__doc__)
    parser.add_argument("--url", default=os.environ.get("AGENCY_DATABASE_URL"), required=False)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("--url (or AGENCY_DATABASE_URL) is needed: a PostgreSQL database to fill")
    reports = []
    for workers in args.workers:
        with _server(args.url, workers) as (base, tokens):
            reports.append(
                run(
                    base,
                    args.url,
                    tokens,
                    workers=workers,
                    decisions=args.decisions,
                    claims=args.claims,
                    clients=args.clients,
                )
            )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")
    head = "workers decisions/s p50 ms p99 ms | approvals/s p50 ms p99 ms | lost doubled SOD"
    print(head)
    for r in reports:
        print(
            f"{r.workers:7} {r.decisions_per_s:11} {r.decide_p50_ms:6} {r.decide_p99_ms:6} | "
            f"{r.approvals_per_s:11} {r.step_p50_ms:6} {r.step_p99_ms:6} | "
            f"{r.lost:4} {r.doubled:7} {r.sod_stored + r.sod_offences:3}"
        )
    print(json.dumps([attrs.asdict(r) for r in reports], indent=2))
    return 0 if all(r.clean and not r.sod_offences for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
