"""The strict cattrs converters behind policy files and JSON requests, and their error lines."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

import cattrs
from cattrs.cols import is_any_set, is_sequence
from cattrs.v import format_exception

from agency_core.entities.money import to_decimal
from agency_core.errors import AgencyError

__all__ = ["error_lines", "strict_converter"]

T = TypeVar("T")


def _exactly(kind: type) -> Any:
    def structure(value: object, _type: type) -> object:
        if type(value) is not kind:
            raise ValueError(f"expected {kind.__name__}, not {type(value).__name__} {value!r}")
        return value

    return structure


def _enum(value: object, type_: type[enum.Enum]) -> enum.Enum:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"expected one of {[m.value for m in type_]}, not {value!r}")
    return type_(value)


# What the published JSON Schema allows (ASCII digits only: ``\d`` would take full-width ones).
DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")
DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATETIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)


def _decimal(value: object, _type: type) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"write amounts as strings or integers, not the float {value!r}")
    if isinstance(value, str) and not DECIMAL.fullmatch(value):
        raise ValueError(f"expected a decimal such as 12.50, not {value[:40]!r}")
    return to_decimal(value)


def _date(value: object, _type: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and DATE.fullmatch(value):
        return date.fromisoformat(value)
    raise ValueError(f"expected a date such as 2026-01-31, not {str(value)[:40]!r}")


def _datetime(value: object, _type: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and DATETIME.fullmatch(value):
        return datetime.fromisoformat(value)
    raise ValueError(
        f"expected a datetime such as 2026-01-31T09:00:00+08:00, not {str(value)[:40]!r}"
    )


def strict_converter(**options: Any) -> cattrs.Converter:
    """A new converter refusing unknown keys and loose types (no "1" for 1, no 1.5 for money).

    Strings, integers and booleans must have exactly that type; enums take their values;
    decimals come from strings or integers; dates and datetimes from ISO 8601 strings.
    """
    converter = cattrs.Converter(forbid_extra_keys=True, **options)
    for kind in (str, int, bool):
        converter.register_structure_hook(kind, _exactly(kind))
    for base in (enum.Enum, enum.StrEnum):  # StrEnum: more specific than str in the MRO
        converter.register_structure_hook(base, _enum)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_structure_hook(date, _date)
    converter.register_structure_hook(datetime, _datetime)
    _refuse_strings_as_collections(converter)
    return converter


def _refuse_strings_as_collections(converter: cattrs.Converter) -> None:
    """A list, tuple or set never comes from a string (cattrs would split it into characters)."""
    building: set[Any] = set()

    def is_collection(type_: Any) -> bool:
        return type_ not in building and (is_sequence(type_) or is_any_set(type_))

    def factory(type_: Any) -> Any:
        building.add(type_)  # while set, cattrs' own hook for the type is the one dispatched
        try:
            base = converter.get_structure_hook(type_, cache_result=False)
        finally:
            building.discard(type_)

        def structure(value: object, kind: Any) -> Any:
            if isinstance(value, str | bytes):
                raise ValueError(f"expected a list, not the string {value!r}")
            return base(value, kind)

        return structure

    converter.register_structure_hook_factory(is_collection, factory)


def _format(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, ValueError | AgencyError) and str(exc):
        return str(exc)
    return format_exception(exc, type_)


_KEY: Final = re.compile(r"\['([A-Za-z_][A-Za-z0-9_]*)'\]")


def error_lines(exc: cattrs.BaseValidationError) -> list[str]:
    """One line per problem, each ending with the JSON path where it is: ``... @ $.a.b[2]``.

    Mapping keys that are plain names read as fields (``$.roles.cashier``), as in the file.
    """
    lines = cattrs.transform_error(exc, path="$", format_exception=_format)
    return [_KEY.sub(r".\1", line) for line in lines]
