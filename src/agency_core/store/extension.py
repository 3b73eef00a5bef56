"""What a plugin keeps in the store: its Alembic branch, its tables' metadata, its sweeps."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import attrs
from sqlalchemy import MetaData

from agency_core.engine import Engine
from agency_core.errors import PluginError
from agency_core.kinds import collect
from agency_core.store.audit import Sweep

__all__ = ["CORE_VERSIONS", "StoreExtension", "extensions", "revisions"]

CORE_VERSIONS: Final = Path(__file__).parent / "migrations" / "versions"
"""The core's Alembic revisions."""

_REVISION: Final = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*[\"']([^\"']+)[\"']", re.M)


def _label(_inst: object, _attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", value):
        raise PluginError(f"a branch label is a short lower-case name, not {value!r}")


def _versions(_inst: object, _attribute: attrs.Attribute[Path], value: Path) -> None:
    if not isinstance(value, Path) or not value.is_dir():
        raise PluginError(f"versions must be a directory of Alembic revisions, not {value!r}")


def _sweeps(value: Iterable[Sweep]) -> tuple[Sweep, ...]:
    """The sweeps as a tuple (a typed converter: ``converter=tuple`` leaves mypy unsolved)."""
    return tuple(value)


@attrs.frozen
class StoreExtension:
    """A plugin's part of the store.

    ``label`` names the plugin's Alembic branch (its first revision has ``branch_labels`` with it
    and ``depends_on`` a core revision); ``versions`` is the directory of its revisions;
    ``metadata`` holds its tables (a ``MetaData`` of its own, never the core's); ``sweeps`` are
    run by ``agency audit`` with the core's.
    """

    label: str = attrs.field(validator=_label)
    versions: Path = attrs.field(converter=Path, validator=_versions)
    metadata: MetaData = attrs.field(validator=attrs.validators.instance_of(MetaData))
    sweeps: tuple[Sweep, ...] = attrs.field(default=(), converter=_sweeps)


def revisions(versions: Path) -> set[str]:
    """The revision ids of the migration files in ``versions``."""
    found = set()
    for script in versions.glob("*.py"):
        match = _REVISION.search(script.read_text(encoding="utf-8"))
        if match:
            found.add(match.group(1))
    return found


def extensions(engine: Engine) -> tuple[StoreExtension, ...]:
    """The store extensions ``engine``'s plugins register; clashing branches or revisions refused.

    A branch label or a revision id that two plugins (or a plugin and the core) both use is a
    :class:`PluginError` naming both.
    """
    found = collect(
        engine.plugin_manager,
        "agency_register_store",
        StoreExtension,
        lambda extension: extension.label,
        what="store branch",
    )
    owners = dict.fromkeys(revisions(CORE_VERSIONS), "agency_core")
    for registration in found.values():
        for revision in sorted(revisions(registration.item.versions)):
            if revision in owners:
                raise PluginError(
                    f"migration revision {revision!r} is shipped by both {owners[revision]} "
                    f"and {registration.plugin}"
                )
            owners[revision] = registration.plugin
    return tuple(registration.item for _label, registration in sorted(found.items()))
