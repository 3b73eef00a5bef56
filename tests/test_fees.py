"""FEE: charges against contracts and the published schedule, invoices, collections."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency_core import (
    Charge,
    ChargeCheck,
    CollectionCheck,
    Contract,
    Engine,
    FeeAdjustment,
    FeeSchedule,
    Invoice,
    InvoiceCheck,
    InvoiceLine,
    Money,
    Outcome,
    ScheduleItem,
    SettlementStatement,
    StatementLine,
    hookimpl,
)
from tests.factories import NOON, cny

SCHEDULE_2025 = FeeSchedule(
    "2025",
    date(2025, 1, 1),
    [ScheduleItem("registration", cny(800))],
    effective_to=date(2026, 1, 1),
)
SCHEDULE_2026 = FeeSchedule(
    "2026",
    date(2026, 1, 1),
    [
        ScheduleItem("registration", cny(1000)),
        ScheduleItem("notary", cny(300), third_party=True),
    ],
)
SCHEDULES = (SCHEDULE_2025, SCHEDULE_2026)


def contract(**changes: object) -> Contract:
    fields: dict[str, object] = {
        "id": "HT-1",
        "case_id": "K-1",
        "client_id": "C-1",
        "signed_at": NOON,
        "fees": {"registration": cny(900), "notary": cny(300)},
        "disclosed_at": NOON - timedelta(days=1),
        "disclosure_acknowledged": True,
    }
    fields.update(changes)
    return Contract(**fields)  # type: ignore[arg-type]


def charge(amount: str | int = 900, item: str = "registration", **flags: bool) -> Charge:
    return Charge("CH-1", "K-1", item, cny(amount), **flags)


def controls(engine: Engine, check: ChargeCheck | InvoiceCheck | CollectionCheck) -> set[str]:
    decision = engine.decide(check)
    assert (decision.outcome is Outcome.DENY) == bool(decision.violations)
    return {f.control for f in decision.violations}


def test_a_charge_at_the_contract_fee_of_a_published_item_passes(engine: Engine) -> None:
    assert controls(engine, ChargeCheck(charge(), contract(), SCHEDULES)) == set()


def test_fee_01_a_charge_off_the_contract_fee_is_denied(engine: Engine) -> None:
    assert controls(engine, ChargeCheck(charge(950), contract(), SCHEDULES)) == {"FEE-01"}
    assert controls(engine, ChargeCheck(charge(850), contract(), SCHEDULES)) == {"FEE-01"}


def test_fee_01_an_approved_amendment_covers_the_difference(engine: Engine) -> None:
    amended = contract(adjustments=[FeeAdjustment("registration", cny(950), approved=True)])
    decision = engine.check_charge(ChargeCheck(charge(950), amended, SCHEDULES))
    assert decision.outcome is Outcome.ALLOW
    assert decision.controls == {"FEE-01"}  # an info finding says why
    pending = contract(adjustments=[FeeAdjustment("registration", cny(950), approved=False)])
    assert controls(engine, ChargeCheck(charge(950), pending, SCHEDULES)) == {"FEE-01"}


def test_fee_01_an_item_the_contract_does_not_agree_is_denied(engine: Engine) -> None:
    narrow = contract(fees={"notary": cny(300)})
    assert controls(engine, ChargeCheck(charge(), narrow, SCHEDULES)) == {"FEE-01"}


def test_fee_02_an_unpublished_item_is_denied(engine: Engine) -> None:
    odd = contract(fees={"rush": cny(100)})
    assert controls(engine, ChargeCheck(charge(100, "rush"), odd, SCHEDULES)) == {"FEE-02"}


def test_fee_02_the_schedule_in_force_on_the_contract_date_applies(engine: Engine) -> None:
    old = contract(signed_at=NOON.replace(year=2025), disclosed_at=NOON.replace(year=2025))
    # in 2025 registration was published at 800: the agreed 900 exceeds it
    assert controls(engine, ChargeCheck(charge(), old, SCHEDULES)) == {"FEE-03"}
    notary = ChargeCheck(charge(300, "notary", third_party=True), old, SCHEDULES)
    assert controls(engine, notary) == {"FEE-02"}  # not published before 2026


def test_fee_02_no_schedule_in_force_is_denied(engine: Engine) -> None:
    assert controls(engine, ChargeCheck(charge(), contract(), ())) == {"FEE-02"}


def test_fee_03_an_agreed_fee_above_the_published_price_is_denied(engine: Engine) -> None:
    dear = contract(fees={"registration": cny(1200)})
    assert controls(engine, ChargeCheck(charge(1200), dear, SCHEDULES)) == {"FEE-03"}


@pytest.mark.parametrize(
    "changes",
    [
        {"disclosed_at": None},
        {"disclosure_acknowledged": False},
        {"disclosed_at": NOON + timedelta(minutes=1)},
    ],
)
def test_fee_04_fees_are_disclosed_and_acknowledged_before_signing(
    engine: Engine, changes: dict[str, object]
) -> None:
    assert controls(engine, ChargeCheck(charge(), contract(**changes), SCHEDULES)) == {"FEE-04"}


def test_fee_06_a_charge_in_another_currency_is_denied(engine: Engine) -> None:
    usd = Charge("CH-1", "K-1", "registration", Money("900", "USD"))
    assert controls(engine, ChargeCheck(usd, contract(), SCHEDULES)) == {"FEE-06"}


def test_fee_08_a_third_party_service_is_marked(engine: Engine) -> None:
    unmarked = ChargeCheck(charge(300, "notary"), contract(), SCHEDULES)
    assert controls(engine, unmarked) == {"FEE-08"}
    marked = ChargeCheck(charge(300, "notary", third_party=True), contract(), SCHEDULES)
    assert controls(engine, marked) == set()


prices = st.decimals(min_value=0, max_value=10**7, places=2)


@given(agreed=prices, published_extra=prices, charged=prices)
def test_fee_01_to_03_property_exact_contract_charges_pass_and_only_they(
    agreed: Decimal, published_extra: Decimal, charged: Decimal
) -> None:
    engine = Engine()
    schedule = FeeSchedule(
        "s", date(2026, 1, 1), [ScheduleItem("x", cny(agreed + published_extra))]
    )
    terms = contract(fees={"x": cny(agreed)})
    decision = engine.check_charge(ChargeCheck(charge(charged, "x"), terms, [schedule]))
    assert (decision.outcome is Outcome.ALLOW) == (charged == agreed)
    if charged != agreed:
        assert decision.controls == {"FEE-01"}


# --------------------------------------------------------------------------------------------------
# FEE-05 invoices and FEE-07 collections
# --------------------------------------------------------------------------------------------------

DONE = Charge("CH-1", "K-1", "registration", cny(900), delivered=True, settled=True)
NOTARY = Charge("CH-2", "K-1", "notary", cny(300), third_party=True, delivered=True, settled=True)


def invoice(*lines: InvoiceLine, total: str | int | None = None) -> Invoice:
    amount = sum((line.amount.amount for line in lines), Decimal(0)) if total is None else total
    return Invoice("INV-1", "K-1", date(2026, 11, 23), lines, cny(amount))


def line(source: Charge, **changes: object) -> InvoiceLine:
    fields: dict[str, object] = {
        "charge_id": source.id,
        "item": source.item,
        "amount": source.amount,
        "third_party": source.third_party,
    }
    fields.update(changes)
    return InvoiceLine(**fields)  # type: ignore[arg-type]


def test_fee_05_an_invoice_of_delivered_settled_charges_passes(engine: Engine) -> None:
    check = InvoiceCheck(invoice(line(DONE), line(NOTARY)), [DONE, NOTARY])
    assert controls(engine, check) == set()


@pytest.mark.parametrize(
    "charges",
    [
        [Charge("CH-1", "K-1", "registration", cny(900), settled=True)],  # not delivered
        [Charge("CH-1", "K-1", "registration", cny(900), delivered=True)],  # not settled
        [Charge("CH-1", "K-2", "registration", cny(900), delivered=True, settled=True)],  # case
        [],  # no such charge
    ],
)
def test_fee_05_only_delivered_settled_charges_of_the_case_are_invoiced(
    engine: Engine, charges: list[Charge]
) -> None:
    assert controls(engine, InvoiceCheck(invoice(line(DONE)), charges)) == {"FEE-05"}


def test_fee_05_no_second_invoice_for_a_charge(engine: Engine) -> None:
    earlier = InvoiceCheck(invoice(line(DONE)), [DONE], invoiced={"CH-1"})
    assert controls(engine, earlier) == {"FEE-05"}
    twice = InvoiceCheck(invoice(line(DONE), line(DONE)), [DONE])
    assert controls(engine, twice) == {"FEE-05"}


def test_fee_05_line_amounts_and_totals_match(engine: Engine) -> None:
    wrong_line = InvoiceCheck(invoice(line(DONE, amount=cny(1000))), [DONE])
    assert controls(engine, wrong_line) == {"FEE-05"}
    wrong_total = InvoiceCheck(invoice(line(DONE), total=1000), [DONE])
    assert controls(engine, wrong_total) == {"FEE-05"}


def test_fee_08_a_third_party_line_is_marked_on_the_invoice(engine: Engine) -> None:
    check = InvoiceCheck(invoice(line(NOTARY, third_party=False)), [NOTARY])
    assert controls(engine, check) == {"FEE-08"}


STATEMENT = SettlementStatement(
    "K-1",
    NOON,
    [StatementLine("registration", cny(900)), StatementLine("notary", cny(300))],
    cny(1200),
)


def collection(statement: SettlementStatement | None, amount: int = 1200) -> CollectionCheck:
    return CollectionCheck("K-1", cny(amount), NOON + timedelta(hours=1), [DONE, NOTARY], statement)


def test_fee_07_collection_after_a_complete_statement_passes(engine: Engine) -> None:
    assert controls(engine, collection(STATEMENT)) == set()


def test_fee_07_collecting_without_a_statement_is_denied(engine: Engine) -> None:
    assert controls(engine, collection(None)) == {"FEE-07"}


@pytest.mark.parametrize(
    "statement",
    [
        SettlementStatement("K-1", NOON + timedelta(days=1), STATEMENT.lines, cny(1200)),
        SettlementStatement("K-1", NOON, STATEMENT.lines[:1], cny(900)),
        SettlementStatement("K-1", NOON, STATEMENT.lines, cny(1300)),
    ],
    ids=["issued-after", "item-missing", "total-wrong"],
)
def test_fee_07_the_statement_lists_every_item_before_collection(
    engine: Engine, statement: SettlementStatement
) -> None:
    assert controls(engine, collection(statement)) == {"FEE-07"}


def test_fee_07_collecting_more_than_the_statement_is_denied(engine: Engine) -> None:
    assert controls(engine, collection(STATEMENT, amount=1500)) == {"FEE-07"}


def test_fee_06_an_invoice_or_collection_mixing_currencies_is_denied(engine: Engine) -> None:
    usd = Money("900", "USD")
    mixed_invoice = Invoice("INV-2", "K-1", date(2026, 11, 23), [line(DONE, amount=usd)], cny(900))
    # the line also differs from its CNY charge (FEE-05); the mix itself is FEE-06
    assert controls(engine, InvoiceCheck(mixed_invoice, [DONE])) == {"FEE-05", "FEE-06"}
    paid_in_usd = CollectionCheck("K-1", usd, NOON + timedelta(hours=1), [DONE, NOTARY], STATEMENT)
    assert controls(engine, paid_in_usd) == {"FEE-06"}


# --------------------------------------------------------------------------------------------------
# Issue 8: amendments under FEE-03, third-party marks both ways, the firm's time zone, read-only fees
# --------------------------------------------------------------------------------------------------


def test_fee_03_an_approved_amendment_cannot_lift_a_fee_above_the_published_price(
    engine: Engine,
) -> None:
    lifted = contract(
        adjustments=[FeeAdjustment("registration", cny(1200), approved=True, approval_id="AM-1")]
    )
    decision = engine.check_charge(ChargeCheck(charge(1200), lifted, SCHEDULES))
    assert decision.outcome is Outcome.DENY
    (above,) = decision.violations
    assert above.control == "FEE-03"
    assert above.facts["approval"] == "AM-1"
    assert "1200.00 CNY" in above.message()
    assert "1000.00 CNY" in above.message()
    within = contract(adjustments=[FeeAdjustment("registration", cny(1000), approved=True)])
    assert controls(engine, ChargeCheck(charge(1000), within, SCHEDULES)) == set()


def test_fee_08_a_charge_marked_third_party_whose_item_is_not_is_denied(engine: Engine) -> None:
    marked = ChargeCheck(charge(third_party=True), contract(), SCHEDULES)
    decision = engine.check_charge(marked)
    assert decision.controls == {"FEE-08"}
    assert "not a third-party service on the schedule" in decision.violations[0].message()


def test_fee_08_an_invoice_line_marked_third_party_whose_charge_is_not_is_denied(
    engine: Engine,
) -> None:
    check = InvoiceCheck(invoice(line(DONE, third_party=True)), [DONE])
    assert controls(engine, check) == {"FEE-08"}


@pytest.mark.parametrize(
    "signed_at",
    [
        datetime(2025, 12, 31, 16, 30, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=8))),
    ],
    ids=["Z", "+08:00"],
)
def test_the_contract_date_is_taken_in_the_firms_time_zone(
    engine: Engine, signed_at: datetime
) -> None:
    # One instant: 2026-01-01 00:30 in Shanghai. The 2026 schedule (registration 1000) applies,
    # so the agreed 900 is within the published price whichever offset the host wrote.
    signed = contract(signed_at=signed_at, disclosed_at=signed_at - timedelta(days=1))
    decision = engine.check_charge(ChargeCheck(charge(), signed, SCHEDULES))
    assert decision.outcome is Outcome.ALLOW
    unpublished = contract(signed_at=signed_at, fees={"rush": cny(1)}, disclosed_at=signed_at)
    (finding,) = engine.check_charge(
        ChargeCheck(charge(1, "rush"), unpublished, SCHEDULES)
    ).findings
    assert finding.facts["date"] == "2026-01-01"


def test_a_plugin_cannot_edit_the_contract_fees(engine: Engine) -> None:
    class Editor:
        @hookimpl
        def agency_check_charge(self, check: ChargeCheck) -> None:
            check.contract.fees["registration"] = check.charge.amount  # type: ignore[index]

    mine = contract()
    before = dict(mine.fees)
    decision = Engine(plugins=[Editor()]).check_charge(ChargeCheck(charge(950), mine, SCHEDULES))
    assert decision.outcome is Outcome.DENY
    assert {f.control for f in decision.violations} == {"ENG-01", "FEE-01"}
    (failed,) = (f for f in decision.violations if f.control == "ENG-01")
    assert "TypeError" in failed.facts["error"]  # type: ignore[operator]
    assert dict(mine.fees) == before
    with pytest.raises(TypeError):
        mine.fees["registration"] = cny(1)  # type: ignore[index]


def test_read_only_fees_keep_the_contract_hashable_and_its_canonical_json() -> None:
    from agency_core.store.canonical import plain

    mine = contract()
    assert hash(mine) == hash(contract())
    assert plain(mine)["fees"] == {  # the digest the store keeps is what a dict gave
        "notary": {"amount": "300.00", "currency": "CNY"},
        "registration": {"amount": "900.00", "currency": "CNY"},
    }
