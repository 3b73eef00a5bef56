"""Compose the plugin manager: bundled plugins, entry points on request, explicit ones, blocks."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from types import ModuleType

import pluggy

from agency_core import hookspecs
from agency_core.errors import PluginError

__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "NO_ENTRY_POINTS_ENV",
    "entry_points_wanted",
    "make_manager",
    "plugin_name",
]

ENTRY_POINT_GROUP = "agency_core"
NO_ENTRY_POINTS_ENV = "AGENCY_CORE_NO_ENTRY_POINTS"
"""Set to any non-empty value to stop hosts such as the CLI from loading entry-point plugins."""

BUILTINS = (
    "agency_core.builtin.fees",
    "agency_core.builtin.approvals",
    "agency_core.builtin.segregation",
    "agency_core.builtin.retention",
)
"""The bundled plugins, registered under their module names (block one to replace it)."""


def plugin_name(plugin: object) -> str:
    """The name a plugin is registered under: a module's name, else its class's qualified name."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    name = getattr(plugin, "__name__", None) or type(plugin).__qualname__
    return str(name)


def make_manager(
    *,
    builtins: bool = True,
    entry_points: bool = False,
    plugins: Iterable[object] = (),
    block: Iterable[str] = (),
) -> pluggy.PluginManager:
    """A checked plugin manager for the ``agency_core`` hooks.

    Blocked names are never registered (block ``"agency_core.builtin.fees"`` to replace the
    bundled fee plugin with your own). Every registered function must match a hook spec.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for name in block:
        manager.set_blocked(name)
    try:
        if builtins:
            for module in BUILTINS:
                if not manager.is_blocked(module):
                    manager.register(importlib.import_module(module), name=module)
        if entry_points:
            manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        for plugin in plugins:
            name = plugin_name(plugin)
            if manager.is_blocked(name):
                continue
            if manager.has_plugin(name):
                raise PluginError(f"two plugins are named {name!r}; give each its own name")
            manager.register(plugin, name=name)
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        name = manager.get_name(exc.plugin) or plugin_name(exc.plugin)
        raise PluginError(f"plugin {name!r} does not fit the agency_core hooks: {exc}") from None
    except ValueError as exc:  # pluggy: the same plugin object registered twice
        raise PluginError(str(exc)) from None
    return manager


def entry_points_wanted() -> bool:
    """Whether hosts should load entry-point plugins (unset ``AGENCY_CORE_NO_ENTRY_POINTS``)."""
    return not os.environ.get(NO_ENTRY_POINTS_ENV)
