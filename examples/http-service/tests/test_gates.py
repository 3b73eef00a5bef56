"""The doors a caller without the right could open: a step of a request they may not read, the
keeper's work on records (RET-06, RET-07), and signing a destruction list (RET-04); none of them
tells such a caller whether the thing exists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from agency_http.loadtest import claim
from starlette.testclient import TestClient

from agency_core.entities import Delegation, Employee
from agency_core.store.session import open_store

from .conftest import Prepared, approved_borrowing, row_counts
from .test_destruction import _listing, _old_voucher
from .test_reading import APPROVAL_REFUSED, _token

RETURN_REFUSED = {
    "errors": [
        "POST /loans/{loan}/return is for the roles archives_head and the loan's borrower: refused"
    ]
}


def _step(client: TestClient, prepared: Prepared, who: str, request_id: str, step: int = 0) -> Any:
    return client.post(
        f"/approvals/{request_id}/steps/{step}",
        json={"verdict": "approve"},
        headers={**prepared.auth(who), "Idempotency-Key": f"{who}-{request_id}-{step}"},
    )


def test_a_step_is_answered_only_to_those_who_may_read_the_request(
    client: TestClient, prepared: Prepared
) -> None:
    submitted = client.post(
        "/approvals",
        json=claim("C-1", "12000", "chen"),
        headers={**prepared.auth("chen"), "Idempotency-Key": "s"},
    )
    assert submitted.status_code == 201, submitted.text
    before = row_counts(prepared.url)
    # a clerk of accounting, a finance reviewer whose step is not next, the head of archives
    for who in ("zhao", "zhou", "sun"):
        for request_id, step in (("C-1", 0), ("C-1", 1), ("NOPE", 0)):
            refused = _step(client, prepared, who, request_id, step)
            assert refused.status_code == 403, (who, request_id, refused.text)
            assert refused.json() == APPROVAL_REFUSED  # no decision, no findings
    assert row_counts(prepared.url) == before  # nothing written, no denial logged
    own = _step(client, prepared, "chen", "C-1")  # the requester reads it, may not approve it
    assert own.status_code == 403, own.text
    assert own.json()["decision"]["outcome"] == "deny"
    assert own.json()["decision"]["findings"]
    assert _step(client, prepared, "wu", "NOPE").status_code == 404  # oversight may know
    assert _step(client, prepared, "zhang", "C-1").status_code == 200
    assert _step(client, prepared, "zhou", "C-1", 1).status_code == 200  # next now: reads it


def test_a_delegate_takes_the_step_of_a_principal_who_may_read(
    client: TestClient, prepared: Prepared
) -> None:
    """APR-06: under a delegation in force, a deputy acts for zhang; without one, refused."""
    client.post(
        "/approvals",
        json=claim("C-1", "12000", "chen"),
        headers={**prepared.auth("chen"), "Idempotency-Key": "s"},
    )
    for_zhang = {"verdict": "approve", "on_behalf_of": "zhang"}
    deputy = _token(prepared, Employee("deng", "business", {"deputy_dept_head"}, "邓副主管"))
    headers = {**deputy, "Idempotency-Key": "d"}
    refused = client.post("/approvals/C-1/steps/0", json=for_zhang, headers=headers)
    assert refused.status_code == 403, refused.text
    assert refused.json() == APPROVAL_REFUSED  # no delegation: the deputy learns nothing
    now = datetime.now(UTC)
    store = open_store(prepared.url)
    try:
        with store.transaction() as tx:
            tx.delegations.add(
                Delegation("zhang", "deng", now - timedelta(days=1), now + timedelta(days=1))
            )
    finally:
        store.dispose()
    headers["Idempotency-Key"] = "e"
    taken = client.post("/approvals/C-1/steps/0", json=for_zhang, headers=headers)
    assert taken.status_code == 200, taken.text
    assert taken.json()["on_behalf_of"] == "zhang"


def test_lending_and_backups_are_the_keepers_work(client: TestClient, prepared: Prepared) -> None:
    number = _old_voucher(client, prepared)
    approved_borrowing(client, prepared, "B-1")
    loan = {
        "loan_id": "L-1",
        "borrower": "chen",
        "lent_on": "2026-02-02",
        "due_on": "2026-02-10",
        "approval_id": "B-1",
    }
    backup = {"location": "vault-2", "on": "2026-02-09"}
    before = row_counts(prepared.url)
    for who in ("chen", "ma", "wu"):  # the borrower, the legal reviewer, the auditor
        lent = client.post(f"/records/{number}/loans", json=loan, headers=prepared.auth(who))
        assert lent.status_code == 403, (who, lent.text)
        assert lent.json() == {
            "errors": ["POST /records/{number}/loans is for the roles archives_head only"]
        }
        kept = client.post(f"/records/{number}/backups", json=backup, headers=prepared.auth(who))
        assert kept.status_code == 403, (who, kept.text)
        assert kept.json() == {
            "errors": ["POST /records/{number}/backups is for the roles archives_head only"]
        }
    assert row_counts(prepared.url) == before
    keeper = prepared.auth("sun")
    stranger = loan | {"borrower": "nobody"}
    unknown = client.post(f"/records/{number}/loans", json=stranger, headers=keeper)
    assert unknown.status_code == 400, unknown.text
    assert unknown.json() == {"errors": ["nobody is not in the firm's staff @ $.borrower"]}
    on_chens = client.post(
        f"/records/{number}/loans", json=loan | {"borrower": "zhao"}, headers=keeper
    )
    assert on_chens.status_code == 403, on_chens.text  # B-1 is chen's request, not zhao's
    assert on_chens.json() == {
        "errors": ["a loan is made on the borrower's own request, not 'B-1' @ $.approval_id"]
    }
    assert row_counts(prepared.url) == before
    lent = client.post(f"/records/{number}/loans", json=loan, headers=keeper)
    assert lent.status_code == 201, lent.text
    assert [x["borrower"] for x in lent.json()["loans"]] == ["chen"]
    kept = client.post(f"/records/{number}/backups", json=backup, headers=keeper)
    assert kept.json() == {"record": number, "backups": 1}


def _lent_to_chen(prepared: Prepared, number: str, loan_id: str, request_id: str) -> None:
    """A loan of ``number`` to chen on ``request_id``, stored as the keeper's lending would."""
    store = open_store(prepared.url)
    try:
        with store.transaction() as tx:
            tx.records.lend(
                number,
                loan_id,
                "chen",
                lent_on=date(2026, 2, 2),
                due_on=date(2026, 2, 10),
                approval_id=request_id,
            )
    finally:
        store.dispose()


def test_a_return_is_recorded_by_the_keeper_or_the_borrower(
    client: TestClient, prepared: Prepared
) -> None:
    number = _old_voucher(client, prepared)
    keeper = prepared.auth("sun")
    for loan_id, request_id in (("L-1", "B-1"), ("L-2", "B-2")):
        approved_borrowing(client, prepared, request_id)
        _lent_to_chen(prepared, number, loan_id, request_id)
        before = row_counts(prepared.url)
        for who in ("zhao", "ma", "wu"):  # a clerk, the legal reviewer, the auditor
            for loan_asked in (loan_id, "NOPE"):  # refused alike whether it exists or not
                refused = client.post(
                    f"/loans/{loan_asked}/return",
                    json={"on": "2026-02-08"},
                    headers=prepared.auth(who),
                )
                assert refused.status_code == 403, (who, loan_asked, refused.text)
                assert refused.json() == RETURN_REFUSED
        assert row_counts(prepared.url) == before
        returner = "chen" if loan_id == "L-1" else "sun"  # the borrower, then the keeper
        returned = client.post(
            f"/loans/{loan_id}/return", json={"on": "2026-02-08"}, headers=prepared.auth(returner)
        )
        assert returned.status_code == 200, (returner, returned.text)
    missing = client.post("/loans/NOPE/return", json={"on": "2026-02-08"}, headers=keeper)
    assert missing.status_code == 404, missing.text  # the keeper may know
    again = client.post(
        "/loans/L-1/return", json={"on": "2026-02-09"}, headers=prepared.auth("chen")
    )
    assert again.status_code == 409, again.text  # the borrower's own loan, already returned


def test_only_those_whose_signature_counts_sign_a_destruction_list(
    client: TestClient, prepared: Prepared
) -> None:
    number = _old_voucher(client, prepared)
    proposed = client.post(
        "/destruction-lists", json=_listing(number), headers=prepared.auth("chen")
    )
    assert proposed.status_code == 201, proposed.text
    supervise = {"checked_before": True, "signed_after": True}
    before = row_counts(prepared.url)
    for list_id in ("XL-1", "XL-9"):  # refused alike whether it exists or not
        for who in ("li", "chen", "wu"):  # not among the policy's approver roles
            refused = client.post(
                f"/destruction-lists/{list_id}/approvals", headers=prepared.auth(who)
            )
            assert refused.status_code == 403, (who, list_id, refused.text)
            assert refused.json() == {
                "errors": [
                    "a destruction list's approval is signed by the roles general_manager, "
                    "archives_head, accounting_head only: refused"
                ]
            }
        for who in ("li", "chen", "wang"):  # finance, business, management
            refused = client.post(
                f"/destruction-lists/{list_id}/supervision",
                json=supervise,
                headers=prepared.auth(who),
            )
            assert refused.status_code == 403, (who, list_id, refused.text)
            assert refused.json() == {
                "errors": [
                    "a destruction list's supervision is signed by the departments archives, "
                    "accounting only: refused"
                ]
            }
    assert row_counts(prepared.url) == before
    feng = prepared.auth("feng")  # the head of accounting: an approver, may know every list
    assert client.post("/destruction-lists/XL-9/approvals", headers=feng).status_code == 404
    assert client.post("/destruction-lists/XL-1/approvals", headers=feng).status_code == 201
    supervised = client.post(
        "/destruction-lists/XL-1/supervision", json=supervise, headers=prepared.auth("zhao")
    )
    assert supervised.status_code == 201, supervised.text


def test_the_document_says_who_may_take_a_step_return_a_loan_sign_a_list(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    step = paths["/approvals/{id}/steps/{step}"]["post"]["description"]
    assert step.startswith("Whoever may read the request")
    returned = paths["/loans/{loan}/return"]["post"]["description"]
    assert returned.startswith("The roles archives_head and the loan's borrower")
    for path in ("/destruction-lists/{id}/approvals", "/destruction-lists/{id}/supervision"):
        assert paths[path]["post"]["description"].startswith("Only ")
    for description in (step, returned):
        assert "refused with 403, whether" in description
    for path in ("/records/{number}/loans", "/records/{number}/backups"):
        assert paths[path]["post"]["x-agency-roles"] == ["archives_head"]
