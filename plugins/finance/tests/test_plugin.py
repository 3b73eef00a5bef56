"""The plugin as a distribution: entry point, kinds, policy section, migrations, JSON in and out."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import agency_finance.plugin
import pytest
from agency_finance import FinancePolicy
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from agency_core import Engine
from agency_core.errors import PolicyError
from agency_core.policy import Policy
from agency_core.store.migrate import alembic_config
from agency_core.testing.databases import migrations_match_models

MakePolicy = Callable[[str], Policy]
KINDS = {
    "expense_claim",
    "budget_spend",
    "credit_charge",
    "reconciliation",
    "stocktake_difference",
    "payment",
}


def test_the_entry_point_loads_the_plugin() -> None:
    engine = Engine(entry_points=["finance"])
    info = {p.name: p for p in engine.plugins}["finance"]
    assert (info.distribution, info.version) == ("agency-finance", "0.1.0")
    assert set(engine.kinds) >= KINDS
    assert {engine.kinds[k].plugin for k in KINDS} == {"finance"}
    assert engine.machines["budget"].plugin == "finance"


def test_the_section_ships_its_defaults_and_is_hashed(make_policy: MakePolicy) -> None:
    engine = Engine(make_policy(""), plugins=[agency_finance.plugin])
    section = engine.policy.section("finance", FinancePolicy)
    assert section == FinancePolicy()
    changed = Engine(
        make_policy("\n[plugins.finance]\npayment_terms_days = 45\n"),
        plugins=[agency_finance.plugin],
    )
    assert changed.policy.section("finance", FinancePolicy).payment_terms_days == 45
    assert changed.policy.sha256 != engine.policy.sha256


@pytest.mark.parametrize(
    ("toml", "path"),
    [
        ("payment_terms_days = 0", "$.plugins.finance"),
        ("payment_terms_days = '30'", "$.plugins.finance.payment_terms_days"),
        ("budget_approver_roles = []", "$.plugins.finance"),
        ("credit_action = ''", "$.plugins.finance"),
        ("client_period_months = 5", "$.plugins.finance"),
        ("reconcile_within_days = -1", "$.plugins.finance"),
        ("stocktake_action = ''", "$.plugins.finance"),
        ("cash_bank_period_months = 0", "$.plugins.finance"),
        ("categories.travel.name_zh = 1", "$.plugins.finance.categories"),
        ("no_limit_needs_approval = 'yes'", "$.plugins.finance.no_limit_needs_approval"),
        ("surprise = 1", "$.plugins.finance"),
        ("categories.travel.limit = 1.5", "$.plugins.finance.categories"),
        ("categories.travel.limit = '-1'", "$.plugins.finance"),
        ("categories.travel.colour = 'red'", "$.plugins.finance.categories"),
    ],
)
def test_bad_policy_keys_are_refused_naming_the_path(
    make_policy: MakePolicy, toml: str, path: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        Engine(make_policy(f"\n[plugins.finance]\n{toml}\n"), plugins=[agency_finance.plugin])
    assert path in str(caught.value)


def test_a_policy_can_set_its_own_categories(make_policy: MakePolicy) -> None:
    toml = "\n[plugins.finance.categories.postage]\nname_zh = '邮寄费'\nlimit = '200'\n"
    engine = Engine(make_policy(toml), plugins=[agency_finance.plugin])
    section = engine.policy.section("finance", FinancePolicy)
    assert set(section.categories) == {"postage"}
    assert str(section.categories["postage"].limit) == "200"


def test_migrations_create_exactly_the_models(agency_db_url: str, engine: Engine) -> None:
    assert migrations_match_models(agency_db_url, engine) == []


def test_the_finance_branch_depends_on_the_core(engine: Engine) -> None:
    import agency_core.store as st

    store = st.open("sqlite://", engine=engine)
    script = ScriptDirectory.from_config(alembic_config(store))
    heads = set(script.get_heads())
    assert "finance_0001" in heads
    base = script.get_revision("finance_0001")
    assert base is not None
    assert base.branch_labels == {"finance"}
    assert base.dependencies == "0003"


def test_agency_decide_takes_a_finance_kind_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from agency_core.cli import main

    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "finance")
    request = {
        "kind": "expense_claim",
        "id": "X-1",
        "claimant": "E1",
        "department": "sales",
        "category": "travel",
        "amount": {"amount": "880.50", "currency": "CNY"},
        "incurred_on": "2026-03-01",
        "attachments": [
            {"kind": "invoice", "number": "INV-1", "amount": {"amount": "800", "currency": "CNY"}}
        ],
    }
    result = CliRunner().invoke(main, ["--lang", "en", "decide"], input=json.dumps(request))
    assert result.exit_code == 3, result.output
    decision = json.loads(result.output)
    assert decision["kind"] == "expense_claim"
    assert decision["outcome"] == "deny"
    assert [f["control"] for f in decision["findings"]] == ["FIN-01"]
    assert decision["findings"][0]["plugin"] == "finance"
    assert "80.50" in decision["findings"][0]["message"]["en"]
    assert "差额" in decision["findings"][0]["message"]["zh-CN"]


def test_agency_schema_lists_the_finance_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    from agency_core.cli import main

    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "finance")
    result = CliRunner().invoke(main, ["schema", "request"])
    assert result.exit_code == 0, result.output
    assert all(kind in result.output for kind in KINDS)


def test_agency_finance_budget_prints_the_stored_position(
    agency_db_url: str, engine: Engine
) -> None:
    from agency_finance import Finance
    from agency_finance.commands import finance

    import agency_core.store as st
    from agency_core import Employee, Money

    store = st.open(agency_db_url, engine=engine)
    store.upgrade()
    with store.transaction() as tx:
        tx.employees.put(Employee("H1", "sales", {"dept_head"}))
        Finance(tx).budgets.create("B1", "sales", 2026, Money("1000", "CNY"), owner="H1")
    store.dispose()
    result = CliRunner().invoke(finance, ["budget", "--url", agency_db_url, "B1"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["state"], body["remaining"], body["amount"]["amount"]) == (
        "draft",
        "1000.00",
        "1000.00",
    )
    missing = CliRunner().invoke(finance, ["budget", "--url", agency_db_url, "B9"])
    assert missing.exit_code == 2
    assert "no budget 'B9'" in missing.output


def test_the_plugin_adds_the_finance_command() -> None:
    import click

    group = click.Group("agency")
    agency_finance.plugin.agency_register_commands(cli=group)
    assert set(group.commands["finance"].commands) == {"budget", "credit"}  # type: ignore[attr-defined]


def test_agency_policy_check_checks_the_finance_section(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import agency_core
    from agency_core.cli import main

    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "finance")
    default = Path(agency_core.__file__).parent / "policy" / "default.toml"
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(
        default.read_text(encoding="utf-8") + "\n[plugins.finance]\npayment_terms_days = 45\n"
    )
    bad.write_text(
        default.read_text(encoding="utf-8") + "\n[plugins.finance]\npayment_terms_days = 0\n"
    )
    runner = CliRunner()
    assert runner.invoke(main, ["policy", "check", str(good)]).exit_code == 0
    refused = runner.invoke(main, ["policy", "check", str(bad)])
    assert refused.exit_code == 2
    assert "@ $.plugins.finance" in refused.output


def test_naming_the_plugin_module_when_its_entry_point_loads_it_registers_it_once() -> None:
    engine = Engine(entry_points=["finance"], plugins=[agency_finance.plugin])
    assert [p.name for p in engine.plugins if p.distribution == "agency-finance"] == ["finance"]


def test_agency_audit_runs_the_finance_sweeps(
    monkeypatch: pytest.MonkeyPatch, agency_db_url: str, engine: Engine
) -> None:
    import agency_core.store as st
    from agency_core.cli import main

    store = st.open(agency_db_url, engine=engine)
    store.upgrade()
    store.dispose()
    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "finance")
    result = CliRunner().invoke(
        main, ["audit", "--url", agency_db_url, "--json", "--on", "2026-03-02"]
    )
    assert result.exit_code == 0, result.output
    controls = {finding["control"] for finding in json.loads(result.output)}
    assert {f"FIN-0{n}" for n in (2, 3, 4, 5, 6, 8, 9)} <= controls


@pytest.mark.parametrize(
    ("request_json", "path"),
    [
        (
            {
                "kind": "stocktake_difference",
                "id": "D1",
                "asset": "PC-7",
                "difference": "loss",
                "amount": {"amount": "1", "currency": "CNY"},
                "counted_on": "2026-03-01",
                "counted_by": "K1",
            },
            "$.difference",
        ),
        (
            {
                "kind": "expense_claim",
                "id": "X-1",
                "claimant": "E1",
                "department": "sales",
                "category": "travel",
                "amount": {"amount": 880.5, "currency": "CNY"},
                "incurred_on": "2026-03-01",
            },
            "$.amount",
        ),
    ],
)
def test_agency_decide_refuses_bad_finance_json_naming_the_field(
    monkeypatch: pytest.MonkeyPatch, request_json: dict[str, object], path: str
) -> None:
    from agency_core.cli import main

    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "finance")
    result = CliRunner().invoke(main, ["decide"], input=json.dumps(request_json))
    assert result.exit_code == 2
    assert path in result.output
    assert "Traceback" not in result.output


def test_agency_finance_reads_with_the_policy_agency_was_given(
    monkeypatch: pytest.MonkeyPatch, agency_db_url: str, tmp_path: Path
) -> None:
    from agency_finance.commands import finance

    import agency_core
    from agency_core.cli import main

    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "finance")
    monkeypatch.setitem(main.commands, "finance", finance)
    default = Path(agency_core.__file__).parent / "policy" / "default.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text(
        default.read_text(encoding="utf-8") + "\n[plugins.finance]\ncredit_action = ''\n"
    )
    result = CliRunner().invoke(
        main, ["--policy", str(bad), "finance", "credit", "--url", agency_db_url, "ACME"]
    )
    assert result.exit_code == 2
    assert "$.plugins.finance" in result.output
