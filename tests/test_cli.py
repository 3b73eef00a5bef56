"""The `agency` command: exit codes, JSON in and out, errors without tracebacks, the demo."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from agency_core.cli import EXIT_BAD_INPUT, EXIT_DENY, EXIT_NEEDS_APPROVAL, main
from agency_core.codec import decision_schema, request_schema
from tests.test_policy import DEFAULT

CLAIM = {
    "kind": "approval",
    "id": "R-1",
    "action": "expense_reimbursement",
    "amount": {"amount": "12000", "currency": "CNY"},
    "department": "sales",
    "requester": "clerk",
}
DUTY = {"kind": "duty", "subject": "PAY-1", "duty": "pay", "actor": "fm"}


def agency(*args: str, stdin: str | None = None) -> Result:
    return CliRunner(env={"COLUMNS": "200"}).invoke(main, ["--no-entry-points", *args], input=stdin)


def test_decide_prints_the_decision_and_exits_by_outcome() -> None:
    result = agency("decide", stdin=json.dumps(CLAIM))
    assert result.exit_code == EXIT_NEEDS_APPROVAL
    decision = json.loads(result.stdout)
    jsonschema.validate(decision, decision_schema())
    assert decision["route"]["steps"][1] == {"role": "finance_reviewer", "scope": "company"}
    assert agency("decide", stdin=json.dumps(DUTY)).exit_code == 0
    conflict = {**DUTY, "performed": [{"duty": "approve_payment", "actor": "fm"}]}
    assert agency("decide", stdin=json.dumps(conflict)).exit_code == EXIT_DENY


def test_decide_reads_a_file_and_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([DUTY, CLAIM]))
    result = agency("decide", str(path))
    assert result.exit_code == EXIT_NEEDS_APPROVAL
    assert [d["outcome"] for d in json.loads(result.stdout)] == ["allow", "needs_approval"]


def test_decide_on_a_batch_exits_with_the_most_severe_outcome(tmp_path: Path) -> None:
    conflict = {**DUTY, "performed": [{"duty": "approve_payment", "actor": "fm"}]}
    for batch in ([conflict, CLAIM], [CLAIM, conflict]):
        path = tmp_path / "batch.json"
        path.write_text(json.dumps(batch))
        result = agency("decide", str(path))
        assert sorted(d["outcome"] for d in json.loads(result.stdout)) == [
            "deny",
            "needs_approval",
        ]
        assert result.exit_code == EXIT_DENY  # deny (3) outranks needs approval (4)


def test_decide_as_text_in_chinese() -> None:
    result = agency("--lang", "zh-CN", "decide", "--format", "text", stdin=json.dumps(CLAIM))
    assert result.exit_code == EXIT_NEEDS_APPROVAL
    assert "审批链" in result.stdout


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{", "not valid JSON"),
        ("[1]", "JSON object with a kind"),
        ('{"kind": "approval"}', "required field"),
        (
            json.dumps({**CLAIM, "amount": {"amount": 1.5, "currency": "CNY"}}),
            "floats are not exact",
        ),
        (json.dumps({**CLAIM, "colour": "red"}), "colour"),
    ],
)
def test_bad_input_exits_2_without_a_traceback(stdin: str, message: str) -> None:
    result = agency("decide", stdin=stdin)  # JSON mode: the errors are JSON on stdout
    assert result.exit_code == EXIT_BAD_INPUT
    assert any(message in line for line in json.loads(result.stdout)["errors"])
    assert "Traceback" not in result.output + result.stderr
    text = agency("decide", "--format", "text", stdin=stdin)  # text mode: lines on stderr
    assert text.exit_code == EXIT_BAD_INPUT
    assert message in text.stderr
    assert text.stdout == ""


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
kinds = st.sampled_from(["approval", "charge", "step", "duty", "disposal", "record", "role_grant"])


@given(
    st.one_of(
        json_values,
        st.builds(
            lambda k, v: {"kind": k, **v},
            kinds,
            st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "amount",
                        "record",
                        "on",
                        "subject",
                        "duty",
                        "actor",
                        "employee",
                        "role",
                        "request",
                    ]
                ),
                json_values,
            ),
        ),
    )
)
def test_random_json_to_decide_gives_only_typed_errors(value: Any) -> None:
    result = agency("decide", stdin=json.dumps(value))
    assert result.exit_code in (0, EXIT_BAD_INPUT, EXIT_DENY, EXIT_NEEDS_APPROVAL), result.exception
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_policy_check_reports_problems_with_paths(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(DEFAULT)
    result = agency("policy", "check", str(good))
    assert result.exit_code == 0
    assert "valid" in result.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT.replace('prefix = "PZ"\nyears = 30', 'prefix = "PZ"\nyears = 3'))
    result = agency("policy", "check", str(bad))
    assert result.exit_code == EXIT_BAD_INPUT
    assert "@ $.retention.classes.voucher.years" in result.stderr


def test_a_bad_policy_option_exits_2(tmp_path: Path) -> None:
    result = agency("--policy", str(tmp_path / "none.toml"), "decide", stdin=json.dumps(CLAIM))
    assert result.exit_code == EXIT_BAD_INPUT
    assert "cannot read" in json.loads(result.stdout)["errors"][0]


def test_plugins_lists_the_bundled_plugins_and_their_hooks() -> None:
    result = agency("plugins")
    assert result.exit_code == 0
    for name in ("agency_core.builtin.fees", "agency_core.builtin.retention", "agency_check_step"):
        assert name in result.stdout
    blocked = agency("--block", "agency_core.builtin.fees", "plugins")
    row = next(line for line in blocked.stdout.splitlines() if "builtin.fees" in line)
    assert "blocked" in row
    assert "agency_check_charge" not in blocked.stdout


@pytest.mark.parametrize("what", ["request", "decision"])
def test_schema_is_a_valid_json_schema(what: str) -> None:
    result = agency("schema", what)
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == (request_schema() if what == "request" else decision_schema())


def test_requests_validate_against_the_request_schema() -> None:
    jsonschema.validate(CLAIM, request_schema())
    jsonschema.validate(DUTY, request_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**CLAIM, "colour": "red"}, request_schema())


@pytest.mark.parametrize(
    ("lang", "heading"), [("en", "Segregation of duties"), ("zh-CN", "不相容职务分离")]
)
def test_demo_walks_through_the_day(lang: str, heading: str) -> None:
    result = agency("--lang", lang, "demo")
    assert result.exit_code == 0, result.output
    assert heading in result.stdout
    for control in (
        "APR-01",
        "APR-06",
        "FEE-01",
        "FEE-05",
        "SOD-01",
        "SOD-02",
        "SOD-03",
        "RET-02",
        "RET-03",
        "RET-06",
    ):
        assert control in result.stdout


def test_demo_keeps_its_state_in_the_sqlite_file_it_is_given(tmp_path: Path) -> None:
    from agency_core import store as stores

    path = tmp_path / "day.db"
    assert agency("demo", "--db", str(path)).exit_code == 0
    report = stores.verify_log(stores.open(f"sqlite:///{path}"))
    assert report.ok
    assert report.entries > 10
    again = agency("demo", "--db", str(path))
    assert again.exit_code == EXIT_BAD_INPUT
    assert "exists already" in again.stderr


def test_the_installed_command_runs_as_a_process() -> None:
    command = shutil.which("agency", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("the agency script is not installed next to this Python")
    done = subprocess.run(
        [command, "--no-entry-points", "decide"],
        input=json.dumps(CLAIM),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == EXIT_NEEDS_APPROVAL, done.stderr
    assert json.loads(done.stdout)["outcome"] == "needs_approval"
