"""Compose the plugin manager: bundled plugins, installed ones, explicit ones, blocks.

One rule for every host (the library, the CLI, the examples): installed plugins (entry-point group
``agency_core``) are loaded unless ``AGENCY_CORE_LOAD_PLUGINS`` restricts them, as datasette's
``DATASETTE_LOAD_PLUGINS`` does: unset loads every installed plugin, a comma-separated list loads
those entry-point names only, an empty value loads none.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from types import ModuleType
from typing import Any, Final

import attrs
import pluggy

from agency_core import hookspecs
from agency_core.errors import AgencyError, PluginError

__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "LOAD_PLUGINS_ENV",
    "HookRegistry",
    "Manager",
    "PluginInfo",
    "load_plugins_wanted",
    "make_manager",
    "plugin_name",
    "plugin_set_digest",
]

ENTRY_POINT_GROUP: Final = "agency_core"
LOAD_PLUGINS_ENV: Final = "AGENCY_CORE_LOAD_PLUGINS"
"""Unset: load every installed plugin; ``a,b``: only those entry-point names; empty: none."""

BUILTINS: Final = (
    "agency_core.builtin.fees",
    "agency_core.builtin.approvals",
    "agency_core.builtin.segregation",
    "agency_core.builtin.retention",
    "agency_core.builtin.deadlines",
)
"""The bundled plugins, registered under their module names (block one to replace it)."""

_PREFIX: Final = "agency_"


@attrs.frozen
class PluginInfo:
    """A registered plugin: its name, the distribution it comes from and that one's version."""

    name: str
    distribution: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}={self.distribution}@{self.version}"


def plugin_name(plugin: object) -> str:
    """The name a plugin is registered under: a module's name, else its class's qualified name."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    name = getattr(plugin, "__name__", None) or type(plugin).__qualname__
    return str(name)


def plugin_set_digest(plugins: Iterable[PluginInfo]) -> str:
    """The SHA-256 of a plugin set (names, distributions, versions), whatever their order."""
    lines = sorted(str(info) for info in plugins)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


class HookRegistry:
    """What ``agency_addhooks`` receives: add a plugin's own hook specs, refusing clashes."""

    def __init__(self, manager: Manager) -> None:
        self._manager = manager
        self.owners: dict[str, str] = dict.fromkeys(_spec_names(hookspecs), "agency_core")

    def add_hookspecs(
        self, module_or_class: ModuleType | type, *, owner: str | None = None
    ) -> None:
        """Add the ``@hookspec`` functions of ``module_or_class``; every name starts ``agency_``."""
        who = owner or plugin_name(module_or_class)
        names = _spec_names(module_or_class)
        if not names:
            raise PluginError(f"{who} declares no agency_core hook specs")
        for name in names:
            if not name.startswith(_PREFIX):
                raise PluginError(f"hook {name!r} of {who} must be named agency_...")
            if name in self.owners:
                raise PluginError(
                    f"hook {name!r} is declared by both {self.owners[name]} and {who}"
                )
        self._manager.add_hookspecs(module_or_class)
        for name in names:
            self.owners[name] = who


def _spec_names(namespace: object) -> list[str]:
    marker = f"{hookspecs.PROJECT}_spec"
    return [
        name
        for name in dir(namespace)
        if hasattr(inspect.getattr_static(namespace, name, None), marker)
    ]


class Manager(pluggy.PluginManager):
    """pluggy's manager, stricter: an ``agency_*`` function without ``@hookimpl`` is an error.

    pluggy skips unmarked functions, so a rule whose decorator was forgotten would silently never
    run and its request would be allowed; here registration fails naming the function.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.infos: dict[str, PluginInfo] = {}

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> pluggy.HookimplOpts | None:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(_PREFIX):
            found = inspect.getattr_static(plugin, name, None)
            if isinstance(found, staticmethod | classmethod):
                found = found.__func__
            if inspect.isfunction(found) or inspect.ismethod(found):
                raise PluginError(
                    f"{plugin_name(plugin)}.{name} looks like a hook implementation but is not "
                    "marked @hookimpl: mark it, or rename it so it does not start with agency_"
                )
        return opts


def load_plugins_wanted() -> frozenset[str] | None:
    """The entry-point names ``AGENCY_CORE_LOAD_PLUGINS`` allows; None when it is unset (all)."""
    value = os.environ.get(LOAD_PLUGINS_ENV)
    if value is None:
        return None
    return frozenset(name.strip() for name in value.split(",") if name.strip())


def _own_version() -> str:
    try:
        return metadata.version("agency-core")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def make_manager(
    *,
    builtins: bool = True,
    entry_points: bool | Iterable[str] | None = None,
    plugins: Iterable[object] = (),
    block: Iterable[str] = (),
) -> Manager:
    """A checked plugin manager for the ``agency_core`` hooks.

    ``entry_points``: None follows ``AGENCY_CORE_LOAD_PLUGINS`` (see the module); True loads every
    installed plugin, False none, a collection of names those entry points only. Blocked names are
    never registered (block ``"agency_core.builtin.fees"`` to replace the bundled fee plugin).
    Plugins may add hook specs of their own in ``agency_addhooks``; every registered function must
    then match a spec (:meth:`pluggy.PluginManager.check_pending`).
    """
    manager = Manager()
    manager.add_hookspecs(hookspecs)
    registry = HookRegistry(manager)
    manager.hook.agency_addhooks.call_historic(kwargs={"pluginmanager": registry})
    for name in block:
        manager.set_blocked(name)
    wanted = load_plugins_wanted() if entry_points is None else entry_points
    own = _own_version()
    try:
        if builtins:
            for module in BUILTINS:
                if not manager.is_blocked(module):
                    _register(manager, importlib.import_module(module), module, "agency-core", own)
        if wanted is not False:
            names = None if wanted is True or wanted is None else frozenset(wanted)
            _load_entry_points(manager, names)
        for plugin in plugins:
            name = plugin_name(plugin)
            if manager.is_registered(plugin):
                continue  # the same plugin object, already loaded through its entry point
            if not manager.is_blocked(name):
                _register(manager, plugin, name, *_distribution_of(plugin))
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        name = manager.get_name(exc.plugin) or plugin_name(exc.plugin)
        raise PluginError(f"plugin {name!r} does not fit the agency_core hooks: {exc}") from None
    except ValueError as exc:  # pluggy: a plugin or a hook spec registered twice
        raise PluginError(str(exc)) from None
    return manager


@cache
def _distributions() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def _distribution_of(plugin: object) -> tuple[str, str]:
    """The distribution and version a host-registered plugin's module comes from, if any."""
    module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    package = module.partition(".")[0]
    if package == "agency_core":
        return "agency-core", _own_version()
    names = _distributions().get(package, [])
    if not names:
        return "host", str(getattr(plugin, "__version__", "") or "-")
    return names[0], metadata.version(names[0])


def _register(manager: Manager, plugin: object, name: str, dist: str, version: str) -> None:
    if manager.is_registered(plugin):
        return  # the same module, installed and also named by the host: registered once
    if manager.has_plugin(name):
        raise PluginError(f"two plugins are named {name!r}; give each its own name")
    try:
        manager.register(plugin, name=name)
    except (AgencyError, pluggy.PluginValidationError):
        raise
    except Exception as exc:  # agency_addhooks runs at registration: name who failed
        raise PluginError(f"plugin {name!r} failed while registering: {exc}") from exc
    manager.infos[name] = PluginInfo(name, dist, version)


def _load_entry_points(manager: Manager, names: frozenset[str] | None) -> None:
    for entry in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if names is not None and entry.name not in names:
            continue
        if manager.is_blocked(entry.name) or manager.is_blocked(entry.value):
            continue
        try:
            plugin = entry.load()
        except Exception as exc:
            raise PluginError(f"cannot load plugin {entry.name!r} ({entry.value}): {exc}") from exc
        dist = entry.dist
        _register(
            manager,
            plugin,
            entry.name,
            dist.metadata["Name"] if dist else "unknown",
            dist.version if dist else "unknown",
        )
