"""Validators and converters shared by the entities; their errors name the field and the value.

Fields use them through ``attrs.field(...)`` directly, so type checkers see which are required.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone
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
    check_aware(attribute.name, value)


def check_aware(name: str, value: object) -> None:
    """:func:`aware` for a value named ``name``."""
    if (  # the usual case: a fixed offset is always aware
        type(value) is datetime
        and type(value.tzinfo) is timezone
        and MIN_YEAR <= value.year <= MAX_YEAR
    ):
        return
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


def prevalidated(cls: type[T]) -> Callable[..., T]:
    """A constructor of the attrs class ``cls`` for values already validated and converted as
    ``cls(...)`` validates and converts them: every field, positionally, in order.

    It sets the slots and checks nothing, so that a value the engine has just validated (a
    :class:`~agency_core.StepBatch` column, a step question's plain values) is not validated
    again in each entity built from it. Generated as attrs generates ``__init__``.
    """
    names = [field.name for field in attrs.fields(cls)]  # type: ignore[arg-type]
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update({f"set_{name}": getattr(cls, name).__set__ for name in names})
    lines = [f"def build({', '.join(names)}):", "    made = new(cls)"]
    lines += [f"    set_{name}(made, {name})" for name in names]
    lines.append("    return made")
    exec("\n".join(lines), scope)  # only the class's own field names go into the source
    build: Callable[..., T] = scope["build"]
    build.__qualname__ = f"prevalidated({cls.__name__})"
    return build


def to_codes(value: Iterable[str]) -> frozenset[str]:
    """Any iterable of codes but a string, as a frozenset."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput(f"expected a collection of codes, not {value!r}")
    return frozenset(value)


class FrozenMap(dict[K, V]):
    """A read-only, hashable mapping: what entities, findings and the policy hold instead of dicts.

    Nothing a plugin is handed can change what another plugin or the host sees: item assignment
    and deletion, ``clear()``, ``update()``, ``pop()``, ``setdefault()``, ``|=`` and attribute
    assignment all raise. It is a ``dict`` underneath so that reading it costs what reading a
    dict costs (the engine reads the policy's maps on every decision).
    """

    __slots__ = ()

    def __setitem__(self, key: K, value: V) -> NoReturn:
        raise TypeError(f"'{type(self).__name__}' object does not support item assignment")

    def __delitem__(self, key: K) -> NoReturn:
        raise TypeError(f"'{type(self).__name__}' object does not support item deletion")

    def __ior__(self, other: object) -> NoReturn:  # type: ignore[misc]
        raise TypeError(f"'{type(self).__name__}' object is read-only")

    def _no_method(self, *args: object, **kwargs: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")

    clear = update = pop = popitem = setdefault = _no_method

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return type(self), (dict(self),)


def frozen_map(value: Mapping[Any, Any]) -> FrozenMap[Any, Any]:
    """A mapping as a :class:`FrozenMap` (one already frozen is kept as it is); a converter."""
    if type(value) is dict:  # the usual case, before the slower abstract-class check
        return FrozenMap(value)
    if isinstance(value, FrozenMap):
        return value
    if not isinstance(value, Mapping):
        raise InvalidInput(f"expected a mapping, not {value!r}")
    return FrozenMap(value)
