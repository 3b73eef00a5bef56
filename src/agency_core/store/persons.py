"""Personal data in the decision log: salted pseudonyms, and erasure that keeps the chain whole.

The hashed body of an entry never holds an employee id in clear (entries logged since migration
``0006``): each person it names is kept as ``sha256(salt || id)`` (hex), the salt 32 random bytes
of that person alone, kept in the ``log_persons`` table beside the pseudonym. Erasing a person
deletes their row there and nothing else: the log still verifies, and nobody can tell any more
which entries were theirs (the salt cannot be guessed, so neither can the id behind a pseudonym).

The persons an entry names (:func:`persons_of`): its ``actor``, the principal a delegate acted for
(``in_place_of``), and every string a finding's facts hold under a person key
(:data:`PERSON_FACTS`). Every occurrence of one of these ids as a whole token (not inside a longer
ASCII word such as ``H10`` or ``R-H1``) in a finding's facts or messages is replaced by its
pseudonym, so a message that names a person names their pseudonym instead.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from agency_core.errors import InvalidInput
from agency_core.store.canonical import canonical_text, json_string
from agency_core.store.models import LogEntryRow, LogHeadRow, LogPersonRow

if TYPE_CHECKING:
    from agency_core.store.log import PendingEntry
    from agency_core.store.session import Store

__all__ = [
    "PERSON_FACTS",
    "Erasure",
    "entries_of",
    "erase_person",
    "persons_of",
    "pseudonym",
    "pseudonymised",
    "pseudonyms",
]

PERSON_FACTS: Final = frozenset(
    {
        "actor",
        "approver",
        "approvers",
        "auditor",
        "custodian",
        "delegate",
        "employee",
        "holder",
        "middle",
        "person",
        "principal",
        "requester",
        "signer",
        "user",
    }
)
"""The fact keys whose values are employee ids (a string or a list of strings)."""

_WORD: Final = "A-Za-z0-9_\\-"


def pseudonym(salt: bytes, person: str) -> str:
    """``sha256(salt || person)`` as hex: what the log keeps instead of ``person``."""
    return hashlib.sha256(salt + person.encode("utf-8")).hexdigest()


def _named(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple | set | frozenset):
        yield from (item for item in value if isinstance(item, str))


def persons_of(entry: PendingEntry) -> set[str]:
    """The employee ids ``entry`` names (see the module's rule)."""
    persons = {p for p in (entry.actor, entry.in_place_of) if p}
    for finding in entry.findings:
        facts = finding.get("facts")
        if isinstance(facts, Mapping):
            for key in PERSON_FACTS.intersection(facts):
                persons.update(p for p in _named(facts[key]) if p)
    return persons


def pseudonyms(session: Session, persons: Iterable[str]) -> dict[str, str]:
    """Each person's pseudonym, giving a new salt to a person the table does not know.

    Called by appenders while they hold the log's head lock, so two appenders never race to
    give one person two salts.
    """
    wanted = sorted(set(persons))
    known: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(LogPersonRow.person, LogPersonRow.pseudonym).where(
                LogPersonRow.person.in_(chunk)
            )
        )
        known.update((str(person), str(name)) for person, name in rows)
    fresh = []
    for person in wanted:
        if person not in known:
            salt = secrets.token_bytes(32)
            known[person] = pseudonym(salt, person)
            fresh.append(LogPersonRow(person=person, salt=salt.hex(), pseudonym=known[person]))
    if fresh:
        session.add_all(fresh)
        session.flush()
    return known


def _replaced(value: Any, pattern: re.Pattern[str], names: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: names[m.group(0)], value)
    if isinstance(value, list | tuple):
        return [_replaced(item, pattern, names) for item in value]
    if isinstance(value, Mapping):
        return {k: _replaced(v, pattern, names) for k, v in value.items()}
    return value


def pseudonymised(entry: PendingEntry, names: Mapping[str, str]) -> PendingEntry:
    """``entry`` with every person it names replaced by their pseudonym in ``names``."""
    persons = [p for p in persons_of(entry) if p in names]
    actor = names.get(entry.actor, entry.actor) if entry.actor else entry.actor
    principal = entry.in_place_of
    if principal:
        principal = names.get(principal, principal)
    findings: Sequence[dict[str, Any]] = entry.findings
    text = entry.findings_json
    if text is None:
        text = canonical_text(findings)
    # An id in none of the findings' strings (as JSON writes it) leaves them as they are.
    if any(json_string(p)[1:-1] in text for p in persons):
        ids = "|".join(re.escape(p) for p in sorted(persons, key=len, reverse=True))
        pattern = re.compile(f"(?<![{_WORD}])(?:{ids})(?![{_WORD}])")
        changed = [
            {
                **finding,
                "facts": _replaced(finding.get("facts", {}), pattern, names),
                "message": _replaced(finding.get("message", {}), pattern, names),
            }
            if "facts" in finding or "message" in finding
            else finding
            for finding in findings
        ]
        if changed != list(findings):
            findings, text = changed, None
    return attrs.evolve(
        entry, actor=actor, in_place_of=principal, findings=findings, findings_json=text
    )


@attrs.frozen
class Erasure:
    """What ``agency log erase`` did for one person."""

    person: str
    erased: bool
    """Whether the person had a salt (now deleted)."""
    entries: int
    """Entries that named them by pseudonym: they can no longer be linked to them."""
    kept_clear: int
    """Entries logged before migration 0006 that still hold their id in clear (as actor or
    principal); they stay until the log's retention ends."""


def _check_person(person: str) -> None:
    if not isinstance(person, str) or not person or len(person) > 64 or "\x00" in person:
        raise InvalidInput(f"not an employee id: {person!r}")


def _matching(name: str) -> Any:
    """Entries whose actor or body holds the pseudonym ``name`` (64 hex digits, no wildcard)."""
    return or_(LogEntryRow.actor == name, LogEntryRow.body.contains(name, autoescape=True))


def _clear(person: str) -> Any:
    """Entries logged before 0006 that name ``person`` in clear as actor or principal."""
    return or_(
        LogEntryRow.actor == person,
        LogEntryRow.body.contains(f'"in_place_of":{json_string(person)}', autoescape=True),
    )


def entries_of(store: Store, person: str) -> tuple[int, ...]:
    """The sequence numbers of the entries that name ``person``, through their salt.

    Includes entries logged before migration ``0006`` that name them in clear (as actor or
    principal). After :func:`erase_person`, only those remain.
    """
    _check_person(person)
    with store.reading() as conn:
        name = conn.scalar(select(LogPersonRow.pseudonym).where(LogPersonRow.person == person))
        match = _clear(person)
        if name is not None:
            match = or_(match, _matching(name))
        seqs = conn.scalars(select(LogEntryRow.seq).where(match).order_by(LogEntryRow.seq))
        return tuple(int(seq) for seq in seqs)


def erase_person(store: Store, person: str) -> Erasure:
    """Delete ``person``'s salt: the log's entries can no longer be linked to them.

    Nothing in the log changes, so it still verifies (checkpoints too). Reports how many entries
    named them, and how many older entries still hold their id in clear.
    """
    _check_person(person)
    with store.transaction() as tx:
        session = tx.session
        # The head lock: no append is under way, so the count is exact and no entry is being
        # written with the pseudonym while it goes.
        session.execute(select(LogHeadRow.seq).with_for_update())
        name = session.scalar(
            select(LogPersonRow.pseudonym).where(LogPersonRow.person == person).with_for_update()
        )
        count = select(func.count()).select_from(LogEntryRow)
        entries = 0
        if name is not None:
            entries = int(session.scalar(count.where(_matching(name))) or 0)
            session.execute(delete(LogPersonRow).where(LogPersonRow.person == person))
        kept = int(session.scalar(count.where(_clear(person))) or 0)
    return Erasure(person, name is not None, entries, kept)
