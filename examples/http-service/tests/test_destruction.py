"""RET-04 over HTTP: a destruction list's signatures are given by their signers, each as the
caller; nobody signs for someone else."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from agency_core.store.session import open_store

from .conftest import Prepared, row_counts

APPROVERS = ("wang", "sun", "feng")
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


def test_a_clerk_forging_the_signatures_is_refused_and_nothing_is_stored(
    client: TestClient, prepared: Prepared
) -> None:
    clerk = prepared.auth("chen")
    number = _old_voucher(client, prepared)
    before = row_counts(prepared.url)
    proposed = client.post("/destruction-lists", json=_listing(number, **FORGED), headers=clerk)
    assert proposed.status_code == 403, proposed.text
    assert proposed.json() == {
        "errors": [
            "a signer is the authenticated caller chen, not 'wang' @ $.approvals[0].employee"
        ]
    }
    only_supervisors = _listing(number, supervisors=FORGED["supervisors"])
    refused = client.post("/destruction-lists", json=only_supervisors, headers=clerk)
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0].endswith("@ $.supervisors[0].employee")
    assert row_counts(prepared.url) == before
    executed = client.post("/destruction-lists/XL-1/execute", headers=prepared.auth("sun"))
    assert executed.status_code == 404, executed.text
    assert _destroyed(prepared.url, number) is None


def _sign_all(client: TestClient, prepared: Prepared) -> None:
    for who in APPROVERS:
        signed = client.post("/destruction-lists/XL-1/approvals", headers=prepared.auth(who))
        assert signed.status_code == 201, (who, signed.text)
    for who in SUPERVISORS:
        signed = client.post(
            "/destruction-lists/XL-1/supervision",
            json={"checked_before": True, "signed_after": True},
            headers=prepared.auth(who),
        )
        assert signed.status_code == 201, (who, signed.text)


def test_each_signs_as_themselves_and_the_list_then_executes(
    client: TestClient, prepared: Prepared
) -> None:
    clerk = prepared.auth("chen")
    number = _old_voucher(client, prepared)
    proposed = client.post("/destruction-lists", json=_listing(number), headers=clerk)
    assert proposed.status_code == 201, proposed.text
    keeper = prepared.auth("sun")  # the head of archives executes (RET-04)
    early = client.post("/destruction-lists/XL-1/execute", headers=keeper)
    assert early.status_code == 403, early.text  # RET-04: nobody signed yet
    denied = [f for f in early.json()["decision"]["findings"] if f["severity"] == "deny"]
    assert {f["control"] for f in denied} == {"RET-04"}
    _sign_all(client, prepared)
    executed = client.post("/destruction-lists/XL-1/execute", headers=keeper)
    assert executed.status_code == 200, executed.text
    assert executed.json()["outcome"] == "allow"
    assert _destroyed(prepared.url, number) is not None


def test_the_signatures_name_their_signers(client: TestClient, prepared: Prepared) -> None:
    number = _old_voucher(client, prepared)
    own = {"approvals": [{"employee": "sun", "role": "archives_head"}]}
    proposed = client.post(
        "/destruction-lists", json=_listing(number, **own), headers=prepared.auth("sun")
    )
    assert proposed.status_code == 201, proposed.text  # one's own signature, in the proposal
    signed = client.post(
        "/destruction-lists/XL-1/approvals", json={}, headers=prepared.auth("wang")
    )
    assert signed.status_code == 201, signed.text
    assert signed.json()["approvals"] == [
        {"employee": "sun", "role": "archives_head", "department": "", "checked_before": False,
         "signed_after": False},
        {"employee": "wang", "role": "general_manager", "department": "management",
         "checked_before": False, "signed_after": False},
    ]  # fmt: skip
    supervised = client.post(
        "/destruction-lists/XL-1/supervision",
        json={"checked_before": True, "signed_after": True},
        headers=prepared.auth("zhao"),
    )
    assert supervised.status_code == 201, supervised.text
    assert supervised.json()["supervisors"] == [
        {"employee": "zhao", "role": "", "department": "accounting", "checked_before": True,
         "signed_after": True},
    ]  # fmt: skip


def test_a_second_signature_by_the_same_person_is_refused(
    client: TestClient, prepared: Prepared
) -> None:
    number = _old_voucher(client, prepared)
    client.post("/destruction-lists", json=_listing(number), headers=prepared.auth("chen"))
    wang = prepared.auth("wang")
    assert client.post("/destruction-lists/XL-1/approvals", headers=wang).status_code == 201
    before = row_counts(prepared.url)
    again = client.post("/destruction-lists/XL-1/approvals", headers=wang)
    assert again.status_code == 409, again.text
    assert again.json() == {"errors": ["wang already signed destruction list XL-1 (approval)"]}
    assert row_counts(prepared.url) == before


def test_an_executed_or_unknown_list_takes_no_signature(
    client: TestClient, prepared: Prepared
) -> None:
    number = _old_voucher(client, prepared)
    client.post("/destruction-lists", json=_listing(number), headers=prepared.auth("chen"))
    _sign_all(client, prepared)
    assert (
        client.post("/destruction-lists/XL-1/execute", headers=prepared.auth("sun")).status_code
        == 200
    )
    before = row_counts(prepared.url)
    late = client.post("/destruction-lists/XL-1/approvals", headers=prepared.auth("feng"))
    assert late.status_code == 409, late.text
    assert late.json() == {"errors": ["destruction list XL-1 was already executed"]}
    supervise = {"checked_before": True, "signed_after": True}
    late = client.post(
        "/destruction-lists/XL-1/supervision", json=supervise, headers=prepared.auth("zhao")
    )
    assert late.status_code == 409, late.text
    unknown = client.post("/destruction-lists/XL-9/approvals", headers=prepared.auth("feng"))
    assert unknown.status_code == 404, unknown.text
    assert row_counts(prepared.url) == before


def test_a_signature_body_names_nobody(client: TestClient, prepared: Prepared) -> None:
    number = _old_voucher(client, prepared)
    client.post("/destruction-lists", json=_listing(number), headers=prepared.auth("chen"))
    before = row_counts(prepared.url)
    chen = prepared.auth("chen")
    for path, body in (
        ("approvals", {"employee": "wang"}),
        ("supervision", {"checked_before": True, "signed_after": True, "employee": "sun"}),
        ("supervision", {"checked_before": True}),
        ("supervision", {"checked_before": True, "signed_after": False}),
        ("supervision", {"checked_before": False, "signed_after": True}),
    ):
        answer = client.post(f"/destruction-lists/XL-1/{path}", json=body, headers=chen)
        assert answer.status_code == 400, (path, answer.text)
    unchecked = client.post(
        "/destruction-lists/XL-1/supervision",
        json={"checked_before": False, "signed_after": True},
        headers=chen,
    )
    assert unchecked.json() == {
        "errors": ["a supervisor signs with checked_before true @ $.checked_before"]
    }
    assert row_counts(prepared.url) == before
