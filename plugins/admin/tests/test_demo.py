"""``agency admin demo`` tells a seal's day: refused before approval, on a blank sheet, to a
colleague; late on the next day's audit until the custodian takes it back."""

from __future__ import annotations

import pytest
from agency_admin.demo import run
from click.testing import CliRunner

from agency_core import Engine


def test_the_demo_shows_each_seal_control_refusing(engine: Engine) -> None:
    lines: list[str] = []
    assert run(engine, lines.append) == ["ADM-01", "ADM-02", "ADM-08"]
    assert "ADM-08 seals not returned by their day: seal_use/U1" in "\n".join(lines)
    assert lines[-1] == "Audit after the return: no offences"


def test_the_demo_is_an_agency_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import agency_core.cli as cli

    monkeypatch.setattr(cli.main, "_plugins_added", False)
    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "admin")
    try:
        result = CliRunner().invoke(cli.main, ["admin", "demo"])
    finally:
        cli.main.commands.pop("admin", None)
    assert result.exit_code == 0, result.output
    assert "refused  seal a blank sheet" in result.output
