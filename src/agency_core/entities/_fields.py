"""Validators and converters shared by the entities; their errors name the field and the value.

Fields use them through ``attrs.field(...)`` directly, so type checkers see which are required.
"""

from __future__ import annotations

import re
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping
from datetime import date, datetime, timezone
from types import MappingProxyType
from typing import Any, Final, NoReturn, TypeVar

import attrs

from agency_core.errors import InvalidInput

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


MAX_CODE: Final = 64
"""The longest identifier or code: the store keeps them in 64 characters."""
MIN_YEAR: Final = 1000
MAX_YEAR: Final = 8999
"""Dates stay within years the engine can add retention periods and deadlines to."""
_UNSTORABLE: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (NUL among them) and lone surrogates: no identifier holds them."""


def code(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A required identifier or code: a non-empty string of at most :data:`MAX_CODE`
    characters, none of them a control character or a lone surrogate (what any store holds)."""
    if (  # the usual case: printable ASCII holds no control character
        type(value) is str
        and len(value) <= MAX_CODE
        and value.isascii()
        and value.isprintable()
        and value.strip()
    ):
        return
    check_code(attribute.name, value)


def check_code(name: str, value: object) -> None:
    """:func:`code` for a value named ``name`` (a field, or a cell such as ``actor[3]``)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} must be a non-empty string, not {value!r}")
    if len(value) > MAX_CODE:
        raise InvalidInput(f"{name} must be at most {MAX_CODE} characters, not {len(value)}")
    if _UNSTORABLE.search(value):
        raise InvalidInput(
            f"{name} must not hold control characters or lone surrogates: "
            f"{value.encode('unicode_escape', 'backslashreplace').decode('ascii')[:80]}"
        )


def optional_code(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An identifier that may be None."""
    if value is not None:
        code(inst, attribute, value)


def codes(inst: object, attribute: attrs.Attribute[Any], value: frozenset[str]) -> None:
    """A set of identifiers."""
    for item in value:
        code(inst, attribute, item)


def aware(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A timezone-aware datetime."""
    if (  # a fixed offset is always aware
        type(value) is datetime
        and type(value.tzinfo) is timezone
        and MIN_YEAR <= value.year <= MAX_YEAR
    ):
        return
    check_aware(attribute.name, value)


def check_aware(name: str, value: object) -> None:
    """:func:`aware` for a value named ``name``."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a datetime, not {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must carry a UTC offset, got naive {value}")
    _year(name, value)


def _year(name: str, value: date) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidInput(f"{name} must be in {MIN_YEAR}..{MAX_YEAR}, not {value}")


def optional_aware(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A timezone-aware datetime or None."""
    if value is not None:
        aware(inst, attribute, value)


def day(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A calendar date (not a datetime)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{attribute.name} must be a date, not {value!r}")
    _year(attribute.name, value)


def optional_day(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A calendar date or None."""
    if value is not None:
        day(inst, attribute, value)


def of(kind: type | tuple[type, ...], *, optional: bool = False) -> Validator:
    """A value of type ``kind`` (or None when ``optional``); booleans are not integers."""
    names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))

    def validate(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if optional and value is None:
            return
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise InvalidInput(f"{attribute.name} must be a {names}, not {value!r}")

    return validate


def each(kind: type, *, required: bool = False) -> Validator:
    """A tuple of ``kind`` instances (non-empty when ``required``)."""

    def validate(_inst: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
        for index, item in enumerate(value):
            if not isinstance(item, kind):
                raise InvalidInput(
                    f"{attribute.name}[{index}] must be a {kind.__name__}, not {item!r}"
                )
        if required and not value:
            raise InvalidInput(f"{attribute.name} must not be empty")

    return validate


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Any iterable but a string, as a tuple."""
    if type(value) is tuple:
        return value
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput(f"expected a list, not {value!r}")
    return tuple(value)


def to_codes(value: Iterable[str]) -> frozenset[str]:
    """Any iterable of codes but a string, as a frozenset."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput(f"expected a collection of codes, not {value!r}")
    return frozenset(value)


class FrozenMap(Mapping[K, V]):
    """A read-only, hashable mapping: what entities, findings and the policy hold instead of dicts.

    Nothing a plugin is handed can change what another plugin or the host sees: item assignment,
    ``clear()``, ``update()`` and attribute assignment all raise.
    """

    __slots__ = ("_hash", "_items")
    _items: Mapping[K, V]
    _hash: int | None

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        object.__setattr__(self, "_items", MappingProxyType(dict(items)))
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def get(self, key: K, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        return self._items.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def items(self) -> ItemsView[K, V]:
        """The (key, value) pairs."""
        return self._items.items()

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._items.items())))
        return self._hash  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._items)!r})"

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return type(self), (dict(self._items),)


def frozen_map(value: Mapping[Any, Any]) -> FrozenMap[Any, Any]:
    """A mapping as a :class:`FrozenMap` (one already frozen is kept as it is); a converter."""
    if type(value) is dict:  # the usual case, before the slower abstract-class check
        return FrozenMap(value)
    if isinstance(value, FrozenMap):
        return value
    if not isinstance(value, Mapping):
        raise InvalidInput(f"expected a mapping, not {value!r}")
    return FrozenMap(value)
