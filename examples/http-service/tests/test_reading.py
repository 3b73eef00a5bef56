"""Who may read what: an approval request is for those it concerns, a record for its keepers and
current borrowers, and destroying records for the head of archives (RET-04)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from agency_http.app import may_read_approval
from agency_http.cli import put_staff
from agency_http.loadtest import claim
from agency_http.tokens import issue
from starlette.testclient import TestClient

from agency_core.codec import request_from_json
from agency_core.engine import Engine
from agency_core.entities import Employee, StepAction
from agency_core.store import Status, Submission

from .conftest import Prepared, approved_borrowing, row_counts
from .test_destruction import _destroyed, _listing, _old_voucher, _sign_all

APPROVAL_REFUSED = {
    "errors": [
        "GET /approvals/{id} is for the request's requester, its approvers, the holders of its "
        "next step's role and the oversight roles: refused"
    ]
}
RECORD_REFUSED = {
    "errors": [
        "GET /records/{number} is for the roles archives_head, legal_reviewer, the oversight "
        "roles and the borrower of a current loan of the record: refused"
    ]
}


def _token(prepared: Prepared, employee: Employee) -> dict[str, str]:
    put_staff(prepared.url, [employee])
    token = issue(Path(prepared.env["AGENCY_HTTP_TOKENS"]), employee.id)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def submitted(client: TestClient, prepared: Prepared) -> TestClient:
    """Chen's claim C-1 of 12,000 CNY: dept_head (business), finance_reviewer, finance_manager."""
    answer = client.post(
        "/approvals",
        json=claim("C-1", "12000", "chen"),
        headers={**prepared.auth("chen"), "Idempotency-Key": "s"},
    )
    assert answer.status_code == 201, answer.text
    return client


def _read(client: TestClient, headers: dict[str, str], request_id: str = "C-1") -> int:
    return client.get(f"/approvals/{request_id}", headers=headers).status_code


def test_an_approval_request_is_read_by_those_it_concerns(
    submitted: TestClient, prepared: Prepared
) -> None:
    client = submitted
    # the requester, the holder of the next step's role (business), the auditor
    for who in ("chen", "zhang", "wu"):
        answer = client.get("/approvals/C-1", headers=prepared.auth(who))
        assert answer.status_code == 200, (who, answer.text)
        assert answer.json()["request"]["requester"] == "chen"
    # a clerk of accounting, a finance reviewer whose step is not next, the head of archives
    for who in ("zhao", "zhou", "sun"):
        refused = client.get("/approvals/C-1", headers=prepared.auth(who))
        assert refused.status_code == 403, (who, refused.text)
        assert refused.json() == APPROVAL_REFUSED
    other_head = _token(prepared, Employee("qin", "finance", {"dept_head"}, "秦主管"))
    assert _read(client, other_head) == 403  # dept_head, but the step is the business's
    director = _token(prepared, Employee("he", "business", {"branch_director"}, "何主任"))
    assert _read(client, director) == 200  # inherits dept_head, in the business department
    taken = client.post(
        "/approvals/C-1/steps/0",
        json={"verdict": "approve"},
        headers={**prepared.auth("zhang"), "Idempotency-Key": "k0"},
    )
    assert taken.status_code == 200, taken.text
    assert _read(client, prepared.auth("zhang")) == 200  # took a step
    assert _read(client, prepared.auth("zhou")) == 200  # holds the next step's role now
    assert _read(client, prepared.auth("li")) == 403  # finance_manager: step 2, not yet next
    assert _read(client, prepared.auth("zhang2")) == 403  # step 0 is taken: no longer concerned


def test_a_refused_reader_cannot_tell_whether_a_request_exists(
    submitted: TestClient, prepared: Prepared
) -> None:
    client = submitted
    clerk = prepared.auth("zhao")
    there, nowhere = (
        client.get("/approvals/C-1", headers=clerk),
        client.get("/approvals/NOPE", headers=clerk),
    )
    assert (there.status_code, there.json()) == (nowhere.status_code, nowhere.json())
    assert nowhere.status_code == 403
    assert _read(client, prepared.auth("wu"), "NOPE") == 404  # the auditor may read any: told
    ghost = issue(Path(prepared.env["AGENCY_HTTP_TOKENS"]), "ghost")  # a token, no employee
    refused = client.get("/approvals/C-1", headers={"Authorization": f"Bearer {ghost}"})
    assert refused.status_code == 403
    assert refused.json() == {"errors": ["ghost is not in the firm's staff: refused"]}


def test_a_record_is_read_by_its_keepers_and_its_current_borrower(
    client: TestClient, prepared: Prepared
) -> None:
    made = client.post(
        "/records",
        json={"record_class": "voucher", "closed_on": "2025-12-31"},
        headers=prepared.auth("sun"),
    )
    number = made.json()["number"]
    path = f"/records/{number}"
    for who in ("sun", "ma", "wu"):  # archives, legal, the auditor
        answer = client.get(path, headers=prepared.auth(who))
        assert answer.status_code == 200, (who, answer.text)
    assert client.get("/records/NOPE-1", headers=prepared.auth("sun")).status_code == 404
    for where in (path, "/records/NOPE-1"):  # refused alike whether it exists or not
        refused = client.get(where, headers=prepared.auth("chen"))
        assert refused.status_code == 403, refused.text
        assert refused.json() == RECORD_REFUSED
    approved_borrowing(client, prepared, "B-1")
    loan = {"loan_id": "L-1", "lent_on": "2026-02-02", "due_on": "2026-02-10", "approval_id": "B-1"}
    lent = client.post(
        f"{path}/loans", json=loan | {"borrower": "chen"}, headers=prepared.auth("sun")
    )
    assert lent.status_code == 201, lent.text
    read = client.get(path, headers=prepared.auth("chen"))
    assert read.status_code == 200, read.text  # the borrower of a current loan
    assert [x["borrower"] for x in read.json()["loans"]] == ["chen"]
    assert client.get(path, headers=prepared.auth("zhao")).status_code == 403
    returned = client.post(
        "/loans/L-1/return", json={"on": "2026-02-08"}, headers=prepared.auth("sun")
    )
    assert returned.status_code == 200, returned.text
    assert client.get(path, headers=prepared.auth("chen")).status_code == 403  # returned


def test_only_the_head_of_archives_executes_a_destruction_list(
    client: TestClient, prepared: Prepared
) -> None:
    number = _old_voucher(client, prepared)
    proposed = client.post(
        "/destruction-lists", json=_listing(number), headers=prepared.auth("chen")
    )
    assert proposed.status_code == 201, proposed.text
    _sign_all(client, prepared)
    before = row_counts(prepared.url)
    for who in ("chen", "wang", "wu"):  # a clerk, an approver of the list, the auditor
        refused = client.post("/destruction-lists/XL-1/execute", headers=prepared.auth(who))
        assert refused.status_code == 403, (who, refused.text)
        assert refused.json() == {
            "errors": ["POST /destruction-lists/{id}/execute is for the roles archives_head only"]
        }
    assert row_counts(prepared.url) == before
    assert _destroyed(prepared.url, number) is None
    executed = client.post("/destruction-lists/XL-1/execute", headers=prepared.auth("sun"))
    assert executed.status_code == 200, executed.text
    assert _destroyed(prepared.url, number) is not None


def test_the_document_says_who_may_read(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    approval = paths["/approvals/{id}"]["get"]["description"]
    record = paths["/records/{number}"]["get"]["description"]
    assert approval.startswith("Its requester, anyone who took a step of it")
    assert record.startswith("The roles archives_head, legal_reviewer and the oversight roles")
    for description in (approval, record):
        assert "refused with 403, whether it exists or not" in description


def test_the_principal_of_a_delegate_who_took_a_step_may_read() -> None:
    """APR-06: a step taken by a delegate in zhang's name concerns zhang too."""
    engine = Engine()
    request = request_from_json(claim("C-9", "12000", "chen"), engine)
    route = engine.decide(request).route
    at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    taken = StepAction(0, "zhao", "approve", at, on_behalf_of="zhang")
    sub = Submission(request, route, Status.PENDING, 1, (taken,), at, "v", "0" * 64)
    policy = engine.policy

    def reads(who: str, roles: set[str]) -> bool:
        return may_read_approval(policy, Employee(who, "business", roles), sub)

    assert reads("zhang", {"dept_head"})  # the principal
    assert reads("zhao", set())  # the delegate, the actor
    assert not reads("zhang2", {"dept_head"})  # step 0 is taken; step 1 is finance_reviewer's
    assert reads("zhou", {"finance_reviewer"})  # the next step's role
    assert not may_read_approval(policy, Employee("chen", "business", ()), None)
    assert may_read_approval(policy, Employee("wu", "audit", {"auditor"}), None)
