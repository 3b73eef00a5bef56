"""What a replacement of the legal plugin must keep, for the conformance kit (LEG-01, LEG-02).

LEG-01 is checked on the two decisions that guard its writes: a legal review (a legal reviewer,
not the drafter) and a signing (the latest review, before the signing, of the exact version
signed, passed independently). The oracles read ``[plugins.legal]`` (the reviewer roles; the
shipped default when a replacement has none) and the core policy's role inheritance, never the
plugin's functions. The reviews are written in far offsets around the signing instant, one
microsecond either side, with Chinese ids.

LEG-02 lives only in the store (a matter holds its records through the core's registry), so its
property seeds a scratch SQLite store, kept per subject and emptied per example, with matters
open, closing or closed around the day checked, and checks that the LEG-02 sweep reports exactly
the records of an open matter without a hold in force, and those still held after their matter
closed. The rows are written in the plugin's tables (``legal_matters``,
``legal_matter_records``) and the core's (``records``, ``holds``), the schema a replacement keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st
from sqlalchemy import delete

from agency_core.decision import Decision, Outcome, Severity
from agency_core.entities import Employee
from agency_core.errors import PluginError
from agency_core.testing import strategies as S
from agency_core.testing.conformance import Property, Subject, Violation
from agency_legal.entities import ContractSigning, LegalReview, Verdict, content_digest
from agency_legal.policy import LegalPolicy

__all__ = ["PROPERTIES"]

SECTION = "legal"
SIGNED_AT = datetime(2024, 12, 31, 16, 0, tzinfo=UTC)
"""The signing instant: midnight of 1 January 2025 in Shanghai, the last hour of 2024 in UTC."""
DRAFTER = "起草人-张"
VERSIONS = (content_digest("合同 第一稿"), content_digest("合同 第二稿"))


def _spec(subject: Subject) -> LegalPolicy:
    try:
        return subject.engine.policy.section(SECTION, LegalPolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return LegalPolicy()


def _expect(control: str, deny: bool, example: object, decision: Decision, why: str) -> None:
    """Fail unless ``decision`` denies under ``control`` exactly when ``deny``."""
    found = any(f.control == control and f.severity is Severity.DENY for f in decision.findings)
    if deny and not (found and decision.outcome is Outcome.DENY):
        problem = f"must deny with {control}, got {decision.outcome.value}"
    elif not deny and found:
        problem = f"must not deny with {control}"
    else:
        return
    raise Violation(control, f"{problem} ({why})", example, [decision])


def _legal(subject: Subject, reviewer: Employee) -> bool:
    held = subject.policy.effective_roles(reviewer.roles)
    return bool(held & set(_spec(subject).reviewer_roles))


def _reviewers(subject: Subject) -> list[Employee]:
    """A reviewer holding each reviewer role, one holding a role that inherits one, one holding
    another role, one holding none; and the drafter, holding a reviewer role too."""
    roles = _spec(subject).reviewer_roles
    closure = subject.policy.role_closure
    heirs = sorted(r for r, held in closure.items() if set(roles) & held and r not in roles)
    people = [Employee(f"法务-{i}", "法务部", {role}) for i, role in enumerate(roles)]
    people += [Employee("法务-继承", "法务部", {heir}) for heir in heirs[:1]]
    people += [Employee("业务-王", "业务部", {"contract_drafter"}), Employee("业务-李", "业务部")]
    return [*people, Employee(DRAFTER, "法务部", set(roles))]


# --- LEG-01: the review ---------------------------------------------------------------------------


def _review(reviewer: Employee, verdict: Verdict, at: datetime, number: int = 1) -> LegalReview:
    return LegalReview(f"审核-{number}", "合同-甲", VERSIONS[0], DRAFTER, reviewer, verdict, at)


def _review_cases(subject: Subject, _thorough: bool) -> Iterable[LegalReview]:
    for reviewer in _reviewers(subject):
        for verdict in Verdict:
            yield _review(reviewer, verdict, SIGNED_AT)


def _leg01_review(subject: Subject, review: LegalReview) -> None:
    decision = subject.engine.decide(review)
    wrong = []
    if review.reviewer.id == review.drafter:
        wrong.append("the drafter reviews")
    if not _legal(subject, review.reviewer):
        wrong.append(f"{sorted(review.reviewer.roles)} is no legal reviewer role")
    _expect("LEG-01", bool(wrong), review, decision, "; ".join(wrong) or "an independent review")


# --- LEG-01: the signing ------------------------------------------------------------------------

OFFSETS = (timedelta(days=-3), timedelta(microseconds=-1), timedelta(0), timedelta(microseconds=1))
"""When a review is taken, from the signing instant."""


def _signing(reviews: Sequence[LegalReview], drafter: str | None = DRAFTER) -> ContractSigning:
    return ContractSigning("合同-甲", VERSIONS[0], "总经理-刘", SIGNED_AT, drafter, tuple(reviews))


def _signing_cases(subject: Subject, _thorough: bool) -> Iterable[ContractSigning]:
    """No review; a pass of the other version; a pass then a fail (and a fail then a pass) of the
    signed version, either side of the signing; a pass by the drafter; a pass just after."""
    legal, drafter = _reviewers(subject)[0], _reviewers(subject)[-1]
    early = SIGNED_AT - timedelta(days=3)
    passed, failed = Verdict.PASSED, Verdict.FAILED
    yield _signing(())
    yield _signing((attrs.evolve(_review(legal, passed, early), digest=VERSIONS[1]),))
    for later in OFFSETS[1:]:
        for first, second in ((passed, failed), (failed, passed)):
            yield _signing(
                (_review(legal, first, early, 1), _review(legal, second, SIGNED_AT + later, 2))
            )
    yield _signing((_review(legal, passed, SIGNED_AT + timedelta(microseconds=1)),))
    yield _signing((_review(drafter, passed, early),))
    yield _signing((_review(legal, passed, early),), drafter=legal.id)
    yield _signing((_review(legal, passed, early),), drafter=None)


@st.composite
def _signings(draw: st.DrawFn, subject: Subject) -> ContractSigning:
    people = _reviewers(subject)
    count = draw(st.integers(0, 4))
    reviews = []
    for number in range(count):
        at = SIGNED_AT + draw(
            st.sampled_from(OFFSETS) | st.timedeltas(-timedelta(days=30), timedelta(days=1))
        )
        review = LegalReview(
            f"审核-{number}",
            "合同-甲",
            draw(st.sampled_from(VERSIONS)),
            draw(st.sampled_from([DRAFTER, DRAFTER, "起草人-陈"])),
            draw(st.sampled_from(people)),
            draw(st.sampled_from(Verdict)),
            at.astimezone(draw(st.sampled_from(S.TIMEZONES))),
        )
        reviews.append(review)
    drafter = draw(st.sampled_from([DRAFTER, None, people[0].id]))
    return _signing(reviews, drafter)


def _leg01_signing(subject: Subject, signing: ContractSigning) -> None:
    decision = subject.engine.decide(signing)
    before = [r for r in signing.reviews if r.at <= signing.at and r.digest == signing.digest]
    latest = max(before, key=lambda r: (r.at, r.id)) if before else None
    if latest is None:
        why = "no review of the signed version before the signing"
    elif latest.verdict is not Verdict.PASSED:
        why = f"the latest review {latest.id} of the version failed"
    elif latest.reviewer.id in (latest.drafter, signing.drafter):
        why = f"{latest.reviewer.id} reviewed their own draft"
    elif not _legal(subject, latest.reviewer):
        why = f"{latest.reviewer.id} is no legal reviewer"
    else:
        _expect("LEG-01", False, signing, decision, f"{latest.id} passed the signed version")
        return
    _expect("LEG-01", True, signing, decision, why)


# --- LEG-02: a matter holds its records -----------------------------------------------------------

ON = date(2025, 1, 1)
"""The day the sweep checks (a year's first day)."""


@attrs.frozen
class Held:
    """A record tied to a matter, and the hold placed on it (None: none in the registry)."""

    record: str
    placed_on: date | None
    released_on: date | None = None
    tagged: bool = True
    """Whether the hold names this matter (else another one)."""


@attrs.frozen
class Scenario:
    """Matters (id, opened, closed) with the records they hold, checked on :data:`ON`."""

    matters: tuple[tuple[str, date, date | None, tuple[Held, ...]], ...]


def _violators(scenario: Scenario) -> set[str]:
    """``matter:record`` of each record of an open matter without a hold in force on ON, and of
    each record still held after its matter closed."""
    found = set()
    for matter, _opened, closed, held in scenario.matters:
        for item in held:
            exists = item.placed_on is not None
            in_force = (
                exists
                and item.tagged
                and item.placed_on is not None
                and item.placed_on <= ON
                and (item.released_on is None or item.released_on > ON)
            )
            is_open = closed is None or closed > ON
            if (is_open and not in_force) or (not is_open and exists and item.released_on is None):
                found.add(f"{matter}:{item.record}")
    return found


DAYS = (ON - timedelta(days=1), ON, ON + timedelta(days=1))


def _scenario_cases(_subject: Subject, _thorough: bool) -> Iterable[Scenario]:
    """Each edge alone: a hold placed, released the day before, on the day, the day after; no
    hold; a hold naming another matter; a matter closed the day before, on the day, after, with
    its hold released on its close or still in force."""
    opened = ON - timedelta(days=30)
    for placed in (opened, *DAYS):
        for released in (None, *DAYS):
            if released is None or released >= placed:
                yield Scenario((("纠纷-1", opened, None, (Held("2020-0001", placed, released),)),))
    yield Scenario((("纠纷-1", opened, None, (Held("2020-0001", None),)),))
    yield Scenario((("纠纷-1", opened, None, (Held("2020-0001", opened, tagged=False),)),))
    for closed in DAYS:
        for released in (None, closed):
            yield Scenario((("纠纷-2", opened, closed, (Held("2020-0002", opened, released),)),))


@st.composite
def _scenarios(draw: st.DrawFn, _subject: Subject) -> Scenario:
    matters = []
    days = st.sampled_from(DAYS)
    for index in range(draw(st.integers(1, 3))):
        opened = ON - timedelta(days=draw(st.integers(1, 400)))
        closed = draw(st.none() | days)
        held = []
        for number in range(draw(st.integers(1, 2))):
            placed = draw(st.none() | st.just(opened) | days)
            closing = [closed] if closed is not None else [*DAYS]
            released = draw(st.none() | st.sampled_from(closing))
            if placed is not None and released is not None and released < placed:
                released = placed
            tagged = draw(st.booleans() | st.just(True))
            held.append(Held(f"{2020 + index}-{number + 1:04d}", placed, released, tagged))
        matters.append((f"纠纷-{index}", opened, closed, tuple(held)))
    return Scenario(tuple(matters))


def _seed(store: Any, scenario: Scenario) -> None:
    from agency_core.store.models import HoldRow, RecordRow
    from agency_legal.store import MatterRecordRow, MatterRow

    with store.transaction() as tx:
        for table in (MatterRecordRow, MatterRow, HoldRow, RecordRow):
            tx.session.execute(delete(table))
        for matter, opened, closed, held in scenario.matters:
            tx.session.add(
                MatterRow(
                    id=matter,
                    dispute="客户对收费有异议",
                    opened_on=opened,
                    opened_by="法务-0",
                    closed_on=closed,
                    resolution="和解" if closed else None,
                )
            )
            for item in held:
                hold = f"{matter}/{item.record}"
                tx.session.add(
                    RecordRow(
                        number=item.record,
                        title="合同",
                        closed_on=date(2020, 6, 30),
                        registered_at=datetime(2020, 7, 1, tzinfo=UTC),
                    )
                )
                tx.session.flush()
                if item.placed_on is not None:
                    tx.session.add(
                        HoldRow(
                            id=hold,
                            record_number=item.record,
                            kind="matter",
                            reason=f"matter {matter}",
                            matter=matter if item.tagged else "纠纷-其他",
                            placed_on=item.placed_on,
                            released_on=item.released_on,
                        )
                    )
                tx.session.add(
                    MatterRecordRow(matter_id=matter, record_number=item.record, hold_id=hold)
                )
        tx.session.flush()


def _leg02(subject: Subject, scenario: Scenario) -> None:
    from agency_core.store.audit import all_sweeps, run_audit

    store = subject.scratch_store()
    _seed(store, scenario)
    sweeps = [sweep for sweep in all_sweeps(store) if sweep.control == "LEG-02"]
    findings = run_audit(store, on=ON, sweeps=sweeps, sample=100)
    reported = {item for finding in findings for item in finding.sample}
    expected = _violators(scenario)
    if not sweeps or reported != expected:
        raise Violation(
            "LEG-02",
            f"the LEG-02 sweep on {ON} must report {sorted(expected)}, not {sorted(reported)}",
            scenario,
        )


PROPERTIES = (
    Property(
        "LEG-01",
        "independent-review",
        "only a legal reviewer who did not draft the version reviews it",
        None,
        _leg01_review,
        cases=_review_cases,
    ),
    Property(
        "LEG-01",
        "signed-version-reviewed",
        "the latest review of the exact version before signing passed, independently",
        _signings,
        _leg01_signing,
        cases=_signing_cases,
    ),
    Property(
        "LEG-02",
        "matter-holds",
        "the sweep reports records of open matters not held, and records held past the close",
        _scenarios,
        _leg02,
        cases=_scenario_cases,
    ),
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``)."""
