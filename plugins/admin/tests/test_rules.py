"""ADM-01..ADM-08 and SOD-02 decided by the engine; the policy section; bad input."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from importlib import resources

import agency_admin.plugin
import attrs
import pytest
from agency_admin import (
    Acceptance,
    AcceptedLine,
    Act,
    AdminAct,
    AdminPolicy,
    ApprovalFacts,
    ContractLine,
    Document,
    PurchaseContract,
    PurchasePayment,
    ResolutionDone,
    SealApplication,
    SealReturn,
    SealUse,
)
from agency_admin.rules import ACT_CONTROLS, accepted_value
from hypothesis import given
from hypothesis import strategies as st

from agency_core import Employee, Engine, Money, Outcome
from agency_core.codec import request_from_json
from agency_core.errors import InvalidInput, PolicyError
from agency_core.policy import parse_policy
from agency_core.requests import DutyCheck, PerformedDuty
from agency_core.transitions import TransitionCheck

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
USER = Employee("E1", "sales")
CUSTODIAN = Employee("SC", "admin", frozenset({"seal_custodian"}))
CONTRACT_DOC = Document("contract", "HT-2026-001", "Service agreement with Client A")
APPLICATION = SealApplication(
    "S1", "company", "sign the client contract", "sales", "E1", CONTRACT_DOC
)


def approved(status: str = "approved", **changes: object) -> ApprovalFacts:
    facts = ApprovalFacts("S1", "seal_use", "sales", "E1", status, ("SA",))
    return attrs.evolve(facts, **changes)  # type: ignore[arg-type]


def use(**changes: object) -> SealUse:
    base = SealUse("U1", APPLICATION, USER, CUSTODIAN, CONTRACT_DOC, NOW, approved())
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]


@functools.cache  # engines are immutable: one per policy table
def with_section(table: str) -> Engine:
    data = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")
    policy = parse_policy(f"{data}\n[plugins.admin]\n{table}\n".encode(), "firm.toml")
    return Engine(policy, plugins=[agency_admin.plugin])


# -- ADM-01 ---------------------------------------------------------------------------------------


def test_adm01_an_approved_application_lets_its_user_seal_its_document(engine: Engine) -> None:
    decision = engine.decide(use())
    assert decision.outcome is Outcome.ALLOW, decision.findings


@pytest.mark.parametrize("approval", [None, approved("pending"), approved("rejected")])
def test_adm01_no_seal_without_an_approved_application(
    engine: Engine, approval: ApprovalFacts | None
) -> None:
    decision = engine.decide(use(approval=approval))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"ADM-01"}


@pytest.mark.parametrize(
    "change",
    [
        {"action": "supplies_requisition"},
        {"id": "S2"},
        {"department": "finance"},
        {"requester": "E2"},
    ],
)
def test_adm01_another_requests_approval_does_not_count(engine: Engine, change: dict) -> None:
    assert engine.decide(use(approval=approved(**change))).controls == {"ADM-01"}


def test_adm01_only_the_named_user_on_the_named_document(engine: Engine) -> None:
    assert engine.decide(use(user=Employee("E2", "sales"))).controls == {"ADM-01"}
    other = Document("contract", "HT-2026-002", "Another agreement")
    assert engine.decide(use(document=other)).controls == {"ADM-01"}


def test_adm01_an_application_names_reason_department_user_and_document() -> None:
    for field in ("reason", "department", "user"):
        with pytest.raises(InvalidInput, match=field):
            attrs.evolve(APPLICATION, **{field: " "})
    with pytest.raises(InvalidInput, match="document"):
        attrs.evolve(APPLICATION, document=None)


# -- ADM-02 ---------------------------------------------------------------------------------------


def test_adm02_a_blank_contract_is_never_sealed(engine: Engine) -> None:
    blank = Document("contract", "HT-blank", "Blank contract form", blank=True)
    app = attrs.evolve(APPLICATION, document=blank)
    decision = engine.decide(use(application=app, document=blank))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"ADM-02"}
    assert "空白" in decision.findings[0].message("zh-CN")


@given(
    kind=st.sampled_from(["paper", "contract", "letter"]),
    approval_ok=st.booleans(),
    blank_on_application=st.booleans(),
)
def test_adm02_property_blank_paper_is_denied_whatever_else_holds(
    kind: str, approval_ok: bool, blank_on_application: bool
) -> None:
    engine = with_section("")
    blank = Document(kind, "X-1", "A blank sheet", blank=True)
    app = attrs.evolve(APPLICATION, document=blank) if blank_on_application else APPLICATION
    approval = approved() if approval_ok else None
    decision = engine.decide(use(application=app, document=blank, approval=approval))
    assert decision.outcome is Outcome.DENY
    assert "ADM-02" in decision.controls


# -- SOD-02 and ADM-08 ----------------------------------------------------------------------------


def test_sod02_custody_and_approval_is_a_default_conflict_set(engine: Engine) -> None:
    sets = [c.roles for c in engine.policy.static_conflicts]
    assert frozenset({"seal_custodian", "seal_use_approver"}) in sets


def test_sod02_a_custodian_who_also_approves_seal_use_is_denied(engine: Engine) -> None:
    both = Employee("SC", "admin", frozenset({"seal_custodian", "seal_use_approver"}))
    decision = engine.decide(use(custodian=both))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"SOD-02"}
    approving = use(approval=approved(approvers=("SC",)))
    assert engine.decide(approving).controls == {"SOD-02"}


def test_sod02_a_firm_that_drops_the_conflict_set_is_not_held_to_it() -> None:
    data = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")
    start = data.index('[[segregation.static]]\nname = "seal custody/seal approval"')
    end = data.index("[[segregation.dynamic]]")
    engine = Engine(
        parse_policy((data[:start] + data[end:]).encode(), "firm.toml"),
        plugins=[agency_admin.plugin],
    )
    both = Employee("SC", "admin", frozenset({"seal_custodian", "seal_use_approver"}))
    assert engine.decide(use(custodian=both)).outcome is Outcome.ALLOW


def test_sod03_approving_and_applying_a_seal_are_a_core_duty_pair(engine: Engine) -> None:
    spec = engine.policy.section("admin", AdminPolicy)
    check = DutyCheck(
        "S1", spec.apply_seal_duty, "SA", (PerformedDuty(spec.approve_seal_duty, "SA"),)
    )
    assert engine.decide(check).controls == {"SOD-03"}


def test_adm08_only_a_custodian_hands_a_seal_out(engine: Engine) -> None:
    clerk = Employee("AD", "admin")
    assert engine.decide(use(custodian=clerk)).controls == {"ADM-08"}


RETURN = SealReturn("SC")


def returned(actor: Employee, data: SealReturn | None = RETURN) -> TransitionCheck:
    return TransitionCheck("seal_use", "seal_use/U1", "out", "returned", actor, NOW, data)


def test_adm08_a_seal_goes_back_to_its_custodian(engine: Engine) -> None:
    assert engine.decide(returned(CUSTODIAN)).outcome is Outcome.ALLOW
    assert engine.decide(returned(USER)).controls == {"ADM-08"}
    assert engine.decide(returned(CUSTODIAN, None)).controls == {"ADM-08"}


# -- ADM-05 ---------------------------------------------------------------------------------------


def test_adm05_a_resolution_is_done_only_with_its_outcome(engine: Engine) -> None:
    def move(to: str, data: object = None) -> TransitionCheck:
        return TransitionCheck("resolution", "resolution/R1", "assigned", to, USER, NOW, data)

    assert engine.decide(move("in_progress")).outcome is Outcome.ALLOW
    assert engine.decide(move("done")).controls == {"ADM-05"}
    assert (
        engine.decide(move("done", ResolutionDone("price list published"))).outcome is Outcome.ALLOW
    )
    with pytest.raises(InvalidInput, match="outcome"):
        ResolutionDone("")


# -- ADM-03, ADM-04, ADM-07: acts on an approved application ---------------------------------------

ACTIONS = {
    Act.SUPPLIES_ISSUE: "supplies_requisition",
    Act.EQUIPMENT_REPAIR: "equipment_repair",
    Act.EQUIPMENT_SCRAPPING: "equipment_scrapping",
    Act.ASSET_REGISTRATION: "fixed_asset_purchase",
}


def act(kind: Act, approval: ApprovalFacts | None) -> AdminAct:
    return AdminAct("X1", kind, "ZC-000001", "P1", "AD", date(2026, 3, 2), approval)


@pytest.mark.parametrize("kind", list(Act))
def test_acts_need_their_own_approved_application(engine: Engine, kind: Act) -> None:
    control = ACT_CONTROLS[kind]
    good = ApprovalFacts("P1", ACTIONS[kind], "sales", "E1", "approved", ("H1",))
    assert engine.decide(act(kind, good)).outcome is Outcome.ALLOW
    assert engine.decide(act(kind, None)).controls == {control}
    assert engine.decide(act(kind, attrs.evolve(good, status="pending"))).controls == {control}
    wrong = attrs.evolve(good, action="seal_use")
    assert engine.decide(act(kind, wrong)).controls == {control}
    assert engine.decide(act(kind, attrs.evolve(good, id="P2"))).controls == {control}


def test_adm03_04_07_controls_are_the_catalogues() -> None:
    assert ACT_CONTROLS == {
        Act.SUPPLIES_ISSUE: "ADM-03",
        Act.EQUIPMENT_REPAIR: "ADM-04",
        Act.EQUIPMENT_SCRAPPING: "ADM-04",
        Act.ASSET_REGISTRATION: "ADM-07",
    }


def test_the_actions_are_in_the_default_approval_matrix(engine: Engine) -> None:
    spec = engine.policy.section("admin", AdminPolicy)
    actions = {action for action, _department in engine.policy.matrices}
    for name in (spec.seal_action, spec.supplies_action, spec.repair_action, spec.scrapping_action):
        assert name in actions
    assert spec.asset_purchase_action in actions


# -- ADM-06 ---------------------------------------------------------------------------------------

CNY = "CNY"
CONTRACT = PurchaseContract(
    "PC1",
    "supplier-1",
    "AD",
    date(2026, 2, 1),
    (
        ContractLine("laptop", 2, Money("6000", CNY), fixed_asset=True),
        ContractLine("paper", 10, Money("30", CNY)),
    ),
)


def accepted(*lines: tuple[str, int], at: datetime = NOW, passed: bool = True) -> Acceptance:
    return Acceptance("A1", "PC1", "AD", at, tuple(AcceptedLine(i, q) for i, q in lines), passed)


def pay(amount: str, *acceptances: Acceptance, before: str | None = None) -> PurchasePayment:
    paid = Money(before, CNY) if before is not None else None
    return PurchasePayment(
        "P1", CONTRACT, Money(amount, CNY), NOW + timedelta(hours=1), acceptances, paid
    )


def test_adm06_no_payment_before_acceptance(engine: Engine) -> None:
    assert engine.decide(pay("100")).controls == {"ADM-06"}
    later = accepted(("paper", 10), at=NOW + timedelta(days=1))
    assert engine.decide(pay("100", later)).controls == {"ADM-06"}
    failed = accepted(("paper", 10), passed=False)
    assert engine.decide(pay("100", failed)).controls == {"ADM-06"}
    assert engine.decide(pay("300", accepted(("paper", 10)))).outcome is Outcome.ALLOW


def test_adm06_payment_up_to_the_goods_accepted_at_contract_prices(engine: Engine) -> None:
    one_laptop = accepted(("laptop", 1), ("paper", 5))
    assert accepted_value(pay("0", one_laptop)) == Money("6150", CNY)
    assert engine.decide(pay("6150", one_laptop)).outcome is Outcome.ALLOW
    assert engine.decide(pay("6150.01", one_laptop)).controls == {"ADM-06"}
    assert engine.decide(pay("150", one_laptop, before="6000.01")).controls == {"ADM-06"}
    too_many = accepted(("laptop", 5))  # only 2 were ordered
    assert accepted_value(pay("0", too_many)) == Money("12000", CNY)


@pytest.mark.parametrize(
    ("amount", "before"),
    [(Money("100", "USD"), None), (Money("100", CNY), Money("1", "JPY"))],
)
def test_adm06_a_payment_in_another_currency_is_an_adm06_denial_not_a_plugin_failure(
    engine: Engine, amount: Money, before: Money | None
) -> None:
    payment = attrs.evolve(pay("0", accepted(("paper", 10))), amount=amount, paid_before=before)
    decision = engine.decide(payment)
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"ADM-06"}
    assert "CNY" in decision.findings[0].message("en")


@given(
    laptops=st.integers(0, 4),
    paper=st.integers(0, 15),
    amount=st.integers(0, 20000),
    before=st.integers(0, 20000),
)
def test_adm06_property_never_paid_beyond_what_was_accepted(
    laptops: int, paper: int, amount: int, before: int
) -> None:
    engine = with_section("")
    lines = [(item, n) for item, n in (("laptop", laptops), ("paper", paper)) if n]
    acceptances = (accepted(*lines),) if lines else ()
    payment = pay(str(amount), *acceptances, before=str(before))
    value = accepted_value(payment)
    assert value <= Money("12300", CNY)  # never more than the contract is worth
    allowed = engine.decide(payment).outcome is Outcome.ALLOW
    assert allowed == (value.amount > 0 and amount + before <= value.amount)


# -- the policy section, JSON, bad input ----------------------------------------------------------


def test_the_defaults(engine: Engine) -> None:
    spec = engine.policy.section("admin", AdminPolicy)
    assert (spec.seal_return_days, spec.stocktake_interval_days) == (0, 365)
    assert (spec.approve_seal_duty, spec.apply_seal_duty) == ("approve_seal_use", "apply_seal")
    assert frozenset({"approve_seal_use", "apply_seal"}) in engine.policy.duty_conflict_names


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("seal_return_days = -1", "seal_return_days"),
        ("stocktake_interval_days = 0", "stocktake_interval_days"),
        ('asset_register_days = "2"', "asset_register_days"),
        ('seal_action = ""', "seal_action"),
        ("custodian_role = 3", "custodian_role"),
        ("unknown = 1", "unknown"),
        ('approve_seal_duty = " "', "approve_seal_duty"),
        ("apply_seal_duty = []", "apply_seal_duty"),
        ('supplies_action = ""', "supplies_action"),
        ("repair_action = 1", "repair_action"),
        ('scrapping_action = ""', "scrapping_action"),
        ("asset_purchase_action = false", "asset_purchase_action"),
        ('asset_number_prefix = ""', "asset_number_prefix"),
    ],
)
def test_bad_policy_values_are_refused_naming_the_key(table: str, key: str) -> None:
    with pytest.raises(PolicyError, match=r"@ \$\.plugins\.admin") as caught:
        with_section(table)
    assert key in str(caught.value)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Document("contract", "", "title"), "number"),
        (lambda: Document("contract", "N1", "title", blank="no"), "blank"),
        (lambda: attrs.evolve(APPLICATION, seal=""), "seal"),
        (lambda: use(at=datetime(2026, 3, 2, 9)), "at"),
        (lambda: use(user="E1"), "user"),
        (lambda: AdminAct("X", "polish_desks", "S", "P", "AD", date(2026, 3, 2)), "act"),
        (lambda: AdminAct("X", "supplies_issue", "S", "P", "AD", NOW), "on"),
        (lambda: ApprovalFacts("P", "a", "d", "r", "done"), "status"),
        (lambda: ContractLine("laptop", 0, Money("1", CNY)), "quantity"),
        (lambda: ContractLine("laptop", True, Money("1", CNY)), "quantity"),
        (lambda: attrs.evolve(CONTRACT, lines=()), "lines"),
        (lambda: attrs.evolve(CONTRACT, lines=CONTRACT.lines[:1] * 2), "lines"),
        (
            lambda: attrs.evolve(
                CONTRACT, lines=(CONTRACT.lines[0], ContractLine("pen", 1, Money("1", "USD")))
            ),
            "lines",
        ),
        (lambda: AcceptedLine("paper", -1), "quantity"),
        (lambda: SealReturn(""), "custodian"),
        (lambda: use(approval="approved"), "approval"),
        (lambda: attrs.evolve(accepted(("paper", 1)), receiver=""), "receiver"),
        (lambda: attrs.evolve(accepted(("paper", 1)), passed=1), "passed"),
        (lambda: attrs.evolve(pay("1"), contract="PC1"), "contract"),
        (lambda: attrs.evolve(pay("1"), paid_before=1), "paid_before"),
        (lambda: ApprovalFacts("P", "a", "d", "r", "approved", ("SA", "")), "approvers"),
        (lambda: accepted(), "lines"),
        (lambda: pay("-1"), "amount"),
    ],
)
def test_bad_input_is_a_typed_error_naming_the_field(make: object, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        make()  # type: ignore[operator]
    assert field in str(caught.value) or field in caught.value.path


def test_a_seal_use_reads_from_json(engine: Engine) -> None:
    document = {"kind": "paper", "number": "N1", "title": "Letter", "blank": True}
    data = {
        "kind": "seal_use",
        "id": "U1",
        "application": {
            "id": "S1",
            "seal": "company",
            "reason": "a letter to the tax bureau",
            "department": "sales",
            "user": "E1",
            "document": document,
        },
        "user": {"id": "E1", "department": "sales"},
        "custodian": {"id": "SC", "department": "admin", "roles": ["seal_custodian"]},
        "document": document,
        "at": "2026-03-02T09:00:00+08:00",
        "approval": None,
    }
    check = request_from_json(data, engine)
    assert isinstance(check, SealUse)
    assert engine.decide(check).controls == {"ADM-01", "ADM-02"}


def test_the_plugin_loads_through_its_entry_point() -> None:
    engine = Engine(entry_points=["admin"])
    assert {"seal_use", "admin_act", "purchase_payment"} <= set(engine.kinds)
    assert engine.kinds["seal_use"].plugin == "admin"
    assert {"seal_use", "resolution"} <= set(engine.machines)
