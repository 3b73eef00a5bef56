"""Alembic environment: runs on the connection :func:`agency_core.store.migrate.upgrade` gives."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from agency_core.store.models import Base

config = context.config
target_metadata = config.attributes.get("metadata", [Base.metadata])


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
elif context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(str(config.get_main_option("sqlalchemy.url")))
    with engine.begin() as conn:
        _run(conn)
