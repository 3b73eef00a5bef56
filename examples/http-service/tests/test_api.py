"""The API in process: decisions, approvals, duties, the registry, the log, the audit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from agency_http.app import OPERATIONS, create_app
from agency_http.loadtest import claim
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from agency_core.codec import decision_schema, request_schema
from agency_core.engine import Engine

from .conftest import Prepared, approved_borrowing, row_counts


def test_openapi_is_built_from_the_core_schemas(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    core = json.loads(
        json.dumps(request_schema(Engine())).replace("#/$defs/", "#/components/schemas/")
    )
    assert schemas["Request"]["oneOf"] == core["oneOf"]
    for name, schema in core["$defs"].items():
        assert schemas[name] == schema
    assert schemas["Decision"] == {
        k: v for k, v in decision_schema(Engine()).items() if k != "$schema"
    }
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    assert (
        document["paths"]["/approvals/{id}/steps/{step}"]["post"]["parameters"][-1]["name"]
        == "Idempotency-Key"
    )


def test_a_plugin_kind_is_in_the_document_and_decided(
    prepared: Prepared, monkeypatch: pytest.MonkeyPatch
) -> None:
    act = {
        "kind": "admin_act",
        "id": "A-1",
        "act": "supplies_issue",
        "subject": "S-1",
        "application": "AP-1",
        "actor": "chen",
        "on": "2026-11-30",
    }
    with TestClient(create_app(prepared.config())) as plain:
        unknown = plain.post("/decide", json=act, headers=prepared.auth("chen"))
        assert unknown.status_code == 400
        assert unknown.json()["errors"][0].endswith("@ $.kind")
    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "admin")  # the admin department's plugin
    with TestClient(create_app(prepared.config())) as client:
        kinds = [
            v["properties"]["kind"]["const"]
            for v in client.get("/openapi.json").json()["components"]["schemas"]["Request"]["oneOf"]
        ]
        assert "admin_act" in kinds
        decided = client.post("/decide", json=act, headers=prepared.auth("chen"))
        assert decided.status_code == 200, decided.json()
        assert decided.json()["kind"] == "admin_act"


def test_decide_one_and_a_batch(client: TestClient, prepared: Prepared) -> None:
    one = client.post("/decide", json=claim("E-1", "12000", "chen"), headers=prepared.auth("chen"))
    assert one.status_code == 200
    assert one.json()["outcome"] == "needs_approval"
    assert [s["role"] for s in one.json()["route"]["steps"]] == [
        "dept_head",
        "finance_reviewer",
        "finance_manager",
    ]
    batch = client.post(
        "/decide",
        json=[claim("E-2", "100", "chen"), claim("E-3", "90000", "chen")],
        headers=prepared.auth("chen"),
    )
    assert batch.status_code == 200
    assert [len(d["route"]["steps"]) for d in batch.json()] == [2, 4]
    Draft202012Validator(decision_schema(Engine())).validate(one.json())


def test_changes_are_logged_questions_are_not_and_the_log_verifies(
    prepared: Prepared, tmp_path: Path
) -> None:
    key = tmp_path / "log.key"
    key.write_bytes(b"k" * 48)
    key.chmod(0o600)
    with TestClient(create_app(prepared.config(log_key_file=key))) as client:
        auth, auditor = prepared.auth("chen"), prepared.auth("wu")
        assert (
            client.post("/decide", json=claim("E-1", "100", "chen"), headers=auth).status_code
            == 200
        )
        assert client.post("/log/verify", headers=auditor).json()["entries"] == 0  # a question
        client.post(
            "/approvals",
            json=claim("C-1", "12000", "chen"),
            headers={**auth, "Idempotency-Key": "s"},
        )
        checkpoint = client.post("/log/checkpoint", headers=auditor)
        assert checkpoint.status_code == 200
        assert checkpoint.json()["seq"] == 1  # the routing decision of the submission
        client.post(
            "/approvals/C-1/steps/0",
            json={"verdict": "approve"},
            headers={**prepared.auth("zhang"), "Idempotency-Key": "a"},
        )
        verified = client.post(
            "/log/verify", json={"checkpoints": [checkpoint.json()]}, headers=auditor
        )
        assert verified.json() == {
            "ok": True,
            "entries": 2,
            "head": verified.json()["head"],
            "problem": None,
        }
        forged = {**checkpoint.json(), "mac": "0" * 64}
        refused = client.post("/log/verify", json={"checkpoints": [forged]}, headers=auditor)
        assert refused.status_code == 200
        assert refused.json()["ok"] is False
        assert refused.json()["problem"]["kind"] == "forged"


def test_an_approval_taken_step_by_step_by_the_callers(
    client: TestClient, prepared: Prepared
) -> None:
    submitted = client.post(
        "/approvals",
        json=claim("C-1", "12000", "chen"),
        headers={**prepared.auth("chen"), "Idempotency-Key": "s1"},
    )
    assert submitted.status_code == 201, submitted.json()
    assert submitted.json()["status"] == "pending"
    for step, who in enumerate(("zhang", "zhou", "li")):
        done = client.post(
            f"/approvals/C-1/steps/{step}",
            json={"verdict": "approve"},
            headers={**prepared.auth(who), "Idempotency-Key": f"k{step}"},
        )
        assert done.status_code == 200, done.json()
        assert done.json()["actor"] == who
    again = client.post(
        "/approvals/C-1/steps/2",
        json={"verdict": "approve"},
        headers={**prepared.auth("li"), "Idempotency-Key": "k2"},
    )
    assert again.status_code == 200  # the same key: the recorded action, no second one
    state = client.get("/approvals/C-1", headers=prepared.auth("chen")).json()  # the requester
    assert state["status"] == "approved"
    assert [(a["step"], a["actor"]) for a in state["history"]] == [
        (0, "zhang"),
        (1, "zhou"),
        (2, "li"),
    ]


def test_nobody_can_approve_as_someone_else(client: TestClient, prepared: Prepared) -> None:
    client.post(
        "/approvals",
        json=claim("C-1", "12000", "chen"),
        headers={**prepared.auth("chen"), "Idempotency-Key": "s1"},
    )
    before = row_counts(prepared.url)
    step0 = "/approvals/C-1/steps/0"
    as_zhang = client.post(
        step0,
        json={"verdict": "approve", "actor": "zhang"},
        headers={**prepared.auth("zhou"), "Idempotency-Key": "a"},
    )
    assert as_zhang.status_code == 403
    assert as_zhang.json() == {"errors": ["actor is the authenticated caller zhou, not 'zhang'"]}
    for_zhang = client.post(
        step0,
        json={"verdict": "approve", "on_behalf_of": "zhang"},
        headers={**prepared.auth("zhang2"), "Idempotency-Key": "b"},
    )
    assert for_zhang.status_code == 403  # no delegation from zhang: the engine refuses (APR-06)
    assert for_zhang.json()["decision"]["outcome"] == "deny"
    own_role = client.post(
        step0,
        json={"verdict": "approve"},
        headers={**prepared.auth("zhou"), "Idempotency-Key": "c"},
    )
    assert own_role.status_code == 403  # zhou is no department head (and may not read C-1)
    submit_as = client.post(
        "/approvals",
        json=claim("C-2", "100", "zhang"),
        headers={**prepared.auth("chen"), "Idempotency-Key": "s2"},
    )
    assert submit_as.status_code == 403
    after = row_counts(prepared.url)
    changed = {t for t in before if before[t] != after[t]}
    # the refusals are logged (a denial is kept), with the salts of the people they name (the
    # log keeps pseudonyms): nothing else
    assert changed <= {"decision_log", "log_persons"}
    assert "decision_log" in changed
    ok = client.post(
        step0,
        json={"verdict": "approve", "actor": "zhang"},
        headers={**prepared.auth("zhang"), "Idempotency-Key": "d"},
    )
    assert ok.status_code == 200
    assert ok.json()["actor"] == "zhang"


def test_a_duty_is_the_callers(client: TestClient, prepared: Prepared) -> None:
    auth = {**prepared.auth("li"), "Idempotency-Key": "d1"}
    assert (
        client.post(
            "/duties", json={"subject": "PAY-1", "duty": "approve_payment"}, headers=auth
        ).status_code
        == 201
    )
    pay = client.post(
        "/duties",
        json={"subject": "PAY-1", "duty": "pay"},
        headers={**prepared.auth("li"), "Idempotency-Key": "d2"},
    )
    assert pay.status_code == 403
    assert "SOD-03" in {f["control"] for f in pay.json()["decision"]["findings"]}
    as_other = client.post(
        "/duties",
        json={"subject": "PAY-1", "duty": "pay", "actor": "zhou"},
        headers={**prepared.auth("li"), "Idempotency-Key": "d3"},
    )
    assert as_other.status_code == 403
    other = client.post(
        "/duties",
        json={"subject": "PAY-1", "duty": "pay"},
        headers={**prepared.auth("zhou"), "Idempotency-Key": "d4"},
    )
    assert other.status_code == 201
    assert other.json()["actor"] == "zhou"


def test_the_records_registry(client: TestClient, prepared: Prepared) -> None:
    auth = prepared.auth("sun")
    made = client.post(
        "/records",
        json={"record_class": "voucher", "closed_on": "2025-12-31", "title": "凭证"},
        headers=auth,
    )
    assert made.status_code == 201, made.json()
    number = made.json()["number"]
    held = client.post(
        f"/records/{number}/holds",
        json={"hold_id": "LH-1", "reason": "tax_inspection", "on": "2026-01-05"},
        headers=auth,
    )
    assert held.status_code == 201, held.json()
    assert held.json()["holds"][0]["id"] == "LH-1"
    assert (
        client.post(
            "/holds/LH-1/release", json={"on": "2026-02-01"}, headers=prepared.auth("ma")
        ).status_code
        == 200
    )
    unapproved = client.post(
        f"/records/{number}/loans",
        json={
            "loan_id": "L-1",
            "borrower": "chen",
            "lent_on": "2026-02-02",
            "due_on": "2026-02-10",
        },
        headers=auth,
    )
    assert unapproved.status_code == 403  # RET-06: a loan needs an approved request
    approved_borrowing(client, prepared, "B-1")
    loan = {"loan_id": "L-2", "lent_on": "2026-02-02", "due_on": "2026-02-10", "approval_id": "B-1"}
    self_lent = client.post(
        f"/records/{number}/loans", json=loan | {"borrower": "chen"}, headers=prepared.auth("chen")
    )
    assert self_lent.status_code == 403  # lending is the keeper's work (RET-06)
    lent = client.post(f"/records/{number}/loans", json=loan | {"borrower": "chen"}, headers=auth)
    assert lent.status_code == 201, lent.json()
    assert [x["borrower"] for x in lent.json()["loans"]] == ["chen"]
    assert (
        client.post("/loans/L-2/return", json={"on": "2026-02-08"}, headers=auth).status_code == 200
    )
    backups = client.post(
        f"/records/{number}/backups", json={"location": "vault-2", "on": "2026-02-09"}, headers=auth
    )
    assert backups.json() == {"record": number, "backups": 1}
    assert client.get(f"/records/{number}", headers=auth).json()["backups"] == 1
    assert client.get("/records/NOPE-1", headers=auth).status_code == 404


def test_the_audit_sweeps(client: TestClient, prepared: Prepared) -> None:
    found = client.get("/audit", params={"on": "2026-11-30"}, headers=prepared.auth("wu"))
    assert found.status_code == 200
    controls = {f["control"] for f in found.json()["findings"]}
    assert {"SOD-01", "SOD-03", "SOD-04", "RET-06"} <= controls
    assert found.json()["offences"] == 0
    assert (
        client.get("/audit", params={"on": "30/11/2026"}, headers=prepared.auth("wu")).status_code
        == 400
    )
    assert (
        client.get(
            "/audit", params={"step_deadline_days": "0"}, headers=prepared.auth("wu")
        ).status_code
        == 400
    )


BODIES = {
    "/decide": claim("E-1", "1", "chen"),
    "/approvals": claim("C-9", "1", "chen"),
    "/duties": {"subject": "S", "duty": "pay"},
    "/records": {"record_class": "voucher", "closed_on": "2025-12-31"},
    "/log/verify": {},
}
HEADERS = [
    None,
    "Bearer ",
    "Bearer not-a-token-of-anyone-at-all",
    "Basic Y2hlbjpwdw==",
    "bearer",
    "Bearer " + "x" * 300,
]


def test_without_valid_credentials_nothing_changes(client: TestClient, prepared: Prepared) -> None:
    client.post(
        "/approvals",
        json=claim("C-1", "12000", "chen"),
        headers={**prepared.auth("chen"), "Idempotency-Key": "s"},
    )
    client.post(
        "/approvals/C-1/steps/0",
        json={"verdict": "approve"},
        headers={**prepared.auth("zhang"), "Idempotency-Key": "s"},
    )
    before = row_counts(prepared.url)
    params = {"id": "C-1", "step:int": "1", "number": "X-1", "hold": "H-1", "loan": "L-1"}
    for op in OPERATIONS:
        path = re.sub(r"\{([\w:]+)\}", lambda m: params[m.group(1)], op.path)
        body = BODIES.get(op.path, {"verdict": "approve"})
        for header in HEADERS:
            headers = {"Idempotency-Key": "x"} | (
                {"Authorization": header} if header is not None else {}
            )
            answer = client.request(
                op.method, path, json=body if op.method == "POST" else None, headers=headers
            )
            assert answer.status_code == 401, (op.path, header)
            assert answer.headers["www-authenticate"] == "Bearer"
            assert answer.json() == {
                "errors": ["a valid API token is needed: Authorization: Bearer <token>"]
            }
    assert row_counts(prepared.url) == before
