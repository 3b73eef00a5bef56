"""``agency-http``: serve the API, issue tokens, load the staff, or try it all on SQLite."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

import click

from agency_core.clikit import reported
from agency_core.codec import parse_json
from agency_core.entities import Employee
from agency_core.errors import InvalidInput
from agency_core.store.session import open_store
from agency_http.bodies import structure
from agency_http.tokens import issue

__all__ = ["main"]

_tokens = click.option(
    "--tokens",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="AGENCY_HTTP_TOKENS",
    required=True,
    help="The token file (hashes only) ($AGENCY_HTTP_TOKENS).",
)
_url = click.option(
    "--url",
    envvar="AGENCY_DATABASE_URL",
    required=True,
    help="sqlite:///path or postgresql+psycopg://user:password@host/db ($AGENCY_DATABASE_URL).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """agency-core behind HTTP: the actor of every step, duty and loan is the caller's token."""


def _serve(url: str, tokens: Path, host: str, port: int, workers: int, **env: Path | None) -> None:
    import uvicorn

    if workers > 1 and url.startswith("sqlite"):
        raise InvalidInput("SQLite serves one worker: use PostgreSQL for --workers > 1")
    os.environ["AGENCY_DATABASE_URL"] = url
    os.environ["AGENCY_HTTP_TOKENS"] = str(tokens)
    for name, value in env.items():
        if value is not None:
            os.environ[name] = str(value)
    config = uvicorn.Config(
        "agency_http.app:create_app", factory=True, host=host, port=port, workers=workers
    )
    if workers == 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[_listening(host, port)]).run()


def _listening(host: str, port: int) -> socket.socket:
    """The workers' shared listening socket, made as TCP (``IPPROTO_TCP``).

    uvicorn binds its own with protocol number 0, and asyncio sets ``TCP_NODELAY`` only on
    sockets whose protocol is TCP: every response, its headers and body written apart, then
    waited out the client's delayed ACK (about 40 ms per request with two workers).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


@main.command()
@_url
@_tokens
@click.option("--policy", type=click.Path(dir_okay=False, path_type=Path), envvar="AGENCY_POLICY")
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="AGENCY_LOG_KEY_FILE",
    help="The firm's log key: appends sign the head, /log/checkpoint works.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
def serve(
    url: str,
    tokens: Path,
    policy: Path | None,
    key: Path | None,
    host: str,
    port: int,
    workers: int,
) -> None:
    """Serve the API with uvicorn (the schema must be up to date: `agency db upgrade`)."""
    with reported("text"):
        _serve(url, tokens, host, port, workers, AGENCY_POLICY=policy, AGENCY_LOG_KEY_FILE=key)


@main.command()
@click.argument("employee")
@_tokens
def token(employee: str, tokens: Path) -> None:
    """Issue a token for EMPLOYEE; it is printed once and stored only as its hash."""
    with reported("text"):
        click.echo(issue(tokens, employee))


def put_staff(url: str, staff: list[Employee]) -> None:
    """Store (or update) ``staff`` in the database at ``url``."""
    store = open_store(url)
    try:
        with store.transaction() as tx:
            for employee in staff:
                tx.employees.put(employee)
    finally:
        store.dispose()


@main.command()
@click.argument("file", type=click.File("rb"))
@_url
def staff(file: Any, url: str) -> None:
    """Store the employees in FILE, a JSON array of {id, department, roles, name}."""
    with reported("text"):
        data = parse_json(file.read())
        if not isinstance(data, list):
            raise InvalidInput("the staff file is a JSON array of employees")
        people = [structure(item, Employee) for item in data]
        put_staff(url, people)
    click.echo(f"{len(people)} employees stored")


TRIAL_AUDITOR = Employee("qian", "audit", {"auditor"}, "钱稽核")
"""The trial's caller of the oversight endpoints (the demo's staff has no auditor)."""
TRIAL_LEGAL = Employee("ma", "legal", {"legal_reviewer"}, "马法务")
"""The trial's legal reviewer, who may lift holds (the demo's staff has none)."""


@main.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("agency-trial"),
    show_default=True,
    help="Where the SQLite database and the token file are kept.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def trial(directory: Path, port: int) -> None:
    """Try it on SQLite: create the database, load the demo's staff, an auditor and a legal
    reviewer, print a token for each, and serve one process on 127.0.0.1."""
    from agency_core.demo import STAFF

    with reported("text"):
        directory.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{directory.resolve()}/agency.db"
        store = open_store(url)
        try:
            store.upgrade()
        finally:
            store.dispose()
        people = [*STAFF.values(), TRIAL_AUDITOR, TRIAL_LEGAL]
        put_staff(url, people)
        tokens = directory / "tokens.json"
        issued = {e.id: issue(tokens, e.id) for e in people}
        json.dump(issued, sys.stdout, indent=2)
        click.echo(f"\nthe tokens above are shown once; serving http://127.0.0.1:{port}")
        _serve(url, tokens, "127.0.0.1", port, 1)
