"""RET: retention periods and their counting, holds, loans, numbering, backups, destruction."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from agency_core import (
    Appraisal,
    DestructionCheck,
    DestructionItem,
    DestructionList,
    DisposalCheck,
    Employee,
    Engine,
    Hold,
    Loan,
    Outcome,
    PolicyError,
    Record,
    RecordCheck,
    Severity,
    Signature,
    default_policy,
    parse_policy,
)
from agency_core.policy import add_years, statutory_minimums
from tests.test_policy import DEFAULT


def voucher(closed: date = date(2024, 6, 30), **changes: object) -> Record:
    fields: dict[str, object] = {
        "number": "PZ-2024-000001",
        "classes": {"voucher"},
        "closed_on": closed,
    }
    fields.update(changes)
    return Record(**fields)  # type: ignore[arg-type]


def violations(engine: Engine, check: DisposalCheck | RecordCheck | DestructionCheck) -> set[str]:
    decision = engine.decide(check)
    assert (decision.outcome is Outcome.DENY) == bool(decision.violations)
    return {f.control for f in decision.violations}


def test_ret_02_a_voucher_of_fiscal_2024_is_kept_until_2055_01_01(engine: Engine) -> None:
    record = voucher()
    assert engine.retention(record).due == date(2055, 1, 1)
    assert violations(engine, DisposalCheck(record, date(2054, 12, 31))) == {"RET-02"}
    assert violations(engine, DisposalCheck(record, date(2055, 1, 1))) == set()


def test_ret_01_annual_reports_are_kept_permanently(engine: Engine) -> None:
    report = Record("NB-2000-000001", {"annual_report"}, date(2000, 12, 31))
    retention = engine.retention(report)
    assert retention.permanent
    assert retention.due is None
    assert violations(engine, DisposalCheck(report, date(2500, 1, 1))) == {"RET-01"}


def test_ret_02_event_based_classes_count_from_the_day_after_the_event(engine: Engine) -> None:
    card = Record(
        "GK-2019-000001", {"fixed_asset_card"}, date(2019, 5, 1), event_on=date(2020, 3, 15)
    )
    assert engine.retention(card).due == date(2025, 3, 16)
    waiting = Record("GK-2019-000002", {"fixed_asset_card"}, date(2019, 5, 1))
    assert engine.retention(waiting).waiting == ("fixed_asset_card",)
    assert violations(engine, DisposalCheck(waiting, date(2090, 1, 1))) == {"RET-02"}


def test_ret_02_the_longest_period_wins(engine: Engine) -> None:
    both = Record("PZ-2024-000002", {"voucher", "tax_return"}, date(2024, 3, 1))
    retention = engine.retention(both)
    assert (retention.due, retention.decided_by) == (date(2055, 1, 1), "voucher")
    kept = Record("NB-2024-000001", {"voucher", "annual_report"}, date(2024, 3, 1))
    assert engine.retention(kept).permanent


def test_ret_01_an_unknown_record_class_is_never_disposable(engine: Engine) -> None:
    odd = Record("XX-2000-000001", {"mystery"}, date(2000, 1, 1))
    assert engine.retention(odd).unknown == ("mystery",)
    assert violations(engine, DisposalCheck(odd, date(2100, 1, 1))) == {"RET-01"}


def test_ret_02_a_period_from_29_february_ends_at_the_end_of_28_february() -> None:
    # 民法典 §202/§203: counting from 2024-02-29, five years end with 2029-02-28 (no 29th).
    assert add_years(date(2024, 2, 29), 5) == date(2029, 3, 1)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)  # a leap year: the same day
    assert add_years(date(2025, 1, 1), 30) == date(2055, 1, 1)


def test_ret_02_an_asset_scrapped_on_28_february_2020_is_destroyable_from_1_march_2025() -> None:
    engine = Engine()
    card = Record(
        "GK-2020-000001", {"fixed_asset_card"}, date(2020, 2, 28), event_on=date(2020, 2, 28)
    )
    assert engine.retention(card).due == date(2025, 3, 1)
    on_28th = engine.check_disposal(DisposalCheck(card, date(2025, 2, 28)))
    assert on_28th.outcome is Outcome.DENY
    assert on_28th.controls == {"RET-02"}
    assert engine.check_disposal(DisposalCheck(card, date(2025, 3, 1))).outcome is Outcome.ALLOW


def last_day(event: date, years: int) -> date:
    """民法典 §202, written out: the last day of a period of ``years`` after ``event`` is the day
    of the event ``years`` later, or the last day of that month when it has no such day."""
    year = event.year + years
    month_end = (date(year + event.month // 12, event.month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, event.month, min(event.day, month_end))


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=1, max_value=100),
)
@example(date(2020, 2, 28), 5)  # counting from 29 February (§201) into a year without one
@example(date(2020, 2, 29), 1)  # an event on 29 February: the period ends at the end of February
def test_ret_02_property_a_period_ends_at_the_end_of_its_last_day(event: date, years: int) -> None:
    due = add_years(event + timedelta(days=1), years)  # counting starts the next day (§201)
    assert due == last_day(event, years) + timedelta(days=1)
    assert due > event + timedelta(days=365 * years)  # never shorter than the whole years


def test_ret_01_employee_and_client_files_count_from_the_end_of_the_relationship() -> None:
    engine = Engine()
    for number, record_class in (
        ("YG-2026-000001", "employee_file"),
        ("KH-2026-000001", "client_file"),
    ):
        open_file = Record(number, {record_class}, date(2026, 3, 31))
        assert engine.retention(open_file).waiting == (record_class,)
        ended = Record(number, {record_class}, date(2026, 3, 31), event_on=date(2026, 3, 31))
        assert engine.retention(ended).due == date(2036, 4, 1)


fiscal_classes = sorted(
    name
    for name, rule in default_policy().retention.items()
    if rule.years and rule.basis == "fiscal_year"
)


@given(
    st.sampled_from(fiscal_classes),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
)
def test_ret_02_property_fiscal_year_counting(record_class: str, closed: date) -> None:
    engine = Engine()
    years = default_policy().retention[record_class].years
    assert years is not None
    record = Record("X-1", {record_class}, closed)
    due = engine.retention(record).due
    assert due == date(closed.year + 1 + years, 1, 1)
    assert (
        engine.check_disposal(DisposalCheck(record, due - timedelta(days=1))).outcome
        is Outcome.DENY
    )
    assert engine.check_disposal(DisposalCheck(record, due)).outcome is Outcome.ALLOW


statutory_years = sorted(name for name, rule in statutory_minimums().items() if rule.years)


@given(st.sampled_from(statutory_years), st.integers(min_value=1, max_value=60))
def test_ret_01_property_no_policy_loads_below_the_statutory_minimum(
    record_class: str, years: int
) -> None:
    minimum = statutory_minimums()[record_class].years
    assert minimum is not None
    text = re.sub(
        rf"(\[retention\.classes\.{record_class}\][^\[]*?years = )\d+",
        rf"\g<1>{years}",
        DEFAULT,
    )
    if years < minimum:
        with pytest.raises(PolicyError, match=f"RET-01: {record_class} must be kept at least"):
            parse_policy(text.encode())
    else:
        assert parse_policy(text.encode()).retention[record_class].years == years


def test_ret_03_a_record_under_hold_is_not_disposable(engine: Engine) -> None:
    held = voucher(closed=date(1990, 1, 1), holds=[Hold("H-1", "lawsuit", date(2020, 1, 1))])
    assert violations(engine, DisposalCheck(held, date(2030, 1, 1))) == {"RET-03"}
    released = voucher(
        closed=date(1990, 1, 1),
        holds=[Hold("H-1", "lawsuit", date(2020, 1, 1), released_on=date(2025, 1, 1))],
    )
    assert violations(engine, DisposalCheck(released, date(2030, 1, 1))) == set()


def test_ret_06_a_record_on_loan_is_not_disposable(engine: Engine) -> None:
    loan = Loan("L-1", "auditor", date(2029, 12, 1), date(2030, 1, 15), approved=True)
    lent = voucher(closed=date(1990, 1, 1), loans=[loan])
    assert violations(engine, DisposalCheck(lent, date(2030, 1, 1))) == {"RET-06"}
    back = voucher(
        closed=date(1990, 1, 1),
        loans=[Loan("L-1", "a", date(2029, 12, 1), date(2030, 1, 15), True, date(2029, 12, 20))],
    )
    assert violations(engine, DisposalCheck(back, date(2030, 1, 1))) == set()


def test_ret_06_loans_need_approval_and_overdue_loans_are_reported(engine: Engine) -> None:
    unapproved = voucher(loans=[Loan("L-2", "x", date(2026, 1, 1), date(2026, 1, 10))])
    assert violations(engine, RecordCheck(unapproved, date(2026, 1, 5))) == {"RET-06"}
    late = voucher(loans=[Loan("L-3", "x", date(2026, 1, 1), date(2026, 1, 10), approved=True)])
    decision = engine.check_record(RecordCheck(late, date(2026, 1, 11)))
    assert decision.outcome is Outcome.ALLOW
    assert [(f.control, f.severity) for f in decision.findings] == [("RET-06", Severity.WARNING)]
    on_time = engine.check_record(RecordCheck(late, date(2026, 1, 10)))
    assert on_time.findings == ()


@pytest.mark.parametrize(
    "number", ["PZ-2024-1", "pz-2024-000001", "NB-2024-000001", "PZ2024000001"]
)
def test_ret_05_numbers_follow_the_scheme_of_the_class(engine: Engine, number: str) -> None:
    assert violations(engine, RecordCheck(voucher(number=number), date(2026, 1, 1))) == {"RET-05"}


def test_ret_05_a_well_numbered_record_passes(engine: Engine) -> None:
    assert violations(engine, RecordCheck(voucher(), date(2026, 1, 1))) == set()


def test_ret_07_important_records_keep_a_backup(engine: Engine) -> None:
    bare = voucher(important=True)
    assert violations(engine, RecordCheck(bare, date(2026, 1, 1))) == {"RET-07"}
    assert (
        violations(engine, RecordCheck(voucher(important=True, backups=1), date(2026, 1, 1)))
        == set()
    )


# --------------------------------------------------------------------------------------------------
# RET-04: the destruction procedure
# --------------------------------------------------------------------------------------------------

OLD = voucher(closed=date(1990, 6, 30), number="PZ-1990-000007")
STAFF = (
    Employee("boss", "admin", {"general_manager"}),
    Employee("arch", "archives", {"archives_head"}),
    Employee("acct", "accounting", {"accounting_head"}),
    Employee("a2", "archives"),
    Employee("c2", "accounting"),
    Employee("c3", "accounting"),
)


def destruction(**changes: object) -> DestructionList:
    fields: dict[str, object] = {
        "id": "XH-2026-000001",
        "destruction_on": date(2026, 6, 1),
        "items": [DestructionItem("PZ-1990-000007", "1990 vouchers", "V-12", 1990, 1990, 30, 35)],
        "appraisals": [Appraisal("PZ-1990-000007", "destroy", "arch")],
        "approvals": [Signature("boss"), Signature("arch"), Signature("acct")],
        "supervisors": [
            Signature("a2", checked_before=True, signed_after=True),
            Signature("c2", checked_before=True, signed_after=True),
        ],
    }
    fields.update(changes)
    return DestructionList(**fields)  # type: ignore[arg-type]


def test_ret_04_a_complete_destruction_list_passes(engine: Engine) -> None:
    assert violations(engine, DestructionCheck(destruction(), [OLD], STAFF)) == set()


@pytest.mark.parametrize(
    "changes",
    [
        {"appraisals": []},
        {"appraisals": [Appraisal("PZ-1990-000007", "keep", "arch", extra_years=5)]},
        {"approvals": [Signature("boss"), Signature("arch")]},
        {"approvals": [Signature("boss"), Signature("boss"), Signature("arch")]},
        {"supervisors": [Signature("a2", checked_before=True, signed_after=True)]},
        {
            "supervisors": [
                Signature("c2", checked_before=True, signed_after=True),
                Signature("c3", checked_before=True, signed_after=True),
            ]
        },
        {
            "supervisors": [
                Signature("a2", checked_before=True),
                Signature("c2", checked_before=True, signed_after=True),
            ]
        },
    ],
    ids=[
        "no-appraisal",
        "appraisal-keeps",
        "approver-missing",
        "approver-twice",
        "one-supervisor",
        "same-department",
        "not-signed",
    ],
)
def test_ret_04_each_step_of_the_procedure_is_required(
    engine: Engine, changes: dict[str, object]
) -> None:
    assert violations(engine, DestructionCheck(destruction(**changes), [OLD], STAFF)) == {"RET-04"}


def test_ret_04_listed_records_must_themselves_be_disposable(engine: Engine) -> None:
    young = voucher(closed=date(2020, 6, 30), number="PZ-1990-000007")
    assert violations(engine, DestructionCheck(destruction(), [young], STAFF)) == {"RET-02"}
    assert violations(engine, DestructionCheck(destruction(), [], STAFF)) == {"RET-04"}


def test_ret_04_destruction_lists_and_appraisals_are_kept_permanently() -> None:
    policy = default_policy()
    assert policy.retention["destruction_list"].years is None
    assert policy.retention["appraisal_opinion"].years is None


def test_ret_01_a_retention_plugin_below_the_law_fails_closed() -> None:
    from agency_core import PluginError, hookimpl
    from agency_core.policy import Basis, RetentionRule

    class Shorter:
        @hookimpl
        def agency_retention_rule(self, record_class: str) -> RetentionRule:
            return RetentionRule(record_class, 5, Basis.FISCAL_YEAR)

    engine = Engine(plugins=[Shorter()])
    decision = engine.check_disposal(DisposalCheck(voucher(), date(2031, 1, 1)))
    assert decision.outcome is Outcome.DENY
    assert {"ENG-01", "RET-01"} <= decision.controls
    with pytest.raises(PluginError, match="below the statutory minimum"):
        engine.retention(voucher())
    case = Record("YW-2020-000001", {"case_file"}, date(2020, 1, 1), event_on=date(2020, 1, 1))
    assert engine.retention(case).years == 5  # not a statutory class: the firm decides


def test_ret_04_the_list_states_the_required_period(engine: Engine) -> None:
    wrong = [DestructionItem("PZ-1990-000007", "1990 vouchers", "V-12", 1990, 1990, 15, 35)]
    assert violations(engine, DestructionCheck(destruction(items=wrong), [OLD], STAFF)) == {
        "RET-04"
    }
    short = [DestructionItem("PZ-1990-000007", "1990 vouchers", "V-12", 1990, 1990, 30, 20)]
    assert violations(engine, DestructionCheck(destruction(items=short), [OLD], STAFF)) == {
        "RET-04"
    }
