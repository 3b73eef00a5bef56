"""Bad input gets a 4xx and the CLI's typed JSON errors, never a 500: cases, then a fuzz."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from agency_http.app import MAX_BODY, OPERATIONS, create_app
from agency_http.loadtest import claim, prepare
from agency_http.openapi import openapi_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from agency_core.engine import Engine
from agency_core.testing.databases import scratch_database

from .conftest import Prepared, row_counts
from .schemas import from_schema


def typed_errors(answer: Any) -> list[str]:
    """The errors of a 4xx answer, checked to be the CLI's JSON errors."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    body = answer.json()
    assert set(body) <= {"errors", "decision"}
    assert body["errors"]
    assert all(isinstance(line, str) and line for line in body["errors"])
    assert "Traceback" not in answer.text
    errors: list[str] = body["errors"]
    return errors


def _post(
    client: TestClient, prepared: Prepared, path: str, content: bytes | str, **headers: str
) -> Any:
    who = "wu" if path.startswith("/log/") else "chen"  # the log is the auditor's
    return client.post(
        path, content=content, headers={**prepared.auth(who), "Idempotency-Key": "k", **headers}
    )


CASES = [
    ("/decide", b"{", 400, "not valid JSON"),
    ("/decide", b"", 400, "not valid JSON"),
    ("/decide", b'{"kind": "approval", "kind": "charge"}', 400, "duplicate key"),
    ("/decide", b"\xff\xfe", 400, "not valid JSON"),
    ("/decide", b"[" * 100_000, 400, "not valid JSON"),
    ("/decide", b'{"kind": "no_such_kind"}', 400, "@ $.kind"),
    ("/decide", b"42", 400, "a request is a JSON object"),
    (
        "/decide",
        json.dumps(claim("E-1", "1", "chen") | {"amount": {"amount": 1.5, "currency": "CNY"}}),
        400,
        "$.amount",
    ),
    (
        "/decide",
        json.dumps(claim("E-1", "1", "chen") | {"amount": {"amount": "NaN", "currency": "CNY"}}),
        400,
        "amount",
    ),
    ("/decide", json.dumps(claim("E-1", "1", "chen") | {"extra": 1}), 400, "extra"),
    (
        "/decide",
        json.dumps([claim(f"E-{i}", "1", "chen") for i in range(1001)]),
        400,
        "at most 1000",
    ),
    ("/approvals", json.dumps(claim("C-1", "1", "chen") | {"requester": 7}), 403, "requester"),
    ("/approvals/C-1/steps/0", b'{"verdict": "maybe"}', 400, "verdict"),
    ("/approvals/C-1/steps/0", b'["approve"]', 400, "JSON object"),
    ("/duties", b'{"subject": 1, "duty": "pay"}', 400, "$.subject"),
    ("/records", b'{"record_class": "voucher", "closed_on": "yesterday"}', 400, "$.closed_on"),
    (
        "/log/verify",
        b'{"checkpoints": [{"format": "x", "seq": -1, "hash": "", "at": "", "mac": ""}]}',
        400,
        "",
    ),
]


def test_bad_input_is_a_typed_4xx(client: TestClient, prepared: Prepared) -> None:
    client.post(
        "/approvals",
        json=claim("C-1", "12000", "chen"),
        headers={**prepared.auth("chen"), "Idempotency-Key": "s"},
    )
    before = row_counts(prepared.url)
    for path, content, status, error in CASES:
        answer = _post(client, prepared, path, content)
        assert answer.status_code == status, (path, content[:80], answer.text[:300])
        assert any(error in line for line in typed_errors(answer)), (path, answer.json())
    after = row_counts(prepared.url)
    assert {t for t in before if before[t] != after[t]} <= {"decision_log"}


def test_a_huge_body_is_refused_before_it_is_read(client: TestClient, prepared: Prepared) -> None:
    before = row_counts(prepared.url)
    big = json.dumps(claim("E-1", "1", "chen") | {"id": "x" * MAX_BODY})
    answer = _post(client, prepared, "/approvals", big)
    assert answer.status_code == 413
    assert typed_errors(answer) == [f"a body holds at most {MAX_BODY} bytes"]
    streamed = client.post(
        "/decide", content=iter([b"[" + b" " * 65536] * 20), headers=prepared.auth("chen")
    )
    assert streamed.status_code == 413  # no Content-Length: counted as it arrives
    assert row_counts(prepared.url) == before


def test_unknown_paths_methods_and_missing_keys(client: TestClient, prepared: Prepared) -> None:
    assert typed_errors(client.get("/nowhere", headers=prepared.auth("chen")))
    assert client.get("/nowhere").status_code == 404
    assert client.delete("/decide", headers=prepared.auth("chen")).status_code == 405
    assert typed_errors(client.delete("/decide", headers=prepared.auth("chen")))
    assert (
        client.post("/approvals/C-1/steps/x", json={}, headers=prepared.auth("chen")).status_code
        == 404
    )
    no_key = client.post(
        "/duties", json={"subject": "S", "duty": "pay"}, headers=prepared.auth("li")
    )
    assert typed_errors(no_key) == ["an Idempotency-Key header is needed @ $"]
    assert client.get("/approvals/NOPE", headers=prepared.auth("wu")).status_code == 404


# -- the fuzz --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzzed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str], dict[str, Any]]]:
    """One app on SQLite for the whole fuzz (what it tests is input handling, not the backend)."""
    directory = tmp_path_factory.mktemp("fuzz")
    with scratch_database("sqlite", directory) as url:
        env, tokens = prepare(url, directory)
        app = create_app(Prepared(url, env, tokens).config())
        with TestClient(app) as client:
            yield client, tokens, client.get("/openapi.json").json()


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
DOCUMENT = openapi_document(
    Engine(), OPERATIONS
)  # the fuzzed app's: the same engine, no entry points


def from_document(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of ``schema``, a schema of the OpenAPI document (its references resolved there)."""
    return from_schema(schema, DOCUMENT)


OWN_BODIES = {
    op.path
    for op in OPERATIONS
    if op.body is not None and op.path not in ("/decide", "/destruction-lists")
}
BODY = {
    op.path: (from_document(op.body_schema) | JSON)
    if op.body_schema is not None and op.path in OWN_BODIES
    else JSON
    for op in OPERATIONS
}
"""What each endpoint is sent: bodies shaped by its schema, or any JSON at all."""
REQUESTS = st.one_of(
    [from_document(variant) for variant in DOCUMENT["components"]["schemas"]["Request"]["oneOf"]]
)
PARAMS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/"), min_size=1, max_size=12
)


def _path(op_path: str, value: str) -> str:
    return re.sub(
        r"\{([\w]+)(:int)?\}", lambda m: "0" if m.group(2) else quote(value, safe=""), op_path
    )


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzz_every_endpoint(
    fuzzed: tuple[TestClient, dict[str, str], dict[str, Any]], op: Any, data: st.DataObject
) -> None:
    client, tokens, _document = fuzzed
    body = data.draw(BODY[op.path])
    who = data.draw(st.sampled_from(sorted(tokens)))
    path = _path(op.path, data.draw(PARAMS))
    headers = {
        "Authorization": f"Bearer {tokens[who]}",
        "Idempotency-Key": data.draw(st.text(min_size=1, max_size=8, alphabet="abc")),
    }
    answer = client.request(
        op.method, path, json=body if op.method == "POST" else None, headers=headers
    )
    assert answer.status_code < 500, (op.path, body, answer.text[:500])
    if answer.status_code >= 400:
        typed_errors(answer)


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzz_requests_from_the_request_schema(
    fuzzed: tuple[TestClient, dict[str, str], dict[str, Any]], data: st.DataObject
) -> None:
    """Requests shaped by the published schema: decided (200) or refused with typed errors."""
    client, tokens, _document = fuzzed
    body = data.draw(REQUESTS)
    answer = client.post(
        "/decide", json=body, headers={"Authorization": f"Bearer {tokens['chen']}"}
    )
    assert answer.status_code in (200, 400), answer.text[:500]
    if answer.status_code == 400:
        typed_errors(answer)


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    content=st.binary(max_size=200),
    op=st.sampled_from([op for op in OPERATIONS if op.method == "POST"]),
)
def test_fuzz_raw_bytes(
    fuzzed: tuple[TestClient, dict[str, str], dict[str, Any]], content: bytes, op: Any
) -> None:
    client, tokens, _document = fuzzed
    headers = {
        "Authorization": f"Bearer {tokens['wu']}",  # the auditor: every endpoint reads the body
        "Idempotency-Key": "raw",
        "Content-Type": "application/json",
    }
    answer = client.post(_path(op.path, "R-1"), content=content, headers=headers)
    assert answer.status_code < 500, (op.path, content, answer.text[:500])
    if answer.status_code >= 400:
        typed_errors(answer)
