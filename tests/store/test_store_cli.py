"""The store's commands: bad options exit 2 with a typed message, never create or echo anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from agency_core.cli import main


def _agency(*args: str):
    return CliRunner().invoke(main, ["--no-entry-points", *args])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["db", "upgrade", "--url", "mysql://x/y"], "unsupported database"),
        (["db", "upgrade", "--url", "sqlite:///a\x00b.db"], "NUL"),
        (["db", "upgrade", "--url", "postgresql+psycopg://u:pw@[bad/x"], "host"),
        (["db", "upgrade", "--url", "postgresql+psycopg://u:pw@h:99999/x"], "port"),
        (["db", "upgrade", "--url", "postgresql+psycopg://u:pw@h:x/y"], "not a database URL"),
        (["db", "upgrade", "--url", "sqlite://:"], "not a database URL"),
        (["audit", "--url", "sqlite:///x.db", "--step-deadline-days", "0"], "range"),
        (["audit", "--url", "sqlite:///x.db", "--step-deadline-days", "9" * 30], "range"),
        (["audit", "--url", "sqlite:///x.db", "--on", "2026-W10-1"], "--on"),
    ],
)
def test_bad_store_options_exit_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _agency(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_revision_exits_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    result = _agency("db", "upgrade", "--url", url, "--revision", "nope", "--format", "json")
    assert result.exit_code == 2
    assert "nope" in json.loads(result.stdout)["errors"][0]


@pytest.mark.parametrize("command", [["log", "verify"], ["audit"], ["log", "checkpoint"]])
def test_read_only_commands_never_create_a_database(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    extra = ["--key", str(key)] if command[-1] == "checkpoint" else []
    result = _agency(*command, "--url", f"sqlite:///{missing}", *extra, "--format", "json")
    assert result.exit_code == 2, result.output
    assert "no SQLite database" in json.loads(result.stdout)["errors"][0]
    assert not missing.exists()


def test_a_password_is_never_echoed(tmp_path: Path) -> None:
    url = "postgresql+psycopg://someone:s3cr3t-pw@127.0.0.1:1/nothing"
    result = _agency("db", "upgrade", "--url", url)
    assert result.exit_code == 2
    assert "s3cr3t-pw" not in result.output
    done = _agency("db", "upgrade", "--url", f"sqlite:///{tmp_path}/a.db")
    assert done.exit_code == 0, done.output


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["", "sqlite:///", "sqlite://", "mysql://", "oracle+x://", "postgresql+x://"]),
    st.text(max_size=30),
    st.sampled_from([["log", "verify"], ["audit"], ["db", "upgrade", "--revision"]]),
)
def test_fuzz_store_commands_give_only_typed_errors(
    prefix: str, noise: str, command: list[str]
) -> None:
    args = [*command, noise] if command[-1] == "--revision" else command
    url = prefix + noise
    if prefix == "sqlite:///" and command[0] == "db":
        url = "sqlite://"  # in memory: the fuzz never writes files
    result = _agency(*args, "--url", url)
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
