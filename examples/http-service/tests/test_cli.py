"""``agency-http``: tokens are stored as hashes only; staff files; SQLite serves one worker;
the trial."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agency_http import cli
from agency_http.app import Config, create_app
from agency_http.cli import main
from agency_http.tokens import TokenBook, digest
from click.testing import CliRunner
from starlette.testclient import TestClient

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


def test_the_trial_has_an_auditor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone of the trial's staff may call the oversight endpoints (and the clerk may not)."""
    served: list[str] = []
    monkeypatch.setattr(cli, "_serve", lambda url, *_args: served.append(url))
    done = CliRunner().invoke(main, ["trial", "--dir", str(tmp_path)])
    assert done.exit_code == 0, done.output
    tokens, _end = json.JSONDecoder().raw_decode(done.output)
    config = Config(served[0], tmp_path / "tokens.json")
    with TestClient(create_app(config)) as client:
        audited = client.get("/audit", headers={"Authorization": f"Bearer {tokens['qian']}"})
        assert audited.status_code == 200, audited.text
        refused = client.get("/audit", headers={"Authorization": f"Bearer {tokens['chen']}"})
        assert refused.status_code == 403


def test_the_trial_has_someone_who_may_lift_a_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[str] = []
    monkeypatch.setattr(cli, "_serve", lambda url, *_args: served.append(url))
    done = CliRunner().invoke(main, ["trial", "--dir", str(tmp_path)])
    assert done.exit_code == 0, done.output
    tokens, _end = json.JSONDecoder().raw_decode(done.output)
    auth = {who: {"Authorization": f"Bearer {token}"} for who, token in tokens.items()}
    with TestClient(create_app(Config(served[0], tmp_path / "tokens.json"))) as client:
        made = client.post(
            "/records",
            json={"record_class": "voucher", "closed_on": "2025-12-31"},
            headers=auth["sun"],
        )
        hold = {"hold_id": "LH-1", "reason": "litigation", "on": "2026-01-05"}
        placed = client.post(
            f"/records/{made.json()['number']}/holds", json=hold, headers=auth["sun"]
        )
        assert placed.status_code == 201, placed.text
        lifted = client.post("/holds/LH-1/release", json={"on": "2026-02-01"}, headers=auth["ma"])
        assert lifted.status_code == 200, lifted.text
