"""Signed checkpoints: the log's head anchored outside the database.

A firm keeps a secret *log key* (at least 32 bytes, in a file the database never sees). With it
the store signs the head row on every append (``decision_log_head.mac``), and
:func:`~agency_core.store.log.take_checkpoint` emits a :class:`Checkpoint` (sequence number,
hash, time, HMAC-SHA256) that the firm keeps elsewhere. Whoever can write to the database but
does not hold the key cannot advance the head to a forged entry, and cannot make a chain that
was truncated or rewritten extend a checkpoint it has never seen.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any, Final

import attrs

from agency_core.errors import InvalidInput

__all__ = ["KEY_BYTES", "Checkpoint", "head_mac", "load_key"]

KEY_BYTES: Final = 32
"""The shortest log key accepted."""
_FORMAT: Final = "agency-log-checkpoint/1"
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_AT: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00")


def load_key(path: str | Path) -> bytes:
    """The log key kept in the file at ``path`` (its bytes, at least :data:`KEY_BYTES`)."""
    try:
        key = Path(path).read_bytes()
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the log key {str(path)!r}: {exc}") from None
    if len(key) < KEY_BYTES:
        raise InvalidInput(f"a log key needs at least {KEY_BYTES} bytes, {path!s} has {len(key)}")
    return key


def _mac(key: bytes, *parts: object) -> str:
    message = "\n".join(str(part) for part in parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, hash_: str) -> str:
    """The signature of the head ``(seq, hash_)`` under ``key``."""
    return _mac(key, "agency-log-head", seq, hash_)


@attrs.frozen
class Checkpoint:
    """The head at a moment, signed: ``seq`` entries, the last hashing to ``hash``."""

    seq: int
    hash: str
    at: str
    """When it was taken (UTC, ISO 8601 with microseconds)."""
    mac: str

    @classmethod
    def sign(cls, key: bytes, seq: int, hash_: str, at: str) -> Checkpoint:
        """A checkpoint of ``(seq, hash_)`` taken ``at``, signed with ``key``."""
        return cls(seq, hash_, at, _mac(key, _FORMAT, seq, hash_, at))

    def signed_by(self, key: bytes) -> bool:
        """Whether ``key`` made this checkpoint (compared in constant time)."""
        return hmac.compare_digest(self.mac, _mac(key, _FORMAT, self.seq, self.hash, self.at))

    def to_json(self) -> str:
        """The checkpoint as one line of JSON."""
        data = {"format": _FORMAT, "seq": self.seq, "hash": self.hash, "at": self.at}
        return json.dumps({**data, "mac": self.mac}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, source: str = "checkpoint") -> Checkpoint:
        """Parse a checkpoint written by :meth:`to_json`; anything else is :class:`InvalidInput`."""
        try:
            data: Any = json.loads(text)
        except (ValueError, RecursionError):
            raise InvalidInput(f"{source} is not JSON") from None
        keys = {"format", "seq", "hash", "at", "mac"}
        if not isinstance(data, dict) or set(data) != keys or data["format"] != _FORMAT:
            raise InvalidInput(f"{source} is not an agency log checkpoint ({_FORMAT})")
        seq, hash_, at, mac = data["seq"], data["hash"], data["at"], data["mac"]
        if type(seq) is not int or not 0 <= seq < 2**63:
            raise InvalidInput(f"{source}: seq must be a non-negative integer")
        fields = (("hash", hash_, _HEX64), ("mac", mac, _HEX64), ("at", at, _AT))
        for name, value, pattern in fields:
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise InvalidInput(f"{source}: malformed {name}")
        return cls(seq, hash_, at, mac)

    @classmethod
    def read(cls, path: str | Path) -> Checkpoint:
        """The checkpoint kept in the file at ``path``."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"cannot read the checkpoint {str(path)!r}: {exc}") from None
        return cls.from_json(text, source=str(path))
