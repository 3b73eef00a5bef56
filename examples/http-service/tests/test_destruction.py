"""RET-04 over HTTP: a destruction list's signatures are given by their signers, each as the
caller; nobody signs for someone else."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from agency_core.store.session import open_store

from .conftest import Prepared, row_counts

APPROVERS = ("wang", "sun", "qian")
"""The general manager and the heads of archives and accounting (the default policy's)."""
SUPERVISORS = ("sun", "zhao")
"""One of archives, one of accounting."""


def _destroyed(url: str, number: str) -> Any:
    """The day record ``number`` was destroyed (None: still kept), read from the database."""
    store = open_store(url)
    try:
        with store.database.connect() as conn:
            query = sa.text("SELECT destroyed_on FROM records WHERE number = :n")
            return conn.execute(query, {"n": number}).scalar_one()
    finally:
        store.dispose()


def _old_voucher(client: TestClient, prepared: Prepared) -> str:
    made = client.post(
        "/records",
        json={"record_class": "voucher", "closed_on": "1990-06-30"},
        headers=prepared.auth("sun"),
    )
    assert made.status_code == 201, made.text
    number: str = made.json()["number"]
    return number


def _listing(number: str, **signatures: Any) -> dict[str, Any]:
    return {
        "id": "XL-1",
        "destruction_on": "2026-11-30",
        "items": [
            {
                "record": number,
                "name": "voucher",
                "volume": "V1",
                "start_year": 1990,
                "end_year": 1990,
                "required_years": 30,
                "kept_years": 36,
            }
        ],
        "appraisals": [{"record": number, "opinion": "destroy", "appraiser": "sun"}],
        **signatures,
    }


FORGED = {
    "approvals": [{"employee": who} for who in APPROVERS],
    "supervisors": [
        {"employee": who, "checked_before": True, "signed_after": True} for who in SUPERVISORS
    ],
}


def test_a_clerk_forging_the_signatures_destroys_records(
    client: TestClient, prepared: Prepared
) -> None:
    clerk = prepared.auth("chen")
    number = _old_voucher(client, prepared)
    proposed = client.post("/destruction-lists", json=_listing(number, **FORGED), headers=clerk)
    assert proposed.status_code == 201, proposed.text
    executed = client.post("/destruction-lists/XL-1/execute", headers=clerk)
    assert executed.status_code == 200, executed.text
    assert executed.json()["outcome"] == "allow"
    assert _destroyed(prepared.url, number) is not None
