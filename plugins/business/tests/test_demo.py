"""``agency business demo``: one case from inquiry to closed file, a refusal on the way."""

from __future__ import annotations

from agency_business.commands import business
from click.testing import CliRunner


def test_the_demo_walks_a_case_to_its_closed_file() -> None:
    result = CliRunner().invoke(business, ["demo"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("intake check  BIZ-02")
    assert any(line.startswith("refused       BIZ-07") for line in lines)
    assert lines[-1].split() == ["closed", "BIZ-2026-000001"]
