"""API tokens mapped to employees, kept only as SHA-256 hashes in a JSON file.

The file is ``{"tokens": {"<sha256 hex of the token>": "<employee id>"}}``. A token is shown once,
when :func:`issue` makes it; the server never sees it again except in an ``Authorization:
Bearer`` header, whose hash it looks up. The file is read again when it changes, so a revoked
token stops working without a restart.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Final

from agency_core.errors import InvalidInput

__all__ = ["TokenBook", "digest", "issue"]

_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{20,200}")
_EMPLOYEE: Final = re.compile(r"\S{1,64}")


def digest(token: str) -> str:
    """The SHA-256 hex digest under which ``token`` is stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the token file {str(path)!r}: {exc}") from None
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(tokens, dict) or not all(
        isinstance(k, str) and _HEX64.fullmatch(k) and isinstance(v, str) and _EMPLOYEE.fullmatch(v)
        for k, v in tokens.items()
    ):
        raise InvalidInput(f"{path} is not a token file: {{'tokens': {{sha256: employee}}}}")
    return dict(tokens)


def issue(path: Path, employee: str) -> str:
    """Make a new token for ``employee``, store its hash in ``path`` and return it (once)."""
    if not _EMPLOYEE.fullmatch(employee):
        raise InvalidInput(f"not an employee id: {employee[:64]!r}")
    tokens = _read(path)
    token = secrets.token_urlsafe(32)
    tokens[digest(token)] = employee
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"tokens": tokens}, out, indent=2, sort_keys=True)
    os.replace(scratch, path)
    return token


class TokenBook:
    """Who a bearer token belongs to, read from the token file (again whenever it changes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._tokens: dict[str, str] = {}
        self._refresh()

    def _refresh(self) -> None:
        try:
            status = self.path.stat()
            stamp = (status.st_mtime_ns, status.st_size)
        except FileNotFoundError:
            stamp = (0, 0)
        with self._lock:
            if stamp != self._stamp:
                self._tokens = _read(self.path)
                self._stamp = stamp

    def who(self, token: str) -> str | None:
        """The employee ``token`` was issued to, or None for an unknown or malformed token."""
        if not _TOKEN.fullmatch(token):
            return None
        self._refresh()
        return self._tokens.get(digest(token))
