"""Run the bundled Alembic migrations (``agency_core/store/migrations``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from agency_core.errors import InvalidInput
from agency_core.store.session import translated

if TYPE_CHECKING:
    from agency_core.store.session import Store

__all__ = ["SCRIPT_LOCATION", "alembic_config", "upgrade"]

SCRIPT_LOCATION = "agency_core.store:migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(store: Store, revision: str = "head") -> None:
    """Upgrade ``store``'s database to ``revision`` in one transaction."""
    config = alembic_config()
    try:
        with translated(), store.database.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except CommandError as exc:  # an unknown or unreachable revision
        raise InvalidInput(f"cannot upgrade to {revision[:64]!r}: {str(exc)[:200]}") from None
