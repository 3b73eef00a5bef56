"""Policies too deep, too big or beyond what the engine and the store hold: typed errors, fast."""

from __future__ import annotations

import re
import time

import pytest

from agency_core.errors import PolicyError
from agency_core.policy import parse_policy
from tests.test_policy import DEFAULT


def _refused(text: str, match: str) -> None:
    started = time.perf_counter()
    with pytest.raises(PolicyError, match=match):
        parse_policy(text.encode("utf-8"))
    assert time.perf_counter() - started < 2


def _roles(lines: list[str]) -> str:
    return DEFAULT + "\n" + "\n".join(lines) + "\n"


def test_toml_nested_500_deep():
    _refused(DEFAULT + "\ndeep = " + "[" * 500 + "]" * 500 + "\n", "nested deeper")


def test_integers_of_4300_digits_and_beyond_int64():
    _refused(DEFAULT + "\nbig = 1" + "0" * 4400 + "\n", "not valid TOML")
    _refused(DEFAULT + "\nbig = 1" + "0" * 20 + "\n", "out of range")


def test_a_long_role_inheritance_chain_and_a_cycle():
    chain = [f'[roles.c{n}]\ninherits = ["c{n + 1}"]' for n in range(200)] + ["[roles.c200]"]
    _refused(_roles(chain), "inheritance chain longer than 16")
    cycle = [f'[roles.c{n}]\ninherits = ["c{(n + 1) % 100}"]' for n in range(100)]
    _refused(_roles(cycle), "inherits itself")
    many = [f"[roles.r{n}]" for n in range(300)]
    _refused(_roles(many), "at most 256 entries")


def test_one_dynamic_conflict_of_4000_duties():
    duties = ", ".join(f'"d{n}"' for n in range(4000))
    _refused(
        DEFAULT + f'\n[[segregation.dynamic]]\nname = "x"\nduties = [{duties}]\n', "at most 256"
    )
    duties = ", ".join(f'"d{n}"' for n in range(40))
    _refused(
        DEFAULT + f'\n[[segregation.dynamic]]\nname = "x"\nduties = [{duties}]\n', "at most 32"
    )


def test_retention_of_a_million_years_and_a_long_prefix():
    first_years = re.search(r"^years = \d+$", DEFAULT, re.M)
    assert first_years
    _refused(DEFAULT.replace(first_years.group(), "years = 1000000", 1), r"years must be 1\.\.1000")
    first_prefix = re.search(r'^prefix = "[A-Z0-9]+"$', DEFAULT, re.M)
    assert first_prefix
    _refused(DEFAULT.replace(first_prefix.group(), 'prefix = "' + "P" * 17 + '"', 1), "prefix")


def test_a_huge_file_and_a_huge_string():
    _refused(DEFAULT + '\nx = "' + "a" * 2000 + '"\n', "at most 1000 characters")
    _refused(DEFAULT + "#" * 1_000_001, "at most 1000000 bytes")
