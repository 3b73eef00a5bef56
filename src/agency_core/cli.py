"""The ``agency`` command: plugins, policy checks, decisions as JSON, schemas and the demo.

Exit codes: 0 success or allow; 2 bad input (printed without a traceback); for ``decide``,
3 deny and 4 needs approval.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import click
from rich.console import Console
from rich.table import Table

from agency_core.decision import Decision, Outcome
from agency_core.errors import AgencyError

__all__ = ["EXIT_BAD_INPUT", "EXIT_DENY", "EXIT_NEEDS_APPROVAL", "main"]

EXIT_BAD_INPUT: Final = 2
EXIT_DENY: Final = 3
EXIT_NEEDS_APPROVAL: Final = 4
_EXIT: Final = {
    Outcome.ALLOW: 0,
    Outcome.DENY: EXIT_DENY,
    Outcome.NEEDS_APPROVAL: EXIT_NEEDS_APPROVAL,
}


def _default_lang() -> str:
    for name in ("AGENCY_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh-CN" if value.lower().startswith("zh") else "en"
    return "en"


class Settings:
    """What the group options chose; the engine is built on first use."""

    def __init__(
        self, policy: Path | None, lang: str, entry_points: bool | None, block: tuple[str, ...]
    ):
        self.policy, self.lang, self.entry_points, self.block = policy, lang, entry_points, block
        self.console = Console()

    def engine(self, **options: Any) -> Any:
        from agency_core.engine import Engine

        return Engine.from_policy(
            self.policy, entry_points=self.entry_points, block=self.block, **options
        )


@contextmanager
def _reported(settings: Settings) -> Iterator[None]:
    """Print agency errors as plain lines on stderr and exit 2, never with a traceback."""
    try:
        yield
    except AgencyError as exc:
        click.secho("error: ", fg="red", bold=True, err=True, nl=False)
        click.echo(str(exc), err=True)
        sys.exit(EXIT_BAD_INPUT)


pass_settings: Final[Callable[..., Any]] = click.make_pass_decorator(Settings)

_STORE_COMMANDS: Final = ("db", "log", "audit")


class _Agency(click.Group):
    """The main group; the store's commands import SQLAlchemy only when one of them runs."""

    _plugins_added = False

    def _add_plugin_commands(self) -> None:
        """Let installed plugins add their commands (``agency_register_commands``), once."""
        if self._plugins_added:
            return
        self._plugins_added = True
        from agency_core.plugins import make_manager

        manager = make_manager()
        manager.hook.agency_register_commands(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        return sorted({*super().list_commands(ctx), *_STORE_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name not in _STORE_COMMANDS:
            self._add_plugin_commands()
        if cmd_name in _STORE_COMMANDS:
            from agency_core.store import cli as store_cli

            command: click.Command = getattr(store_cli, cmd_name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Agency, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--policy",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="AGENCY_POLICY",
    help="Policy file (TOML); the bundled default when omitted.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh-CN", "en"]),
    default=_default_lang,
    show_default="from AGENCY_LANG or LANG",
    help="Language of messages.",
)
@click.option(
    "--entry-points/--no-entry-points",
    default=None,
    help="Load the installed plugins (default: as AGENCY_CORE_LOAD_PLUGINS says; unset: all).",
)
@click.option("--block", multiple=True, metavar="NAME", help="A plugin never to load (repeat).")
@click.version_option(package_name="agency-core")
@click.pass_context
def main(
    ctx: click.Context,
    policy: Path | None,
    lang: str,
    entry_points: bool | None,
    block: tuple[str, ...],
) -> None:
    """Internal controls of agency and service firms, as swappable policy plugins."""
    ctx.obj = Settings(policy, lang, entry_points, block)


@main.command()
@pass_settings
def plugins(settings: Settings) -> None:
    """Show the loaded plugins, where they come from, and the hooks each implements."""
    with _reported(settings):
        engine = settings.engine()
    manager = engine.plugin_manager
    table = Table(title=f"agency-core plugins (policy {engine.policy.version})")
    for column in ("plugin", "distribution", "hooks"):
        table.add_column(column)
    for name, plugin in sorted(manager.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            table.add_row(name, "[red]blocked[/]", "-")
            continue
        info = manager.infos[name]
        source = f"{info.distribution} {info.version}"
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or ())
        table.add_row(name, source, "\n".join(hooks))
    settings.console.print(table)


@main.group()
def policy() -> None:
    """Policy files."""


@policy.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_settings
def policy_check(settings: Settings, file: Path) -> None:
    """Validate a policy FILE and the loaded plugins' sections; list every problem with its path."""
    from agency_core.engine import Engine
    from agency_core.policy import load_policy

    with _reported(settings):
        # binding the plugins' sections checks [plugins.NAME] and folds them into the sha256
        engine = Engine(load_policy(file), entry_points=settings.entry_points, block=settings.block)
        loaded = engine.policy
    zh = settings.lang == "zh-CN"
    until = loaded.effective_to.isoformat() if loaded.effective_to else ("长期" if zh else "open")
    label = "有效" if zh else "valid"
    settings.console.print(
        f"[green]{label}[/]: {loaded.name} {loaded.version} "
        f"({loaded.effective_from.isoformat()} – {until}) sha256 {loaded.sha256}"
    )
    counts = (
        f"{len(loaded.roles)} roles, {len({a for a, _ in loaded.matrices})} actions, "
        f"{len(loaded.static_conflicts)} conflict sets, {len(loaded.retention)} record classes"
    )
    settings.console.print(counts, highlight=False)


@main.command()
@click.argument("file", type=click.File("rb"), default="-")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True
)
@pass_settings
def decide(settings: Settings, file: Any, fmt: str) -> None:
    """Decide the JSON request in FILE (stdin when omitted); print the decision.

    A JSON array decides many requests at once. Exit status: 0 allow, 3 deny, 4 needs
    approval (the worst of a batch), 2 bad input.
    """
    from agency_core.codec import parse_json, request_from_json

    with _reported(settings):
        data = parse_json(file.read())
        engine = settings.engine()
        if isinstance(data, list):
            decisions = engine.decide_many([request_from_json(item, engine) for item in data])
        else:
            decisions = [engine.decide(request_from_json(data, engine))]
    if fmt == "json":
        body = [d.to_dict() for d in decisions]
        out = body if isinstance(data, list) else body[0]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for decision in decisions:
            _print_decision(settings, decision)
    worst = max(decisions, key=lambda d: _EXIT[d.outcome]).outcome if decisions else Outcome.ALLOW
    sys.exit(_EXIT[worst])


def _print_decision(settings: Settings, decision: Decision) -> None:
    colour = {"allow": "green", "deny": "red", "needs_approval": "yellow"}[decision.outcome]
    route = (
        f" → {' → '.join(decision.route.roles)}" if decision.route and decision.route.steps else ""
    )
    settings.console.print(f"[bold {colour}]{decision.outcome.value}[/]{route}", highlight=False)
    for finding in decision.findings:
        settings.console.print(
            f"  {finding.control} [{finding.severity.value}] {finding.message(settings.lang)}",
            markup=False,
            highlight=False,
        )


@main.command()
@click.argument("what", type=click.Choice(["request", "decision"]), default="request")
@pass_settings
def schema(settings: Settings, what: str) -> None:
    """Print the JSON Schema of requests (every loaded plugin's kinds too) or decisions."""
    from agency_core.codec import decision_schema, request_schema

    with _reported(settings):
        engine = settings.engine()
        body = request_schema(engine) if what == "request" else decision_schema(engine)
    click.echo(json.dumps(body, indent=2))


@main.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file to keep the demo's state in (a temporary one when omitted).",
)
@pass_settings
def demo(settings: Settings, db: Path | None) -> None:
    """Walk through a small firm's day: intake, fees, approvals, segregation, retention."""
    from agency_core.demo import run

    with _reported(settings):
        run(settings.engine, settings.console, settings.lang, db)
