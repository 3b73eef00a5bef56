"""The least-privilege setup of docs/store.md, run as written on PostgreSQL."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import agency_core.store as st
from agency_core import Engine
from tests.store.helpers import PG_URL, STAFF, claim

DOCS = Path(__file__).parents[2] / "docs" / "store.md"
pytestmark = pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL")


def _blocks() -> tuple[str, str]:
    section = DOCS.read_text(encoding="utf-8").split("### Least privilege on PostgreSQL", 1)[1]
    setup, grants = re.findall(r"```sql\n(.*?)```", section, re.S)[:2]
    return setup, grants


def _run(url: str, sql: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in filter(str.strip, sql.split(";")):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_the_app_role_works_but_cannot_edit_the_log():
    assert PG_URL is not None
    tag = uuid.uuid4().hex[:8]
    owner, app, schema = f"agency_owner_{tag}", f"agency_app_{tag}", f"agency_{tag}"

    def named(sql: str) -> str:
        return (
            sql.replace("agency_owner", owner)
            .replace("agency_app", app)
            .replace("SCHEMA agency ", f"SCHEMA {schema} ")
            .replace("agency.", f"{schema}.")
        )

    setup, grants = _blocks()
    base = make_url(PG_URL)
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            user = conn.exec_driver_sql("SELECT current_user").scalar()
            for statement in filter(str.strip, named(setup).split(";")):
                if statement.strip().startswith("CREATE SCHEMA"):
                    conn.exec_driver_sql(f"GRANT {owner} TO {user}")  # to name it the owner
                conn.exec_driver_sql(statement)

        def url(role: str, password: str) -> str:
            at = base.set(
                username=role, password=password, query={"options": f"-csearch_path={schema}"}
            )
            return at.render_as_string(hide_password=False)

        owner_url, app_url = url(owner, "owner-secret"), url(app, "app-secret")
        migrating = st.open(owner_url)
        migrating.upgrade()
        migrating.dispose()
        _run(owner_url, named(grants))

        store = st.open(app_url)
        log = st.DecisionLog(store)
        store.use(Engine(plugins=[log]))
        try:
            with store.transaction() as tx:
                for person in STAFF:
                    tx.employees.put(person)
                tx.approvals.submit(claim(), key="s")
                tx.approvals.approve("R1", 0, "H1", key="a0")
            store.engine.route_approval(claim("R2"))
            assert log.flush() == 1
            assert st.verify_log(store).entries == 3
            for statement in (
                "UPDATE decision_log SET outcome = 'allow'",
                "DELETE FROM decision_log",
                "TRUNCATE decision_log",
                "DELETE FROM decision_log_head",
                "INSERT INTO decision_log_head (id, seq, hash) VALUES (2, 0, 'x')",
                "ALTER TABLE decision_log DISABLE TRIGGER USER",
                "DROP TRIGGER agency_log_no_update ON decision_log",
                "UPDATE alembic_version SET version_num = '0001'",
                "DELETE FROM log_persons",  # erasure is the owner's
                "UPDATE log_persons SET salt = 'x'",
                "TRUNCATE log_persons",
            ):
                with pytest.raises(sa.exc.ProgrammingError), store.database.begin() as c:
                    c.exec_driver_sql(statement)
            assert st.verify_log(store).ok
            assert st.entries_of(store, "H1") == (2,)  # the app gave H1 a salt
            with pytest.raises(st.StoreError):
                st.erase_person(store, "H1")
        finally:
            store.dispose()
        erasing = st.open(owner_url)
        try:
            assert st.erase_person(erasing, "H1") == st.Erasure("H1", True, 1, 0)
            assert st.verify_log(erasing).ok
        finally:
            erasing.dispose()
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):  # the owner meets the triggers
            _run(owner_url, "UPDATE decision_log SET outcome = 'allow'")
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            user = conn.exec_driver_sql("SELECT current_user").scalar()
            for role in (app, owner):
                conn.exec_driver_sql(f"GRANT {role} TO {user}")  # to drop what it owns
                conn.exec_driver_sql(f"DROP OWNED BY {role}")
                conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        admin.dispose()
