"""Scratch databases for tests of the store and of plugins' tables, on SQLite and PostgreSQL.

Every test gets an empty database: a SQLite file under its temporary directory, or, when
``AGENCY_TEST_DATABASE_URL`` points at a PostgreSQL database, a fresh schema dropped afterwards.
The core's pytest plugin offers them as the fixture ``agency_db_url`` (once per backend), which
plugins' tests use directly.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from agency_core.errors import InvalidInput

__all__ = ["TEST_DATABASE_ENV", "backends", "migrations_match_models", "scratch_database"]

TEST_DATABASE_ENV: Final = "AGENCY_TEST_DATABASE_URL"


def backends() -> list[str]:
    """``["sqlite"]``, and ``"postgresql"`` when ``AGENCY_TEST_DATABASE_URL`` is set."""
    return ["sqlite", *(["postgresql"] if os.environ.get(TEST_DATABASE_ENV) else [])]


@contextmanager
def scratch_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database on ``backend``, removed when the block ends."""
    if backend == "sqlite":
        yield f"sqlite:///{directory}/agency.db"
        return
    url = os.environ.get(TEST_DATABASE_ENV)
    if backend != "postgresql" or not url:
        raise InvalidInput(f"no test database for {backend!r}; set {TEST_DATABASE_ENV}")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def migrations_match_models(url: str, engine: object | None = None) -> list[object]:
    """Upgrade an empty database at ``url`` with every branch, and return autogenerate's diff.

    An empty list means the migrations of the core and of every plugin of ``engine`` (an
    :class:`~agency_core.Engine`; the default one when None) create exactly their models.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import agency_core.store as st
    from agency_core.engine import Engine
    from agency_core.store.migrate import alembic_config

    store = st.open(url, engine=engine if isinstance(engine, Engine) else None)
    try:
        store.upgrade()
        store.upgrade()  # an up-to-date database changes nothing
        metadata = alembic_config(store).attributes["metadata"]
        with store.database.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        store.dispose()
