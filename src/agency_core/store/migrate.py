"""Run the bundled Alembic migrations (``agency_core/store/migrations``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from agency_core.errors import InvalidInput
from agency_core.store.extension import CORE_VERSIONS, extensions
from agency_core.store.models import Base
from agency_core.store.session import translated

if TYPE_CHECKING:
    from agency_core.store.session import Store

__all__ = ["SCRIPT_LOCATION", "alembic_config", "upgrade"]

SCRIPT_LOCATION = "agency_core.store:migrations"


def alembic_config(store: Store | None = None) -> Config:
    """An Alembic configuration with the core's migrations and every plugin branch of ``store``.

    The plugins are those of the store's engine; their revision directories are added to
    ``version_locations`` and their metadata to the autogenerate target.
    """
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    added = extensions(store.engine) if store is not None else ()
    locations = [str(CORE_VERSIONS), *(str(extension.versions) for extension in added)]
    config.set_main_option("version_locations", os.pathsep.join(locations))
    config.set_main_option("path_separator", "os")
    config.attributes["metadata"] = [Base.metadata, *(extension.metadata for extension in added)]
    return config


def upgrade(store: Store, revision: str = "heads") -> None:
    """Upgrade ``store``'s database, the core and every plugin branch, in one transaction."""
    config = alembic_config(store)
    try:
        with translated(), store.database.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except CommandError as exc:  # an unknown or unreachable revision
        raise InvalidInput(f"cannot upgrade to {revision[:64]!r}: {str(exc)[:200]}") from None
