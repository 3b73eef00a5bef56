"""Migrations: an empty database goes from base to head, and the models match them."""

from __future__ import annotations

import click
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

import agency_core.store as st
from agency_core.store.cli import register
from agency_core.store.models import Base


def _group() -> click.Group:
    group = click.Group("agency")
    register(group)
    return group


def test_upgrade_from_base_to_head_matches_the_models(db):
    store = st.open(db.url)
    try:
        with store.database.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
        store.upgrade()
        store.upgrade()  # upgrading an up-to-date database changes nothing
        with store.database.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert {"approval_requests", "decision_log", "records", "alembic_version"} <= tables
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            head = conn.exec_driver_sql("SELECT seq, hash FROM decision_log_head").all()
            assert head == [(0, "0" * 64)]
    finally:
        store.dispose()


def test_cli_db_upgrade_creates_the_schema(db):
    result = CliRunner().invoke(_group(), ["db", "upgrade", "--url", db.url])
    assert result.exit_code == 0, result.output
    assert "upgraded" in result.output
    store = st.open(db.url)
    try:
        with store.transaction() as tx:
            assert tx.log.count() == 0
    finally:
        store.dispose()


def test_cli_reports_bad_urls_without_traceback():
    result = CliRunner().invoke(_group(), ["db", "upgrade", "--url", "mysql://x/y"])
    assert result.exit_code == 2
    assert "unsupported database" in result.output
    assert "Traceback" not in result.output


def test_open_refuses_what_it_cannot_use(tmp_path):
    import pytest

    from agency_core.errors import InvalidInput

    for url in ("", "not a url", "oracle://x/y"):
        with pytest.raises(InvalidInput):
            st.open(url)
    with pytest.raises(InvalidInput):
        st.open(f"sqlite:///{tmp_path}/x.db", schema="s")


def test_a_store_without_tables_raises_a_store_error(tmp_path):
    import pytest

    store = st.open(f"sqlite:///{tmp_path}/empty.db")
    try:
        with pytest.raises(st.StoreError), store.transaction() as tx:
            tx.log.count()
    finally:
        store.dispose()
