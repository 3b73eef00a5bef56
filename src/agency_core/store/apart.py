"""Decide before locking: ask the engine on a snapshot, then keep the answer only if nothing moved.

A workflow that asks the engine under its transaction's lock (SQLite's write lock, a PostgreSQL
row or advisory lock) makes every other writer wait while the plugins run. Instead it reads what
the engine needs from a snapshot apart from the transaction (:meth:`Store.snapshot`) and asks
the engine there (:func:`ahead`); then it takes its lock, reads again, and :func:`settle` keeps
the early answer only when what the engine was asked is unchanged, asking again otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

from agency_core.errors import AgencyError

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = ["Early", "ahead", "settle"]

C = TypeVar("C")
D = TypeVar("D")


@attrs.frozen
class Early(Generic[C, D]):
    """What the engine was asked on the snapshot, and its answer."""

    asked: C
    answer: D


def ahead(
    tx: Transaction, read: Callable[[Transaction], C | None], decide: Callable[[C], D]
) -> Early[C, D] | None:
    """Read with ``read`` on a snapshot apart from ``tx`` and ``decide`` there, without a lock.

    None when no snapshot helps (``tx`` already touched the database, an in-memory database),
    when ``read`` finds nothing to decide (returns None: say, the action is already recorded),
    or when reading or deciding raised a typed error: the locked path then decides, or raises.
    """
    with tx.store.snapshot(tx.engine) as reader:
        if reader is None:
            return None
        try:
            asked = read(reader)
            return None if asked is None else Early(asked, decide(asked))
        except AgencyError:
            return None


def settle(early: Early[C, D] | None, asked: C, decide: Callable[[C], D]) -> D:
    """The early answer if the engine would be asked exactly the same now, else a new one."""
    if early is not None and early.asked == asked:
        return early.answer
    return decide(asked)
