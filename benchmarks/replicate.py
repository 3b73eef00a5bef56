"""Plugin stores at scale: the plugins' own test fixtures, merged and replicated in SQL.

Every plugin's tests plant the offences its sweeps must find, each in a small store of its own
(:mod:`benchmarks.capture` keeps them). :func:`merge` copies those stores into one *template*
(copy 1), making every key distinct per source: a string equal to some key of its source (a
single-column string primary key or unique column: ids, idempotency keys, employee ids) gets
``~<source>``, an integer primary key (and the integer foreign keys to it) an offset.
:func:`replicate` then adds copies 2..``copies`` with one ``INSERT ... SELECT`` per table over a
series, appending ``~<copy>`` to every key string (those containing ``~``) and offsetting the
integer keys, so no Python loop touches the rows.

Every copy is the template with other keys, so each sweep must find exactly ``copies`` times
what it finds in the template: that is the count checked at scale.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from sqlalchemy import (
    Integer,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect

__all__ = ["SKIPPED", "merge", "replicate", "table_rows"]

SKIPPED: Final = frozenset({"alembic_version", "decision_log", "decision_log_head"})
"""Tables not copied: migration state and the hash-chained log (no sweep reads them)."""

MARK: Final = "~"


def _tables(metadata_tables: Iterable[Table]) -> list[Table]:
    return [t for t in metadata_tables if t.name not in SKIPPED]


def _string_keys(table: Table) -> list[str]:
    """String columns whose values other rows refer to or that must stay unique: single-column
    primary keys, and the string columns of unique constraints and indexes."""
    pk = list(table.primary_key.columns)
    groups = [pk] if len(pk) == 1 else []
    groups += [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    groups += [list(ix.columns) for ix in table.indexes if ix.unique]
    return sorted({c.name for cols in groups for c in cols if isinstance(c.type, String)})


def _int_key(table: Table) -> str | None:
    """The table's single integer primary key column, if it has one."""
    cols = list(table.primary_key.columns)
    if len(cols) == 1 and isinstance(cols[0].type, Integer):
        return cols[0].name
    return None


def _int_refs(table: Table) -> dict[str, Table]:
    """Integer foreign-key columns and the table they refer to."""
    return {
        fk.parent.name: fk.column.table
        for fk in table.foreign_keys
        if isinstance(fk.parent.type, Integer)
    }


def _replicable(table: Table) -> bool:
    """A table whose rows stay distinct when copied: its primary key holds a key we rewrite
    (its own single-column key, or a foreign key). Counters such as number sequences are not."""
    pk = list(table.primary_key.columns)
    return len(pk) == 1 or any(c.foreign_keys for c in pk)


def merge(sources: Iterable[Path], target: Any, tables: Iterable[Table]) -> dict[str, Any]:
    """Copy the SQLite ``sources`` into the empty store ``target`` as one template."""
    ordered = [t for t in _tables(tables) if _replicable(t)]
    offsets: dict[str, int] = {}
    used: list[str] = []
    for number, path in enumerate(sorted(sources), start=1):
        source = create_engine(f"sqlite:///{path}")
        present = set(sa_inspect(source).get_table_names())
        mine = [t for t in ordered if t.name in present]
        with source.connect() as conn:
            rows = {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in mine}
        source.dispose()
        keys = {
            row[col]
            for t in mine
            for col in _string_keys(t)
            for row in rows[t.name]
            if row[col] is not None
        }
        for value in keys:
            if MARK in value:
                raise ValueError(f"{path.name}: key {value!r} holds {MARK!r}")
        shift: dict[str, int] = {}
        for t in mine:
            key = _int_key(t)
            if key is not None:
                shift[t.name] = offsets.get(t.name, 0)
                top = max((r[key] for r in rows[t.name]), default=0)
                offsets[t.name] = shift[t.name] + top
        with target.database.begin() as conn:
            for t in mine:
                if not rows[t.name]:
                    continue
                key, refs = _int_key(t), _int_refs(t)
                out = []
                for row in rows[t.name]:
                    new = {}
                    for col, value in row.items():
                        if isinstance(value, str):
                            if value in keys:
                                value = f"{value}{MARK}{number}"
                            elif MARK in value:
                                raise ValueError(f"{path.name}: {t.name}.{col} holds {MARK!r}")
                        elif col == key and value is not None:
                            value += shift[t.name]
                        elif col in refs and value is not None:
                            value += shift.get(refs[col].name, 0)
                        new[col] = value
                    out.append(new)
                conn.execute(t.insert(), out)
        used.append(path.name)
    return {"sources": used, "int_range": offsets}


def _series(dialect: str, first: int, last: int) -> tuple[str, str]:
    if dialect == "postgresql":
        return "", f"generate_series({int(first)}, {int(last)}) AS s(g)"
    prefix = (
        f"WITH RECURSIVE s(g) AS (SELECT {int(first)} UNION ALL SELECT g + 1 FROM s "
        f"WHERE g < {int(last)}) "
    )
    return prefix, "s"


def replicate(target: Any, tables: Iterable[Table], copies: int) -> None:
    """Add copies 2..``copies`` of the template in ``target``, one INSERT ... SELECT per table."""
    if copies < 2:
        return
    ordered = [t for t in _tables(tables) if _replicable(t)]
    dialect = target.dialect
    with_, source = _series(dialect, 2, copies)
    with target.database.begin() as conn:
        span: dict[str, int] = {}
        for t in ordered:
            key = _int_key(t)
            if key is not None:
                span[t.name] = int(conn.execute(select(func.max(t.c[key]))).scalar() or 0)
        for t in ordered:
            if not conn.execute(select(func.count()).select_from(t)).scalar():
                continue
            key, refs = _int_key(t), _int_refs(t)
            exprs = []
            for col in t.columns:
                name = f'{t.name}."{col.name}"'
                if isinstance(col.type, String):
                    exprs.append(
                        f"CASE WHEN {name} LIKE '%{MARK}%' THEN {name} || '{MARK}' || "
                        f"CAST(g AS VARCHAR(12)) ELSE {name} END"
                    )
                elif col.name == key:
                    exprs.append(f"{name} + (g - 1) * {span[t.name]}")
                elif col.name in refs:
                    exprs.append(f"{name} + (g - 1) * {span.get(refs[col.name].name, 0)}")
                else:
                    exprs.append(name)
            columns = ", ".join(f'"{c.name}"' for c in t.columns)
            conn.execute(
                text(
                    f"{with_}INSERT INTO {t.name} ({columns}) SELECT {', '.join(exprs)} "
                    f"FROM {t.name} CROSS JOIN {source}"
                )
            )
    analyze(target)


def analyze(target: Any) -> None:
    """Fresh planner statistics (and, on PostgreSQL, the visibility map that autovacuum keeps)."""
    with target.database.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("VACUUM ANALYZE" if target.dialect == "postgresql" else "ANALYZE")


def table_rows(target: Any, tables: Iterable[Table]) -> dict[str, int]:
    """Rows per non-empty table."""
    found = {}
    with target.database.connect() as conn:
        for t in _tables(tables):
            n = int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
            if n:
                found[t.name] = n
    return found


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the backup API)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
