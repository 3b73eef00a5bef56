"""What plugins register: request kinds and policy sections, collected with clashes refused.

A plugin registers by callback, as llm's ``register_models(register)``: the engine hands each
plugin a ``register`` function bound to that plugin's name, so a name registered twice is refused
naming both plugins, and the host keeps control of order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final, Generic, Protocol, TypeVar

import attrs
import pluggy

from agency_core.errors import AgencyError, PluginError

__all__ = ["Kind", "Registrar", "Registration", "Scene", "Section", "collect"]

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _name(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.match(value):
        raise PluginError(
            f"{attribute.name} must be a lower-case name of letters, digits and _, not {value!r}"
        )


def _attrs_class(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (isinstance(value, type) and attrs.has(value)):
        raise PluginError(f"{attribute.name} must be an attrs class, not {value!r}")


class Registrar(Protocol[T_contra]):
    """The ``register`` callback a registration hook receives."""

    def __call__(self, item: T_contra, /) -> None: ...


@attrs.frozen
class Kind:
    """A kind of request a plugin decides: its JSON name, its entity class and its check hook.

    The engine decides a request of class ``request`` by collecting the findings of every
    implementation of ``hook`` (a check hook the plugin declares in ``agency_addhooks``, taking
    ``check`` and ``policy``). ``actor`` names the person a request is about, for the log.
    """

    name: str = attrs.field(validator=_name)
    request: type = attrs.field(validator=_attrs_class)
    hook: str = attrs.field(validator=_name)
    actor: Callable[[Any], str | None] | None = None

    def __attrs_post_init__(self) -> None:
        if not self.hook.startswith("agency_check_"):
            raise PluginError(f"kind {self.name}: its hook must be an agency_check_* hook")
        if "kind" in attrs.fields_dict(self.request):
            raise PluginError(
                f"kind {self.name}: {self.request.__name__} has a field named 'kind', the key a "
                "JSON request names its kind with; rename the field"
            )


@attrs.frozen
class Section:
    """A plugin's policy section: ``[plugins.NAME]`` structured as ``spec``.

    Every field of ``spec`` has a default: those are the defaults the plugin ships, used when the
    policy file has no such table (or leaves a key out).
    """

    name: str = attrs.field(validator=_name)
    spec: type = attrs.field(validator=_attrs_class)

    def __attrs_post_init__(self) -> None:
        required = [f.name for f in attrs.fields(self.spec) if f.default is attrs.NOTHING]
        if required:
            raise PluginError(
                f"policy section {self.name}: every field needs a default ({', '.join(required)})"
            )


@attrs.frozen
class Scene:
    """A plugin's part of ``agency demo``: ``run(store, say)`` tells its story on the demo's store
    (whose engine has every plugin), one line at a time through ``say``."""

    name: str = attrs.field(validator=_name)
    title_en: str
    title_zh: str
    run: Callable[[Any, Callable[[str], None]], None]


@attrs.frozen
class Registration(Generic[T]):
    """A registered item and the plugin that registered it."""

    item: T
    plugin: str


def collect(
    manager: pluggy.PluginManager,
    hook: str,
    kind: type[T],
    key: Callable[[T], str],
    *,
    what: str,
    given: Mapping[str, Registration[T]] | None = None,
) -> Mapping[str, Registration[T]]:
    """Every item the implementations of registration ``hook`` register, by ``key``.

    ``given`` are items the core registers first. A name registered twice, an item of another
    type, or an implementation that raises is a :class:`PluginError` naming the plugin(s).
    """
    found: dict[str, Registration[T]] = dict(given or {})
    for impl in reversed(getattr(manager.hook, hook).get_hookimpls()):
        plugin = impl.plugin_name

        def register(item: T, plugin: str = plugin) -> None:
            if not isinstance(item, kind):
                raise PluginError(f"plugin {plugin!r} registered {item!r}, not a {kind.__name__}")
            name = key(item)
            if name in found:
                raise PluginError(
                    f"{what} {name!r} is registered by both {found[name].plugin} and {plugin}"
                )
            found[name] = Registration(item, plugin)

        try:
            impl.function(**dict.fromkeys(impl.argnames, register))
        except AgencyError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {plugin!r} failed in {hook}: {exc}") from exc
    return MappingProxyType(found)
