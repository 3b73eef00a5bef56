"""The real server: uvicorn worker processes on a loopback port, against a real database.

Two workers on the PostgreSQL of ``AGENCY_TEST_DATABASE_URL`` when it is set, else one on SQLite,
as the README runs them. One server serves every test of this module (starting it is the slow
part).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from agency_http.loadtest import Client, claim, prepare, run
from agency_http.serving import serving

from agency_core.store.audit import run_audit
from agency_core.store.session import open_store
from agency_core.testing.databases import TEST_DATABASE_ENV, scratch_database

from .conftest import Prepared, row_counts

POSTGRESQL = bool(os.environ.get(TEST_DATABASE_ENV))
WORKERS = 2 if POSTGRESQL else 1


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Prepared, str]]:
    directory = tmp_path_factory.mktemp("live")
    with scratch_database("postgresql" if POSTGRESQL else "sqlite", directory) as url:
        env, tokens = prepare(url, directory)
        with serving(env, workers=WORKERS) as base:
            yield Prepared(url, env, tokens), base


@pytest.fixture
def client(live: tuple[Prepared, str]) -> Iterator[Client]:
    prepared, base = live
    with Client(base, prepared.tokens) as client:
        yield client


def test_concurrent_approvers_of_one_step_over_http(
    live: tuple[Prepared, str], client: Client
) -> None:
    prepared, base = live
    assert client.call("chen", "POST", "/approvals", claim("R-1", "12000", "chen"), "s")[0] == 201
    before = row_counts(prepared.url)
    with Client(base, {"zhang": "not-a-token-of-anyone-at-all"}) as stranger:
        assert (
            stranger.call("zhang", "POST", "/approvals/R-1/steps/0", {"verdict": "approve"}, "x")[0]
            == 401
        )
    assert row_counts(prepared.url) == before
    racers = ["zhang", "zhang2", "multi", "zhang", "zhang2", "chen"]
    with ThreadPoolExecutor(len(racers)) as pool:
        answers = list(
            pool.map(
                lambda i: client.call(
                    racers[i], "POST", "/approvals/R-1/steps/0", {"verdict": "approve"}, f"r{i}"
                ),
                range(len(racers)),
            )
        )
    statuses = sorted(status for status, _body, _s in answers)
    assert statuses.count(200) == 1, answers
    assert set(statuses) <= {200, 403, 409}
    state = client.call("chen", "GET", "/approvals/R-1")[1]  # the requester
    assert [a["step"] for a in state["history"]] == [0]
    winner = next(body["actor"] for status, body, _s in answers if status == 200)
    assert state["history"][0]["actor"] == winner != "chen"


def test_submissions_are_idempotent_across_workers(client: Client) -> None:
    ids = [f"I-{i}" for i in range(6)]
    with ThreadPoolExecutor(6) as pool:
        made = list(
            pool.map(
                lambda rid: client.call(
                    "chen", "POST", "/approvals", claim(rid, "100", "chen"), rid
                ),
                ids,
            )
        )
        again = list(
            pool.map(
                lambda rid: client.call(
                    "chen", "POST", "/approvals", claim(rid, "100", "chen"), rid
                ),
                ids,
            )
        )
    assert [m[0] for m in made] == [201] * 6
    assert [a[1] for a in again] == [m[1] for m in made]


def test_a_small_load_run(live: tuple[Prepared, str]) -> None:
    prepared, base = live
    report = run(
        base, prepared.url, prepared.tokens, workers=WORKERS, decisions=60, claims=8, clients=4
    )
    assert report.clean, report
    assert report.approvals == 8 * 3  # every step of every claim approved exactly once
    assert report.refused > 0  # the races happened: losers were turned away
    assert report.decisions_per_s > 0
    store = open_store(prepared.url)
    try:
        sod = [f for f in run_audit(store) if f.control in ("SOD-01", "SOD-03", "SOD-04")]
    finally:
        store.dispose()
    assert [f.count for f in sod] == [0, 0, 0]
