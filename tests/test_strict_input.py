"""Strict input: JSON parsed by the published schema; only typed errors, exit 2, nothing hangs."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from agency_core import Money
from agency_core.cli import EXIT_BAD_INPUT, main
from agency_core.codec import request_from_json
from agency_core.errors import InvalidInput, MoneyError, PolicyError
from agency_core.policy import parse_policy
from tests.test_cli import CLAIM
from tests.test_policy import DEFAULT

RECORD = {
    "kind": "disposal",
    "record": {
        "number": "PZ-2026-0001",
        "classes": ["voucher"],
        "closed_on": "2026-03-02",
    },
    "on": "2056-03-02",
}


def _decide(text: str) -> Any:
    return CliRunner().invoke(main, ["--no-entry-points", "decide"], input=text)


def _amount(amount: object) -> str:
    return json.dumps({**CLAIM, "amount": {"amount": amount, "currency": "CNY"}})


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({**CLAIM, "kind": ["approval"]}),
        json.dumps({**CLAIM, "kind": {"a": 1}}),
        json.dumps({**CLAIM, "kind": 3}),
        '{"kind": "approval", "id": "\\ud800", "action": "x"}',
        json.dumps(CLAIM)[:-1] + ', "id": "R-2"}',  # a duplicate key
        json.dumps({**CLAIM, "requester": "x" * 65}),
        json.dumps({**CLAIM, "requester": "a\u0000b"}),
        _amount("+5000"),
        _amount("５０００"),
        _amount("1_000"),
        _amount(" 12 "),
        _amount("-0"),
        _amount("5E+3"),
        _amount(".5"),
        _amount("1" + "0" * 400),
        _amount(10**400),
        _amount(True),
        '{"kind": "approval", "amount": NaN}',
    ],
)
def test_requests_the_schema_forbids_exit_2(text: str) -> None:
    result = _decide(text)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "closed_on", ["2026-W10-1", "20260302", "2026-3-2", "9999-12-31", "9999-12-25", "2026-03-02T00"]
)
def test_dates_outside_the_schema_or_the_calendar_exit_2(closed_on: str) -> None:
    record = {**RECORD, "record": {**RECORD["record"], "closed_on": closed_on}}
    with pytest.raises(InvalidInput):
        request_from_json(record)
    assert _decide(json.dumps(record)).exit_code == EXIT_BAD_INPUT


def test_a_strict_date_is_accepted() -> None:
    assert _decide(json.dumps(RECORD)).exit_code in (0, 3, 4)


@pytest.mark.parametrize("amount", ["1e400", "1e15", 10**20])
def test_money_too_large_is_a_money_error(amount: object) -> None:
    with pytest.raises(MoneyError):
        Money(amount, "CNY")  # type: ignore[arg-type]
    assert Money("999999999999999.99", "CNY").amount


def test_text_output_neutralises_terminal_escapes() -> None:
    from agency_core.clikit import safe

    assert safe("R\x1b[2J\x07\u202e") == "R\\x1b[2J\\x07\\u202e"
    assert safe("审批 ok\n") == "审批 ok\n"


json_text = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
).map(json.dumps)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=60),
        st.text(max_size=60),
        json_text,
        st.builds(
            lambda k, rest: json.dumps({"kind": k, **rest}),
            st.text(max_size=12),
            st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
        ),
    )
)
def test_fuzz_decide_gives_only_typed_errors(text: str | bytes) -> None:
    result = CliRunner().invoke(
        main, ["--no-entry-points", "decide", "--format", "text"], input=text
    )
    assert result.exit_code in (0, 2, 3, 4), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80), st.integers(min_value=0, max_value=len(DEFAULT)))
def test_fuzz_the_policy_loader_gives_only_policy_errors(noise: str, at: int) -> None:
    text = DEFAULT[:at] + noise + DEFAULT[at:]
    with contextlib.suppress(PolicyError):
        parse_policy(text.encode("utf-8", "surrogatepass"))
