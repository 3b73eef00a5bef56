"""Calling hooks, failing closed: every implementation on its own, every answer validated.

Implementations are called one at a time with keyword arguments, so that a plugin that raises or
answers garbage is named in the decision (an ENG-01 deny) and the others still speak.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import pluggy

from agency_core.decision import Finding, Severity, Text
from agency_core.entities._fields import FrozenMap
from agency_core.errors import PluginError

__all__ = ["ENGINE", "Impl", "announce", "collect", "failure", "implementations", "lookup"]

ENGINE: Final = "agency_core.engine"
"""The name findings of the engine itself carry."""

Impl = tuple[str, Callable[..., Any], tuple[str, ...]]
"""A hook implementation: the plugin's name, the function, the argument names it takes."""

T = TypeVar("T")

_FAILED = Text(
    zh="插件 {plugin} 在 {hook} 中出错（{error}），按失败即拒绝处理",
    en="plugin {plugin} failed in {hook} ({error}); denied, failing closed",
)
_OBSERVED: Final = "agency_decision_made"


def failure(plugin: str, hook: str, error: BaseException | str) -> Finding:
    """The ENG-01 deny that names a plugin that failed in ``hook``."""
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    facts = {"plugin": plugin, "hook": hook, "error": detail}
    return Finding("ENG-01", Severity.DENY, _FAILED, facts, plugin)


def checked(finding: object, plugin: str) -> Finding:
    """``finding`` validated and stamped with ``plugin``; TypeError when it is not a good one."""
    if not isinstance(finding, Finding):
        raise TypeError(f"returned {finding!r}, not a Finding")
    if not isinstance(finding.severity, Severity):
        raise TypeError(f"finding {finding.control!r} has severity {finding.severity!r}")
    if not isinstance(finding.control, str) or not finding.control:
        raise TypeError(f"finding has no control ID: {finding.control!r}")
    if not isinstance(finding.text, Text):
        raise TypeError(f"finding {finding.control} has text {finding.text!r}, not a Text")
    facts = finding.facts
    if type(facts) is not FrozenMap and not isinstance(facts, Mapping):
        raise TypeError(f"finding {finding.control} has facts {facts!r}, not a mapping")
    for name, value in facts.items():
        if not isinstance(name, str) or (value is not None and type(value) not in (str, int, bool)):
            raise TypeError(f"fact {name}={value!r} of {finding.control} is not a JSON scalar")
    if finding.plugin == plugin:
        return finding
    return Finding(finding.control, finding.severity, finding.text, finding.facts, plugin)


def implementations(manager: pluggy.PluginManager, name: str) -> tuple[Impl, ...]:
    """The implementations of hook ``name`` in pluggy's call order; wrappers are refused."""
    impls = []
    for impl in reversed(getattr(manager.hook, name).get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            raise PluginError(
                f"plugin {impl.plugin_name!r} wraps {name}: agency hooks take no wrappers; "
                "observe decisions with agency_decision_made"
            )
        impls.append((impl.plugin_name, impl.function, tuple(impl.argnames)))
    return tuple(impls)


def collect(impls: tuple[Impl, ...], hook: str, kwargs: Mapping[str, Any]) -> list[Finding]:
    """Every implementation's findings; one that raises or answers garbage adds a deny naming it."""
    findings: list[Finding] = []
    every = len(kwargs)
    for plugin, function, argnames in impls:
        try:
            if len(argnames) == every:  # takes every argument: no dict to build
                result = function(**kwargs)
            else:
                result = function(**{name: kwargs[name] for name in argnames})
            if result is None or (type(result) is list and not result):  # nothing said
                continue
            if type(result) is not list and isinstance(result, Finding | str | bytes | Mapping):
                raise TypeError(f"returned {result!r}, not an iterable of findings")
            for finding in result:
                findings.append(checked(finding, plugin))
        except Exception as exc:
            findings.append(failure(plugin, hook, exc))
    return findings


def lookup(
    impls: tuple[Impl, ...], hook: str, kind: type[T], kwargs: Mapping[str, Any]
) -> tuple[T | None, str, Finding | None]:
    """The first non-None answer and who gave it, or the failure of the plugin that raised."""
    every = len(kwargs)
    for plugin, function, argnames in impls:
        try:
            if len(argnames) == every:
                result = function(**kwargs)
            else:
                result = function(**{name: kwargs[name] for name in argnames})
        except Exception as exc:
            return None, plugin, failure(plugin, hook, exc)
        if result is not None:
            if not isinstance(result, kind):
                bad = f"returned {result!r}, not a {kind.__name__}"
                return None, plugin, failure(plugin, hook, bad)
            return result, plugin, None
    return None, ENGINE, None


def announce(
    observers: tuple[Impl, ...],
    request: object,
    decision: T,
    veto: Callable[[T, list[Finding]], T],
) -> T:
    """Tell every observer; the decision every one of them agreed to is final.

    An observer that raises vetoes: ``veto`` adds its ENG-01 deny and every observer, itself
    included, is asked again with the new decision, until a round brings no new veto. Then the
    callables the observers returned in that round are called: what they record is exactly what
    the host receives (a log that could not flush records the denial that names it).
    """
    failed: set[str] = set()
    while True:
        kwargs = {"request": request, "decision": decision}
        commits: list[tuple[str, Callable[[], None]]] = []
        vetoes: list[Finding] = []
        for plugin, function, argnames in observers:
            try:
                result = function(**{name: kwargs[name] for name in argnames})
                if result is not None and not callable(result):
                    raise TypeError(f"returned {result!r}, not a callable or None")
            except Exception as exc:
                if plugin not in failed:
                    vetoes.append(failure(plugin, _OBSERVED, exc))
                continue
            if result is not None:
                commits.append((plugin, result))
        if not vetoes:
            break
        failed.update(finding.plugin for finding in vetoes)
        decision = veto(decision, vetoes)
    for plugin, commit in commits:
        try:
            commit()
        except Exception as exc:
            raise PluginError(
                f"plugin {plugin!r} failed to record a final decision ({exc}); do not act on it"
            ) from exc
    return decision
