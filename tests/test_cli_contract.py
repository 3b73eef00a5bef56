"""One CLI contract: --format everywhere, JSON errors, the global options, the exit-code table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from agency_core import clikit
from agency_core.cli import main
from tests.test_cli import CLAIM, DUTY

DOCS = Path(__file__).parents[1] / "docs" / "cli.md"


def agency(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--no-entry-points", *args], input=stdin)


def _commands(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from _commands(command, ctx, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_takes_format_json_or_text():
    ctx = click.Context(main)
    seen = []
    for path, command in _commands(main, ctx):
        option = next((p for p in command.params if p.name == "fmt"), None)
        assert option is not None, path
        assert list(option.type.choices) == ["json", "text"], path  # type: ignore[attr-defined]
        seen.append(" ".join(path))
    assert {"decide", "plugins", "policy check", "log verify", "log checkpoint", "audit"} <= set(
        seen
    )


def test_the_exit_code_table_matches_the_cli(tmp_path):
    table = DOCS.read_text("utf-8").split("### Exit codes", 1)[1]
    codes = {int(c) for c in re.findall(r"^\| (\d) \|", table, re.M)}
    assert codes == {
        clikit.EXIT_OK,
        clikit.EXIT_FOUND,
        clikit.EXIT_BAD_INPUT,
        clikit.EXIT_DENY,
        clikit.EXIT_NEEDS_APPROVAL,
    }
    denied = {**DUTY, "performed": [{"duty": "approve_payment", "actor": "fm"}]}
    assert agency("decide", stdin=json.dumps(DUTY)).exit_code == clikit.EXIT_OK
    assert agency("decide", stdin=json.dumps(denied)).exit_code == clikit.EXIT_DENY
    assert agency("decide", stdin=json.dumps(CLAIM)).exit_code == clikit.EXIT_NEEDS_APPROVAL
    batch = json.dumps([CLAIM, denied])
    assert agency("decide", stdin=batch).exit_code == clikit.EXIT_DENY
    assert agency("decide", stdin="{").exit_code == clikit.EXIT_BAD_INPUT
    url = f"sqlite:///{tmp_path}/a.db"
    assert agency("db", "upgrade", "--url", url).exit_code == clikit.EXIT_OK
    import agency_core.store as st
    from tests.store.helpers import tamper

    store = st.open(url)
    log = st.DecisionLog(store)
    from agency_core import Engine

    store.use(Engine(plugins=[log]))
    from tests.store.helpers import claim

    store.engine.route_approval(claim())
    log.flush()
    tamper(store, "UPDATE decision_log SET outcome = 'allow'")
    store.dispose()
    assert agency("log", "verify", "--url", url).exit_code == clikit.EXIT_FOUND


@pytest.mark.parametrize(
    "args",
    [
        ["decide"],
        ["plugins", "--format", "json"],
        ["policy", "check", "missing.toml", "--format", "json"],
        ["log", "verify", "--url", "mysql://x/y", "--json"],
        ["audit", "--url", "sqlite:///missing.db", "--format", "json"],
        ["db", "upgrade", "--url", "oracle://x", "--format", "json"],
        ["demo", "--format", "json"],
    ],
)
def test_errors_in_json_mode_are_json(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = agency("--policy", "missing.toml", *args, stdin="{}")
    assert result.exit_code == 2, result.output
    errors = json.loads(result.stdout)["errors"]
    assert errors
    assert all(isinstance(e, str) for e in errors)


def test_store_commands_honour_the_global_options(tmp_path):
    url = f"sqlite:///{tmp_path}/a.db"
    assert agency("db", "upgrade", "--url", url).exit_code == 0
    bad_policy = agency("--policy", str(tmp_path / "none.toml"), "audit", "--url", url)
    assert bad_policy.exit_code == 2
    assert "cannot read" in bad_policy.stderr
    zh = agency("--lang", "zh-CN", "log", "verify", "--url", url)
    assert zh.stdout.startswith("完整")
    table = agency("--lang", "zh-CN", "--block", "agency_core.builtin.fees", "audit", "--url", url)
    assert table.exit_code == 0, table.output
    assert "控制" in table.stdout


def test_piped_tables_keep_whole_names():
    result = agency("plugins")
    assert result.exit_code == 0
    assert "…" not in result.stdout
    assert "agency_core.builtin.segregation" in result.stdout
    as_json = json.loads(agency("plugins", "--json").stdout)
    assert "agency_core.builtin.fees" in {p["plugin"] for p in as_json["plugins"]}


def test_chinese_throughout():
    plugins = agency("--lang", "zh-CN", "plugins")
    assert "插件" in plugins.stdout
    assert "钩子" in plugins.stdout
    decided = agency("--lang", "zh-CN", "decide", "--format", "text", stdin=json.dumps(CLAIM))
    assert decided.stdout.startswith("需审批")
    assert "needs_approval" not in decided.stdout
    assert "finance_manager" not in decided.stdout.splitlines()[0]
    checked = agency("--lang", "zh-CN", "policy", "check", "--format", "text", _default_policy())
    assert "有效" in checked.stdout
    assert "个角色" in checked.stdout


def _default_policy() -> str:
    from importlib import resources

    return str(resources.files("agency_core.policy").joinpath("default.toml"))
