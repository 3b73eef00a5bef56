"""Fixtures: a prepared database (schema, staff, tokens), the app in process, the real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from agency_http.app import Config, create_app
from agency_http.loadtest import claim, prepare
from starlette.testclient import TestClient

from agency_core.store.session import open_store


@attrs.frozen
class Prepared:
    """A database ready to serve: its URL, the server's environment, a token per employee."""

    url: str
    env: dict[str, str]
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def config(self, **options: Any) -> Config:
        return Config(self.url, Path(self.env["AGENCY_HTTP_TOKENS"]), **options)


@pytest.fixture
def prepared(agency_db_url: str, tmp_path: Path) -> Prepared:
    env, tokens = prepare(agency_db_url, tmp_path)
    return Prepared(agency_db_url, env, tokens)


@pytest.fixture
def client(prepared: Prepared) -> Iterator[TestClient]:
    with TestClient(create_app(prepared.config()), raise_server_exceptions=True) as test_client:
        yield test_client


def approved_borrowing(client: TestClient, prepared: Prepared, request_id: str) -> None:
    """chen's archive borrowing request ``request_id``, submitted and approved by the head of
    archives: what a loan to chen is made on (RET-06)."""
    borrow = claim(request_id, "0", "chen") | {"action": "archive_borrowing"}
    client.post(
        "/approvals", json=borrow, headers={**prepared.auth("chen"), "Idempotency-Key": request_id}
    )
    approved = client.post(
        f"/approvals/{request_id}/steps/0",
        json={"verdict": "approve"},
        headers={**prepared.auth("sun"), "Idempotency-Key": f"sun-{request_id}"},
    )
    assert approved.status_code == 200, approved.text


def row_counts(url: str) -> dict[str, int]:
    """Rows in every table of the database at ``url``: what a refused call must not change."""
    store = open_store(url)
    try:
        metadata = sa.MetaData()
        with store.database.connect() as conn:
            metadata.reflect(conn)
            return {
                name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in metadata.tables.items()
            }
    finally:
        store.dispose()
