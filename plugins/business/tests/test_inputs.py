"""Bad input: typed errors naming the field, for every entity and every policy key."""

from __future__ import annotations

from importlib import resources
from typing import Any

import agency_business.plugin as plugin
import pytest
from agency_business import BusinessPolicy, CaseFacts, CaseIntake

from agency_core import Engine, Outcome
from agency_core.codec import request_from_json, request_schema
from agency_core.errors import InvalidInput, PolicyError
from agency_core.policy import parse_policy

DEFAULT = resources.files("agency_core.policy").joinpath("default.toml").read_bytes()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("case_id", ""),
        ("client_id", None),
        ("service_item", 7),
        ("actor", " "),
        ("submitted", "application_form"),
        ("submitted", [""]),
    ],
)
def test_a_bad_intake_names_its_field(field: str, value: object) -> None:
    fields: dict[str, Any] = {
        "case_id": "C1",
        "client_id": "CL1",
        "service_item": "tax_registration",
        "actor": "B1",
        "submitted": ["application_form"],
        field: value,
    }
    with pytest.raises(InvalidInput, match=field if field != "submitted" else "expected|submitted"):
        CaseIntake(**fields)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("service_item", ""),
        ("materials", "application_form"),
        ("notice", [3]),
        ("case_number", ""),
        ("intake_approval", "maybe"),
        ("plan_approval", "yes"),
        ("plan_change_approval", True),
        ("settlement_approval", "ok"),
        ("tasks", -1),
        ("open_tasks", True),
        ("notified_via", ""),
        ("handed_over", "proof_documents"),
        ("statement_issued_at", "2026-03-02"),
        ("client_confirmed_at", 3),
        ("settlement_approved_by", [1]),
        ("invoice_id", ""),
        ("file_parts", [""]),
    ],
)
def test_bad_case_facts_name_their_field(field: str, value: object) -> None:
    fields: dict[str, Any] = {"service_item": "tax_registration", field: value}
    with pytest.raises(
        InvalidInput,
        match=field if field not in ("materials", "handed_over") else "expected a collection",
    ):
        CaseFacts(**fields)


def _policy(table: str) -> Engine:
    return Engine(
        parse_policy(DEFAULT + b"\n[plugins.business]\n" + table.encode()), plugins=[plugin]
    )


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("services = 3", "expected a mapping @ $.plugins.business.services"),
        ("services.visa.materials = ['A b']", "materials[0] must be a lower-case code"),
        ("services.visa.materials = 'passport'", "materials"),
        ("services.visa.name_zh = 3", "@ $.plugins.business.services.visa.name_zh"),
        ("services.visa.bogus = 3", "extra fields found (bogus)"),
        ("case_number_prefix = 'biz'", "case_number_prefix must be 1 to 8 capital letters"),
        ("task_working_days = 0", "task_working_days must be a whole number of days"),
        ("task_working_days = true", "@ $.plugins.business.task_working_days"),
        ("notify_channels = []", "notify_channels must not be empty"),
        ("notify_channels = 'phone'", "expected a list, not the string 'phone'"),
        ("handover = ['proof_documents', 'proof_documents']", "handover lists an entry twice"),
        ("file_parts = ['']", "file_parts[0] must be a lower-case code"),
        ("intake_action = 'Intake'", "intake_action must be a lower-case code"),
        ("plan_action = ''", "plan_action must be a lower-case code"),
        ("plan_change_action = 3", "plan_change_action"),
        ("settlement_action = 'a b'", "settlement_action must be a lower-case code"),
        ("settlement_manager_role = ''", "settlement_manager_role must be a lower-case code"),
        ("settlement_finance_role = []", "settlement_finance_role"),
        ("bogus = 1", "extra fields found (bogus) @ $.plugins.business"),
    ],
)
def test_a_bad_policy_key_is_refused_with_its_path(table: str, problem: str) -> None:
    with pytest.raises(PolicyError) as caught:
        _policy(table)
    assert any(problem in line for line in caught.value.problems), caught.value.problems


def test_every_policy_key_has_a_default_and_changes_the_policy_hash() -> None:
    default = Engine(plugins=[plugin]).policy
    firm = _policy("task_working_days = 3").policy
    assert firm.section("business", BusinessPolicy).task_working_days == 3
    assert default.section("business", BusinessPolicy) == BusinessPolicy()
    assert firm.sha256 != default.sha256


def test_a_case_transition_decides_from_json_with_its_facts(engine: Engine) -> None:
    request = request_from_json(
        {
            "kind": "transition",
            "subject_kind": "case",
            "subject": "C1",
            "from_state": "invoiced",
            "to_state": "closed",
            "actor": {"id": "B1", "department": "business"},
            "at": "2026-03-20T10:00:00+08:00",
            "data": {
                "service_item": "tax_registration",
                "materials": ["application_form"],
                "file_parts": ["processing_records"],
            },
            "history": [],
        },
        engine,
    )
    assert isinstance(request.data, CaseFacts)
    with pytest.raises(InvalidInput, match="a case starts in inquiry"):
        engine.decide(request)


def test_an_intake_decides_from_json(engine: Engine) -> None:
    request = request_from_json(
        {
            "kind": "case_intake",
            "case_id": "C1",
            "client_id": "CL1",
            "service_item": "trademark_filing",
            "actor": "B1",
            "submitted": ["application_form", "applicant_id", "trademark_specimen"],
        },
        engine,
    )
    decision = engine.decide(request)
    assert decision.outcome is Outcome.ALLOW
    assert decision.kind == "case_intake"


def test_bad_json_facts_are_typed_errors(engine: Engine) -> None:
    with pytest.raises(InvalidInput):
        request_from_json(
            {
                "kind": "transition",
                "subject_kind": "case",
                "subject": "C1",
                "from_state": "inquiry",
                "to_state": "accepted",
                "actor": {"id": "B1", "department": "business"},
                "at": "2026-03-20T10:00:00+08:00",
                "data": {"service_item": "tax_registration", "tasks": "many"},
            },
            engine,
        )


def test_the_plugin_loads_through_its_entry_point() -> None:
    engine = Engine(entry_points=["business"])
    assert {"case", "business_task"} <= set(engine.machines)
    assert "case_intake" in engine.kinds
    assert "business" in engine.sections
    assert any(info.name == "business" for info in engine.plugins)


def test_the_request_schema_lists_the_intake_and_the_case_facts(engine: Engine) -> None:
    import jsonschema

    schema = request_schema(engine)
    jsonschema.Draft202012Validator.check_schema(schema)
    kinds = {variant["properties"]["kind"]["const"] for variant in schema["oneOf"]}
    assert "case_intake" in kinds
    assert "CaseFacts" in schema["$defs"]
    jsonschema.validate(
        {
            "kind": "transition",
            "subject_kind": "case",
            "subject": "C1",
            "from_state": "inquiry",
            "to_state": "accepted",
            "actor": {"id": "B1", "department": "business"},
            "at": "2026-03-02T09:00:00+08:00",
            "data": {"service_item": "tax_registration", "case_number": "BIZ-2026-000001"},
            "history": [],
        },
        schema,
    )
