"""What legal records: contract versions, legal reviews, signings and matters.

A contract version is named by the SHA-256 of its content (:func:`content_digest`): a review
passes one exact text, and only that text may be signed (LEG-01).
"""

from __future__ import annotations

import enum
import hashlib
import re
from datetime import date, datetime
from typing import Any

import attrs

from agency_core.entities import Employee
from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = ["ContractSigning", "LegalReview", "Matter", "Verdict", "content_digest"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def content_digest(content: str | bytes) -> str:
    """The SHA-256 (lower-case hex) of a contract's text (UTF-8) or bytes."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    if not isinstance(content, bytes):
        raise InvalidInput(f"a contract's content is text or bytes, not {content!r}")
    return hashlib.sha256(content).hexdigest()


def _digest(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _HEX64.match(value):
        raise InvalidInput(
            f"{attribute.name} must be a SHA-256 content digest (64 lower-case hex digits), "
            f"not {value!r}"
        )


class Verdict(enum.StrEnum):
    """The outcome of a legal review."""

    PASSED = "passed"
    FAILED = "failed"


def _verdict(value: object) -> Verdict:
    if isinstance(value, str) and value in Verdict.__members__.values():
        return Verdict(value)
    allowed = ", ".join(v.value for v in Verdict)
    raise InvalidInput(f"verdict must be one of {allowed}, not {value!r}")


@attrs.frozen
class LegalReview:
    """Legal's review of one version of a contract (the request of kind ``legal_review``)."""

    id: str = attrs.field(validator=_f.code)
    contract: str = attrs.field(validator=_f.code)
    digest: str = attrs.field(validator=_digest)
    drafter: str = attrs.field(validator=_f.code)
    """Who drafted this version (合同起草人)."""
    reviewer: Employee = attrs.field(validator=_f.of(Employee))
    verdict: Verdict = attrs.field(converter=_verdict)
    at: datetime = attrs.field(validator=_f.aware)
    note: str = attrs.field(default="", validator=_f.of(str))


@attrs.frozen
class ContractSigning:
    """May ``signer`` sign version ``digest`` of ``contract``? (the request ``contract_signing``).

    ``reviews`` are the legal reviews of the contract on record, any version. ``drafter`` is who
    drafted the signed version (None: the version was never submitted for review).
    """

    contract: str = attrs.field(validator=_f.code)
    digest: str = attrs.field(validator=_digest)
    signer: str = attrs.field(validator=_f.code)
    at: datetime = attrs.field(validator=_f.aware)
    drafter: str | None = attrs.field(default=None, validator=_f.optional_code)
    reviews: tuple[LegalReview, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(LegalReview)
    )

    def __attrs_post_init__(self) -> None:
        for index, review in enumerate(self.reviews):
            if review.contract != self.contract:
                raise InvalidInput(
                    f"reviews[{index}] is of contract {review.contract}, not {self.contract}",
                    path=f"$.reviews[{index}].contract",
                )


@attrs.frozen
class Matter:
    """A dispute (法律纠纷) legal handles; its records are held until it closes (LEG-02)."""

    id: str = attrs.field(validator=_f.code)
    dispute: str = attrs.field(validator=_f.code)
    opened_on: date = attrs.field(validator=_f.day)
    opened_by: str = attrs.field(validator=_f.code)
    case: str | None = attrs.field(default=None, validator=_f.optional_code)
