"""One test (or more) per control: each fails when its rule is broken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import agency_business.plugin as plugin
import attrs
import pytest
from agency_business import BusinessPolicy, CaseFacts, CaseIntake
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from agency_core import Engine, Outcome
from agency_core.errors import InvalidInput
from agency_core.policy import parse_policy

TAX = "tax_registration"
COMPLETE = BusinessPolicy().materials(TAX)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ENGINE = Engine(plugins=[plugin])
BASE = CaseFacts(TAX, COMPLETE)


def _denied_by(decision: Any) -> set[str]:
    assert decision.outcome is Outcome.DENY
    return {f.control for f in decision.violations}


def _allowed(decision: Any) -> None:
    assert decision.outcome is Outcome.ALLOW, [f.message() for f in decision.findings]


# -- BIZ-01: intake within the business scope -------------------------------------------------


def test_biz_01_an_application_outside_the_scope_is_refused(engine: Engine) -> None:
    decision = engine.decide(CaseIntake("C1", "CL1", "bakery", "B1", ["application_form"]))
    assert _denied_by(decision) == {"BIZ-01"}
    assert "bakery" in decision.violations[0].message("zh-CN")


def test_biz_01_accepting_a_case_outside_the_scope_is_refused(decide: Any) -> None:
    facts = attrs.evolve(BASE, service_item="bakery", case_number="BIZ-2026-000001")
    assert "BIZ-01" in _denied_by(decide("accepted", facts))


def test_biz_01_the_scope_is_policy_data() -> None:
    toml = '[plugins.business.services.bakery]\nname_zh = "烘焙"\nmaterials = ["recipe"]\n'
    base = resources.files("agency_core.policy").joinpath("default.toml").read_bytes()
    firm = Engine(parse_policy(base + b"\n" + toml.encode()), plugins=[plugin])
    _allowed(firm.decide(CaseIntake("C1", "CL1", "bakery", "B1", ["recipe"])))
    assert _denied_by(firm.decide(CaseIntake("C1", "CL1", TAX, "B1", COMPLETE))) == {"BIZ-01"}


# -- BIZ-02: one notice listing every missing material ----------------------------------------


def test_biz_02_an_incomplete_application_gets_every_missing_material_at_once(
    engine: Engine,
) -> None:
    decision = engine.decide(CaseIntake("C1", "CL1", TAX, "B1", ["application_form"]))
    (finding,) = decision.violations
    assert finding.control == "BIZ-02"
    assert finding.facts == {"count": 2, "missing": "business_license, legal_representative_id"}


@given(submitted=hs.sets(hs.sampled_from(sorted(COMPLETE))))
def test_biz_02_the_notice_lists_exactly_what_is_missing(submitted: set[str]) -> None:
    decision = ENGINE.decide(CaseIntake("C1", "CL1", TAX, "B1", submitted))
    missing = sorted(COMPLETE - submitted)
    if not missing:
        _allowed(decision)
    else:
        (finding,) = decision.violations
        assert finding.facts["missing"] == ", ".join(missing)


def test_biz_02_a_notice_that_leaves_a_material_out_is_refused(decide: Any) -> None:
    facts = CaseFacts(TAX, {"application_form"}, notice={"business_license"})
    assert _denied_by(decide("materials_requested", facts)) == {"BIZ-02"}
    whole = attrs.evolve(facts, notice={"business_license", "legal_representative_id"})
    _allowed(decide("materials_requested", whole))


def test_biz_02_a_notice_with_nothing_missing_is_refused(decide: Any) -> None:
    assert _denied_by(decide("materials_requested", attrs.evolve(BASE, notice=set()))) == {"BIZ-02"}


def test_biz_02_a_second_notice_is_not_a_transition(decide: Any) -> None:
    facts = CaseFacts(TAX, {"application_form"}, notice={"business_license"})
    with pytest.raises(InvalidInput, match="from materials_requested it may go to: accepted"):
        decide("materials_requested", facts, from_state="materials_requested")


def test_biz_02_an_incomplete_application_is_not_accepted(decide: Any) -> None:
    facts = CaseFacts(TAX, {"application_form"}, case_number="BIZ-2026-000001")
    assert _denied_by(decide("accepted", facts)) == {"BIZ-02"}


# -- BIZ-03: a unique case number --------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [None, "2026-000001", "YW-2026-000001", "BIZ-26-1", "BIZ-２０２６-000001", "BIZ-2026-٠٠٠٠٠١"],
)
def test_biz_03_an_application_is_accepted_only_under_a_case_number(
    decide: Any, number: str | None
) -> None:
    assert _denied_by(decide("accepted", attrs.evolve(BASE, case_number=number))) == {"BIZ-03"}
    _allowed(decide("accepted", attrs.evolve(BASE, case_number="BIZ-2026-000001")))


# -- BIZ-07: intake approved before the contract, work on an approved plan --------------------


@pytest.mark.parametrize("approval", [None, "pending", "rejected"])
@pytest.mark.parametrize("to_state", ["intake_approved", "contracted"])
def test_biz_07_no_contract_without_an_approved_intake(
    decide: Any, approval: str | None, to_state: str
) -> None:
    assert _denied_by(decide(to_state, attrs.evolve(BASE, intake_approval=approval))) == {"BIZ-07"}
    _allowed(decide(to_state, attrs.evolve(BASE, intake_approval="approved")))


@pytest.mark.parametrize("approval", [None, "pending", "rejected"])
def test_biz_07_no_work_on_a_plan_that_is_not_approved(decide: Any, approval: str | None) -> None:
    assert _denied_by(decide("planned", attrs.evolve(BASE, plan_approval=approval))) == {"BIZ-07"}
    _allowed(decide("planned", attrs.evolve(BASE, plan_approval="approved")))


def test_biz_07_work_resumes_only_once_the_change_is_approved(decide: Any) -> None:
    facts = attrs.evolve(BASE, plan_approval="approved", tasks=1, plan_change_approval="pending")
    assert _denied_by(decide("in_progress", facts, from_state="replanning")) == {"BIZ-07"}
    approved = attrs.evolve(facts, plan_change_approval="approved")
    _allowed(decide("in_progress", approved, from_state="replanning"))


# -- BIZ-04: tasks with owners and deadlines ---------------------------------------------------


def test_biz_04_work_does_not_start_on_a_plan_without_tasks(decide: Any) -> None:
    facts = attrs.evolve(BASE, plan_approval="approved")
    assert _denied_by(decide("in_progress", facts)) == {"BIZ-04"}
    _allowed(decide("in_progress", attrs.evolve(facts, tasks=2)))


def test_biz_04_work_is_complete_only_with_every_task_done(decide: Any) -> None:
    facts = attrs.evolve(BASE, tasks=2, open_tasks=1)
    (finding,) = decide("completed", facts).violations
    assert (finding.control, finding.facts) == ("BIZ-04", {"open_tasks": 1})
    _allowed(decide("completed", attrs.evolve(facts, open_tasks=0)))


# -- BIZ-06 and BIZ-09: reviewed, notified, handed over ---------------------------------------


@pytest.mark.parametrize("channel", [None, "carrier_pigeon"])
def test_biz_06_the_client_is_notified_by_an_allowed_channel(
    decide: Any, channel: str | None
) -> None:
    assert _denied_by(decide("notified", attrs.evolve(BASE, notified_via=channel))) == {"BIZ-06"}
    _allowed(decide("notified", attrs.evolve(BASE, notified_via="sms")))


@pytest.mark.parametrize(
    "handed", [set(), {"proof_documents"}, {"aftercare_notes"}, {"receipt", "aftercare_notes"}]
)
def test_biz_09_delivery_hands_over_proof_documents_and_aftercare_notes(
    decide: Any, handed: set[str]
) -> None:
    assert _denied_by(decide("delivered", attrs.evolve(BASE, handed_over=handed))) == {"BIZ-09"}
    both = attrs.evolve(BASE, handed_over={"proof_documents", "aftercare_notes"})
    _allowed(decide("delivered", both))


# -- BIZ-05: client confirmation, manager, finance, invoice ------------------------------------


def test_biz_05_settlement_starts_with_a_statement_the_client_confirmed(decide: Any) -> None:
    issued, confirmed = T0 - timedelta(hours=2), T0 - timedelta(hours=1)
    for facts in (
        BASE,
        attrs.evolve(BASE, statement_issued_at=issued),
        attrs.evolve(BASE, client_confirmed_at=confirmed),
        attrs.evolve(BASE, statement_issued_at=confirmed, client_confirmed_at=issued),
        attrs.evolve(BASE, statement_issued_at=issued, client_confirmed_at=T0 + timedelta(1)),
    ):
        assert _denied_by(decide("client_confirmed", facts)) == {"BIZ-05"}
    ok = attrs.evolve(BASE, statement_issued_at=issued, client_confirmed_at=confirmed)
    _allowed(decide("client_confirmed", ok))


@pytest.mark.parametrize(
    ("to_state", "approved_by", "status"),
    [
        ("manager_approved", (), "pending"),
        ("manager_approved", ("finance_manager",), "pending"),
        ("finance_approved", ("dept_head",), "pending"),
        ("finance_approved", ("finance_manager", "dept_head"), "approved"),
        ("finance_approved", ("dept_head", "finance_manager"), "rejected"),
    ],
)
def test_biz_05_the_manager_approves_before_finance(
    decide: Any, to_state: str, approved_by: tuple[str, ...], status: str
) -> None:
    facts = attrs.evolve(BASE, settlement_approved_by=approved_by, settlement_approval=status)
    assert _denied_by(decide(to_state, facts)) == {"BIZ-05"}


def test_biz_05_the_settlement_in_order_passes(decide: Any) -> None:
    first = attrs.evolve(BASE, settlement_approved_by=("dept_head",), settlement_approval="pending")
    _allowed(decide("manager_approved", first))
    both = attrs.evolve(
        BASE,
        settlement_approved_by=("dept_head", "finance_manager"),
        settlement_approval="approved",
    )
    _allowed(decide("finance_approved", both))


def test_biz_05_the_invoice_comes_last(decide: Any) -> None:
    assert _denied_by(decide("invoiced", BASE)) == {"BIZ-05"}
    _allowed(decide("invoiced", attrs.evolve(BASE, invoice_id="INV-1")))


# -- BIZ-08: closing with the file complete ----------------------------------------------------

PARTS = frozenset({"application_materials", "processing_records", "result_feedback"})


@pytest.mark.parametrize("missing", sorted(PARTS))
def test_biz_08_a_case_does_not_close_with_a_part_of_its_file_missing(
    decide: Any, missing: str
) -> None:
    facts = attrs.evolve(BASE, file_parts=PARTS - {missing})
    (finding,) = decide("closed", facts).violations
    assert finding.control == "BIZ-08"
    assert finding.facts["missing_parts"] == missing


def test_biz_08_a_case_does_not_close_with_application_materials_missing(decide: Any) -> None:
    facts = CaseFacts(TAX, COMPLETE - {"business_license"}, file_parts=PARTS)
    (finding,) = decide("closed", facts).violations
    assert finding.facts["missing_materials"] == "business_license"
    _allowed(decide("closed", attrs.evolve(facts, materials=COMPLETE)))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    materials=hs.sets(hs.sampled_from(sorted(COMPLETE))),
    parts=hs.sets(hs.sampled_from([*sorted(PARTS), "proof_documents"])),
)
def test_biz_08_a_closed_case_always_has_a_complete_file(
    transition: Any, materials: set[str], parts: set[str]
) -> None:
    decision = ENGINE.decide(transition("closed", CaseFacts(TAX, materials, file_parts=parts)))
    complete = materials >= COMPLETE and parts >= PARTS
    assert (decision.outcome is Outcome.ALLOW) == complete


# -- fail closed -------------------------------------------------------------------------------


def test_a_guarded_move_without_facts_is_refused(decide: Any) -> None:
    decision = decide("closed", None)
    assert _denied_by(decision) == {"BIZ-08"}
    assert "without the case's facts" in decision.violations[0].message()


def test_moves_without_a_guard_need_no_facts(decide: Any) -> None:
    _allowed(decide("reviewed", None))
    _allowed(decide("declined", None, from_state="inquiry"))
