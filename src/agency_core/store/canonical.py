"""Canonical JSON and digests: the same bytes for the same content, on every machine.

:func:`plain` dispatches on the exact type of each value through a cache of per-type converters
(built once per type with the same rules, in the same order, as an ``isinstance`` chain), and
:func:`canonical` reuses one encoder: the bytes are those of
``json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)``.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Mapping, Set
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs

__all__ = ["canonical", "canonical_text", "digest", "json_string", "plain", "utc_iso"]

_ENCODER: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)

json_string: Final[Callable[[str], str]] = getattr(json.encoder, "c_encode_basestring", None) or (
    json.encoder.py_encode_basestring
)
"""A ``str`` as a JSON string token, exactly as :func:`canonical` writes it."""


def utc_iso(at: datetime) -> str:
    """``at`` in UTC, ISO 8601 with microseconds."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


Converter = Callable[[Any], Any]
_CONVERTERS: dict[type, Converter] = {}


def _same(value: Any) -> Any:
    return value


def _attrs(cls: type) -> Converter:
    names = tuple(f.name for f in attrs.fields(cls))
    return lambda value: {name: plain(getattr(value, name)) for name in names}


def _converter(cls: type) -> Converter:
    """How ``plain`` turns instances of ``cls`` into JSON-ready data (first match wins)."""
    if attrs.has(cls):
        return _attrs(cls)
    if issubclass(cls, enum.Enum):
        return lambda value: plain(value.value)
    if issubclass(cls, datetime):
        return utc_iso
    if issubclass(cls, date):
        return lambda value: value.isoformat()
    if issubclass(cls, Decimal):
        return str
    if issubclass(cls, Mapping):
        return lambda value: {str(k): plain(v) for k, v in value.items()}
    if issubclass(cls, Set):
        return lambda value: sorted(plain(v) for v in value)
    if issubclass(cls, list | tuple):
        return lambda value: [plain(v) for v in value]
    return _same


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: attrs classes as dicts, sets sorted, Decimals as strings."""
    cls = type(value)
    convert = _CONVERTERS.get(cls)
    if convert is None:
        convert = _CONVERTERS[cls] = _converter(cls)
    return convert(value)


def canonical_text(value: Any) -> str:
    """Canonical JSON as text: sorted keys, no spaces, non-ASCII kept as it is."""
    return _ENCODER.encode(plain(value))


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8."""
    return canonical_text(value).encode("utf-8")


def digest(value: Any) -> str:
    """The sha256 hex digest of ``value``'s canonical JSON."""
    return hashlib.sha256(canonical(value)).hexdigest()
