"""What every ``agency`` command shares: ``--format``, errors, safe text, exit codes.

One place, so the main commands, the store's commands and plugins' commands speak alike:
``--format json|text`` (``--json`` is an alias of ``--format json``), errors as
``{"errors": [...]}`` on stdout in JSON mode or ``error: ...`` lines on stderr in text mode,
exit 2 for bad input, never a traceback.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, NoReturn, TypeVar

import click

from agency_core.errors import AgencyError, InvalidInput

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_DENY",
    "EXIT_FOUND",
    "EXIT_NEEDS_APPROVAL",
    "EXIT_OK",
    "emit_json",
    "fail",
    "format_option",
    "reported",
    "safe",
]

EXIT_OK: Final = 0
EXIT_FOUND: Final = 1
"""``log verify``: the chain is broken; ``audit``: offences found."""
EXIT_BAD_INPUT: Final = 2
EXIT_DENY: Final = 3
EXIT_NEEDS_APPROVAL: Final = 4

F = TypeVar("F", bound=Callable[..., Any])

# C0 and C1 controls but tab and newline, DEL, and the bidirectional overrides and isolates.
_UNSAFE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """``text`` with terminal control characters shown as ``\\x1b``-style escapes."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _set_format(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    if value:
        ctx.meta["agency_format"] = "json"
    return value


def format_option(default: str = "text") -> Callable[[F], F]:
    """``--format json|text`` (passed as ``fmt``), with ``--json`` as an alias of JSON."""

    def decorate(function: F) -> F:
        function = click.option(
            "--json",
            "as_json",
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_set_format,
            help="Same as --format json.",
        )(function)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(["json", "text"]),
            default=default,
            show_default=True,
            callback=lambda ctx, _p, v: ctx.meta.get("agency_format", v),
            help="Output format.",
        )(function)

    return decorate


def emit_json(value: Any) -> None:
    """Print ``value`` as JSON on stdout (non-ASCII kept)."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _problems(exc: AgencyError) -> list[str]:
    lines = getattr(exc, "problems", None)
    return [str(p) for p in lines] if lines else [str(exc)]


def fail(fmt: str, exc: AgencyError) -> NoReturn:
    """Report ``exc`` in the command's format and exit 2."""
    if fmt == "json":
        emit_json({"errors": _problems(exc)})
    else:
        click.secho("error: ", fg="red", bold=True, err=True, nl=False)
        click.echo(safe(str(exc)), err=True)
    sys.exit(EXIT_BAD_INPUT)


@contextmanager
def reported(fmt: str) -> Iterator[None]:
    """Report agency errors (and unreadable input) in ``fmt`` and exit 2, never a traceback."""
    try:
        yield
    except AgencyError as exc:
        fail(fmt, exc)
    except (UnicodeError, RecursionError) as exc:
        fail(fmt, InvalidInput(f"unreadable input: {type(exc).__name__}"))
