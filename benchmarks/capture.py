"""A pytest plugin that keeps the store of each test as the test left it (benchmark code).

``python -m pytest plugins -p benchmarks.capture`` with ``AGENCY_BENCH_CAPTURE=DIR`` copies the
database behind every test's ``store`` fixture into ``DIR`` (one file per test) before the fixture
is torn down. The plugins' tests plant the offences their sweeps must find, so these stores are
the fixtures :mod:`benchmarks.replicate` multiplies into a million-row store.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: Any) -> Iterator[None]:
    target = os.environ.get("AGENCY_BENCH_CAPTURE")
    store = getattr(item, "funcargs", {}).get("store")
    url = str(getattr(getattr(store, "database", None), "url", ""))
    if target and url.startswith("sqlite:///"):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-150:]
        source = sqlite3.connect(url.removeprefix("sqlite:///"))
        copy = sqlite3.connect(Path(target, f"{name}.db"))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    return (yield)
