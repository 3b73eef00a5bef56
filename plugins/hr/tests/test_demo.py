"""``agency hr demo`` tells a day of HR: late and unapproved leave, short notice, an uncleared
resignation and a late appeal refused; employees without a training file until it is filed."""

from __future__ import annotations

import pytest
from agency_hr.demo import run
from click.testing import CliRunner

from agency_core import Engine


def test_the_demo_shows_each_control_refusing(engine: Engine) -> None:
    lines: list[str] = []
    assert run(engine, lines.append) == ["HR-01", "HR-01", "HR-05", "HR-02", "HR-04"]
    assert "Audit: ['HR-03 employees without a training record: chen, he, zhang']" in lines
    assert lines[-1] == "Audit after filing the training: no offences"


def test_the_demo_is_an_agency_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import agency_core.cli as cli

    monkeypatch.setattr(cli.main, "_plugins_added", False)
    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "hr")
    try:
        result = CliRunner().invoke(cli.main, ["hr", "demo"])
    finally:
        cli.main.commands.pop("hr", None)
    assert result.exit_code == 0, result.output
    assert "refused  complete the resignation" in result.output
