"""Registering the department plugins loads no store (issue 14: start-up of ``agency decide``).

Their store modules, tables and SQLAlchemy load when a store or its migrations are asked for.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

DEPARTMENTS = (
    "admin",
    "branch_office",
    "business",
    "customer_service",
    "finance",
    "hr",
    "legal",
    "risk_audit",
)
_PROBE = """
import json, sys
from agency_core import Engine
engine = Engine(entry_points=True)
names = sorted(p.name for p in engine.plugins)
if sys.argv[1] == "store":
    import agency_core.store as store
    opened = store.open(f"sqlite:///{sys.argv[2]}", engine=engine)
    opened.upgrade()
    opened.dispose()
print(json.dumps({"plugins": names, "sqlalchemy": "sqlalchemy" in sys.modules}))
"""


def _installed() -> set[str]:
    found = importlib.metadata.entry_points(group="agency_core")
    return {entry.name for entry in found} & set(DEPARTMENTS)


def _probe(what: str, database: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, what, str(database)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def installed() -> set[str]:
    names = _installed()
    if not names:
        pytest.skip("no department plugin is installed")
    return names


def test_registering_every_department_plugin_imports_no_sqlalchemy(
    installed: set[str], tmp_path: Path
) -> None:
    found = _probe("engine", tmp_path / "unused.db")
    assert installed <= set(found["plugins"])  # type: ignore[arg-type]
    assert found["sqlalchemy"] is False


def test_a_store_with_every_department_plugin_still_migrates(
    installed: set[str], tmp_path: Path
) -> None:
    found = _probe("store", tmp_path / "store.db")
    assert installed <= set(found["plugins"])  # type: ignore[arg-type]
    assert found["sqlalchemy"] is True
