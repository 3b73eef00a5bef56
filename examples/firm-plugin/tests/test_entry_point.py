"""The plugin installed for real: the ``agency`` command of this venv finds it by entry point.

Each command runs in a subprocess with every installed plugin loading
(``AGENCY_CORE_LOAD_PLUGINS`` unset), as on a firm's machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hengtong_approvals import POLICY

AGENCY = str(Path(sys.executable).with_name("agency"))
APPROVALS = "agency_core.builtin.approvals"
FIRST_TIER = '  { max_amount = "2000", route = ["dept_head", "finance_reviewer"] },\n'
HEAD_ONLY_TIER = '  { max_amount = "2000", route = ["dept_head"] },\n'
PIN = 'starts_with = ["dept_head", "finance_reviewer"]\n'


def agency(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "AGENCY_CORE_LOAD_PLUGINS"}
    return subprocess.run(
        [AGENCY, *args], capture_output=True, text=True, env={**clean, **(env or {})}, timeout=60
    )


def decide(tmp_path: Path, amount: str, *options: str) -> tuple[int, dict[str, Any]]:
    request = {
        "kind": "approval",
        "id": "R-1",
        "action": "expense_reimbursement",
        "amount": {"amount": amount, "currency": "CNY"},
        "department": "sales",
        "requester": "chen",
    }
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(request))
    done = agency(*options, "decide", str(path))
    return done.returncode, json.loads(done.stdout)


def test_agency_plugins_lists_the_firm_plugin() -> None:
    done = agency("plugins", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "hengtong_approvals" in done.stdout
    assert "hengtong-approvals" in done.stdout


def test_decide_with_the_bundled_plugin_blocked_uses_the_firm_rule(tmp_path: Path) -> None:
    code, decision = decide(tmp_path, "3000", "--block", APPROVALS, "--policy", str(POLICY))
    assert code == 4  # needs approval
    assert [s["role"] for s in decision["route"]["steps"]] == [
        "dept_head",
        "finance_reviewer",
        "finance_manager",
    ]
    assert {f["plugin"] for f in decision["findings"]} == {"hengtong_approvals"}


def test_a_policy_skipping_finance_is_denied_by_the_firm_plugin_only(tmp_path: Path) -> None:
    wished = tmp_path / "wish.toml"
    text = POLICY.read_text(encoding="utf-8").replace(PIN, "", 1)  # APR-01's pin dropped too
    wished.write_text(text.replace(FIRST_TIER, HEAD_ONLY_TIER))
    code, decision = decide(tmp_path, "1500", "--block", APPROVALS, "--policy", str(wished))
    assert code == 3  # deny
    assert [(f["control"], f["plugin"]) for f in decision["findings"]] == [
        ("APR-01", "hengtong_approvals")
    ]
    # without the firm's plugin the bundled one routes what the file says: the head alone
    code, decision = decide(tmp_path, "1500", "--policy", str(wished), "--no-entry-points")
    assert code == 4
    assert [s["role"] for s in decision["route"]["steps"]] == ["dept_head"]
