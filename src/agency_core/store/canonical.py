"""Canonical JSON and digests: the same bytes for the same content, on every machine.

:func:`plain` writes values with the canonical rules of :mod:`agency_core.convert`; the bytes
are those of ``json.dumps(plain(value), sort_keys=True, separators=(",", ":"),
ensure_ascii=False)``, from one reused encoder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, Final

from agency_core.convert import canonical as _rules
from agency_core.convert import utc_iso

__all__ = ["canonical", "canonical_text", "digest", "json_string", "plain", "utc_iso"]

_ENCODER: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)

json_string: Final[Callable[[str], str]] = getattr(json.encoder, "c_encode_basestring", None) or (
    json.encoder.py_encode_basestring
)
"""A ``str`` as a JSON string token, exactly as :func:`canonical` writes it."""


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: attrs classes as dicts, sets sorted, Decimals as strings,
    datetimes in UTC."""
    return _rules.unstructure(value)


def canonical_text(value: Any) -> str:
    """Canonical JSON as text: sorted keys, no spaces, non-ASCII kept as it is."""
    return _ENCODER.encode(_rules.unstructure(value))


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8."""
    return canonical_text(value).encode("utf-8")


def digest(value: Any) -> str:
    """The sha256 hex digest of ``value``'s canonical JSON."""
    return hashlib.sha256(canonical(value)).hexdigest()
