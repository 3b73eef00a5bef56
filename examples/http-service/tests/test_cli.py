"""``agency-http``: tokens are stored as hashes only; staff files; SQLite serves one worker."""

from __future__ import annotations

import json
from pathlib import Path

from agency_http.cli import main
from agency_http.tokens import TokenBook, digest
from click.testing import CliRunner

from agency_core.store.session import open_store


def test_a_token_is_printed_once_and_stored_as_its_hash(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    made = CliRunner().invoke(main, ["token", "li", "--tokens", str(tokens)])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    stored = tokens.read_text()
    assert token not in stored
    assert json.loads(stored) == {"tokens": {digest(token): "li"}}
    assert oct(tokens.stat().st_mode & 0o777) == "0o600"
    book = TokenBook(tokens)
    assert book.who(token) == "li"
    assert book.who(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    tokens.write_text(json.dumps({"tokens": {}}))  # revoked: read again when the file changes
    assert book.who(token) is None


def test_staff_from_a_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/agency.db"
    store = open_store(url)
    store.upgrade()
    staff = tmp_path / "staff.json"
    staff.write_text(
        json.dumps(
            [{"id": "li", "department": "finance", "roles": ["finance_manager"], "name": "李"}]
        )
    )
    done = CliRunner().invoke(main, ["staff", str(staff), "--url", url])
    assert done.exit_code == 0, done.output
    with store.transaction() as tx:
        assert tx.employees.get("li").roles == frozenset({"finance_manager"})
    store.dispose()
    staff.write_text('[{"id": "li"}]')
    bad = CliRunner().invoke(main, ["staff", str(staff), "--url", url])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output


def test_sqlite_serves_one_worker(tmp_path: Path) -> None:
    refused = CliRunner().invoke(
        main,
        [
            "serve",
            "--url",
            f"sqlite:///{tmp_path}/a.db",
            "--tokens",
            str(tmp_path / "t.json"),
            "--workers",
            "2",
        ],
    )
    assert refused.exit_code == 2
    assert "SQLite serves one worker" in refused.output
