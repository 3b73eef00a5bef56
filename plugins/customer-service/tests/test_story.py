"""The walkthrough behind ``agency customer-service demo`` tells the controls as they bite."""

from __future__ import annotations

import agency_customer_service.plugin
import click
from click.testing import CliRunner


def test_demo_command_follows_a_complaint_with_its_escalation() -> None:
    cli = click.Group("agency")
    agency_customer_service.plugin.agency_register_commands(cli=cli)
    result = CliRunner().invoke(cli, ["customer-service", "demo"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("received, due 2025-10-14")
    assert "audit on 2025-10-15: CS-03 overdue complaints 1" in lines
    assert any("refused" in line and "CS-03" in line for line in lines)
    assert any(
        line.startswith("escalated") and line.endswith("escalated, due 2025-10-14")
        for line in lines
    )
    assert "audit on 2025-10-15: CS-03 overdue complaints 0" in lines
    assert any("reopened" in line and line.endswith("assigned, due 2025-10-23") for line in lines)
    assert any(line.endswith("closed, due 2025-10-23") for line in lines)
