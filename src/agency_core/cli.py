"""The ``agency`` command: plugins, policy checks, decisions as JSON, schemas and the demo.

Every command takes ``--format json|text``; output helpers, errors and exit codes live in
:mod:`agency_core.clikit` (the table is in ``docs/cli.md``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import click
from rich.console import Console
from rich.table import Table

from agency_core.clikit import (
    EXIT_BAD_INPUT,
    EXIT_DENY,
    EXIT_NEEDS_APPROVAL,
    emit_json,
    format_option,
    reported,
    safe,
)
from agency_core.decision import Decision, Outcome

__all__ = ["EXIT_BAD_INPUT", "EXIT_DENY", "EXIT_NEEDS_APPROVAL", "main"]

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
        # Piped output keeps whole names: rich would cut tables at 80 columns.
        self.console = Console() if sys.stdout.isatty() else Console(width=10_000)

    @property
    def zh(self) -> bool:
        """Whether messages are in Chinese."""
        return self.lang == "zh-CN"

    def engine(self, **options: Any) -> Any:
        from agency_core.engine import Engine

        return Engine.from_policy(
            self.policy, entry_points=self.entry_points, block=self.block, **options
        )


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
@format_option()
@pass_settings
def plugins(settings: Settings, fmt: str) -> None:
    """Show the loaded plugins, where they come from, and the hooks each implements."""
    with reported(fmt):
        engine = settings.engine()
    manager = engine.plugin_manager
    rows: list[dict[str, Any]] = []
    for name, plugin in sorted(manager.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            rows.append({"plugin": name, "distribution": None, "hooks": [], "blocked": True})
            continue
        info = manager.infos[name]
        source = f"{info.distribution} {info.version}"
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or ())
        rows.append({"plugin": name, "distribution": source, "hooks": hooks, "blocked": False})
    if fmt == "json":
        emit_json({"policy": engine.policy.version, "plugins": rows})
        return
    zh = settings.zh
    title = f"agency-core {'插件' if zh else 'plugins'} ({'政策' if zh else 'policy'} "
    table = Table(title=safe(f"{title}{engine.policy.version})"))
    for column in ("插件", "发行包", "钩子") if zh else ("plugin", "distribution", "hooks"):
        table.add_column(column, overflow="fold")
    blocked = "[red]已屏蔽[/]" if zh else "[red]blocked[/]"
    for row in rows:
        source = blocked if row["blocked"] else safe(row["distribution"])
        table.add_row(safe(row["plugin"]), source, "\n".join(row["hooks"]) or "-")
    settings.console.print(table)


@main.group()
def policy() -> None:
    """Policy files."""


@policy.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@format_option()
@pass_settings
def policy_check(settings: Settings, file: Path, fmt: str) -> None:
    """Validate a policy FILE and the loaded plugins' sections; list every problem with its path."""
    from agency_core.engine import Engine
    from agency_core.policy import load_policy

    with reported(fmt):
        # binding the plugins' sections checks [plugins.NAME] and folds them into the sha256
        engine = Engine(load_policy(file), entry_points=settings.entry_points, block=settings.block)
        loaded = engine.policy
    counts = {
        "roles": len(loaded.roles),
        "actions": len({a for a, _ in loaded.matrices}),
        "conflict_sets": len(loaded.static_conflicts),
        "record_classes": len(loaded.retention),
    }
    if fmt == "json":
        emit_json(
            {
                "valid": True,
                "name": loaded.name,
                "version": loaded.version,
                "effective_from": loaded.effective_from.isoformat(),
                "effective_to": loaded.effective_to.isoformat() if loaded.effective_to else None,
                "sha256": loaded.sha256,
                **counts,
            }
        )
        return
    zh = settings.zh
    until = loaded.effective_to.isoformat() if loaded.effective_to else ("长期" if zh else "open")
    label = "有效" if zh else "valid"
    settings.console.print(
        f"[green]{label}[/]: "
        + safe(f"{loaded.name} {loaded.version} ")
        + f"({loaded.effective_from.isoformat()} – {until}) sha256 {loaded.sha256}",
        highlight=False,
    )
    words = (
        ("个角色", "个审批事项", "组不相容角色", "类档案")
        if zh
        else (" roles", " actions", " conflict sets", " record classes")
    )
    line = ", ".join(f"{n}{w}" for n, w in zip(counts.values(), words, strict=True))
    settings.console.print(line, highlight=False)


@main.command()
@click.argument("file", type=click.File("rb"), default="-")
@format_option(default="json")
@pass_settings
def decide(settings: Settings, file: Any, fmt: str) -> None:
    """Decide the JSON request in FILE (stdin when omitted); print the decision.

    A JSON array decides many requests at once. Exit status: 0 allow, 3 deny, 4 needs
    approval (the worst of a batch), 2 bad input.
    """
    from agency_core.codec import parse_json, request_from_json

    with reported(fmt):
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
            _print_decision(settings, engine, decision)
    sys.exit(_EXIT[Outcome.worst(d.outcome for d in decisions)])


_WORSE: Final = (Outcome.ALLOW, Outcome.NEEDS_APPROVAL, Outcome.DENY)
"""A batch exits with its worst outcome: a denial outranks a needed approval."""
_OUTCOME_ZH: Final = {"allow": "允许", "deny": "拒绝", "needs_approval": "需审批"}


def _print_decision(settings: Settings, engine: Any, decision: Decision) -> None:
    colour = {"allow": "green", "deny": "red", "needs_approval": "yellow"}[decision.outcome]
    outcome = _OUTCOME_ZH[decision.outcome.value] if settings.zh else decision.outcome.value
    route = ""
    if decision.route and decision.route.steps:
        roles = engine.policy.roles
        names = [
            (roles[code].name_zh or code) if settings.zh and code in roles else code
            for code in decision.route.roles
        ]
        route = safe(f" → {' → '.join(names)}")
    settings.console.print(f"[bold {colour}]{outcome}[/]{route}", highlight=False)
    for finding in decision.findings:
        line = f"  {finding.control} [{finding.severity.value}] {finding.message(settings.lang)}"
        settings.console.print(
            safe(line),
            markup=False,
            highlight=False,
        )


@main.command()
@click.argument("what", type=click.Choice(["request", "decision"]), default="request")
@format_option(default="json")
@pass_settings
def schema(settings: Settings, what: str, fmt: str) -> None:
    """Print the JSON Schema of requests or decisions, with the loaded plugins' kinds (JSON in
    either format)."""
    from agency_core.codec import decision_schema, request_schema

    with reported(fmt):
        engine = settings.engine()
    made = request_schema(engine) if what == "request" else decision_schema(engine)
    click.echo(json.dumps(made, indent=2, ensure_ascii=False))


@main.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file to keep the demo's state in (a temporary one when omitted).",
)
@format_option()
@pass_settings
def demo(settings: Settings, db: Path | None, fmt: str) -> None:
    """Walk through a small firm's day: intake, fees, approvals, segregation, retention.

    The demo is a story for people: ``--format json`` is accepted and refused with a JSON error.
    """
    from agency_core.demo import run
    from agency_core.errors import InvalidInput

    with reported(fmt):
        if fmt == "json":
            raise InvalidInput("the demo prints text only: use --format text")
        run(settings.engine, Console(), settings.lang, db)  # a story reads at terminal width
