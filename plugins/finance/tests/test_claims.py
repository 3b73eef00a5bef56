"""FIN-01 (attachments cover the claim, exactly in Decimal) and FIN-07 (scope and standards)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest
from agency_finance import Attachment, AttachmentKind, ExpenseClaim
from hypothesis import given
from hypothesis import strategies as st

import agency_core.store as st_
from agency_core import Engine, Money
from agency_core.decision import Outcome
from agency_core.errors import AgencyError, InvalidInput, StateError
from agency_core.store import Refused


def claim(
    amount: str = "800",
    attachments: tuple[tuple[str, str], ...] = (("INV-1", "800"),),
    category: str = "travel",
    currency: str = "CNY",
) -> ExpenseClaim:
    return ExpenseClaim(
        "X-1",
        "E1",
        "sales",
        category,
        Money(amount, currency),
        date(2026, 3, 1),
        tuple(Attachment("invoice", n, Money(a, currency)) for n, a in attachments),
    )


def controls(engine: Engine, request: object, outcome: Outcome) -> set[str]:
    decision = engine.decide(request)
    assert decision.outcome is outcome, decision.findings
    return {f.control for f in decision.findings}


def test_a_claim_backed_exactly_is_allowed(engine: Engine) -> None:
    pair = (("INV-1", "500.25"), ("R-2", "299.75"))
    assert controls(engine, claim("800", pair), Outcome.ALLOW) == set()


def test_a_claim_one_cent_over_its_attachments_is_denied(engine: Engine) -> None:
    decision = engine.decide(claim("800.01", (("INV-1", "800"),)))
    assert decision.outcome is Outcome.DENY
    (finding,) = decision.findings
    assert finding.control == "FIN-01"
    assert finding.facts["missing"] == "0.01 CNY"


def test_a_claim_without_attachments_is_denied(engine: Engine) -> None:
    assert controls(engine, claim("10", ()), Outcome.DENY) == {"FIN-01"}


def test_an_invoice_attached_twice_counts_once(engine: Engine) -> None:
    twice = (("INV-1", "400"), ("INV-1", "400"))
    assert controls(engine, claim("800", twice), Outcome.DENY) == {"FIN-01"}


def test_attachments_in_another_currency_are_refused(engine: Engine) -> None:
    mixed = ExpenseClaim(
        "X-1",
        "E1",
        "sales",
        "travel",
        Money("100", "CNY"),
        date(2026, 3, 1),
        (Attachment(AttachmentKind.VOUCHER, "R-1", Money("100", "USD")),),
    )
    assert controls(engine, mixed, Outcome.DENY) == {"FEE-06"}


def test_a_category_outside_the_scope_is_denied(engine: Engine) -> None:
    assert controls(engine, claim(category="golf"), Outcome.DENY) == {"FIN-07"}


def test_a_claim_above_its_standard_needs_approval(engine: Engine) -> None:
    over = claim("1000.01", (("INV-1", "1000.01"),), category="transport")
    assert controls(engine, over, Outcome.NEEDS_APPROVAL) == {"FIN-07"}
    at = claim("1000", (("INV-1", "1000"),), category="transport")
    assert controls(engine, at, Outcome.ALLOW) == set()


cents = st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2))


@given(claimed=cents, parts=st.lists(cents, max_size=6))
def test_attachments_cover_the_claim_exactly_in_decimal(
    engine: Engine, claimed: Decimal, parts: list[Decimal]
) -> None:
    """FIN-01 denies exactly when the attachments' Decimal total is below the claim."""
    request = claim(str(claimed), tuple((f"INV-{i}", str(p)) for i, p in enumerate(parts)))
    denied = "FIN-01" in {f.control for f in engine.decide(request).violations}
    assert denied == (sum(parts, Decimal(0)) < claimed)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", ""),
        ("claimant", None),
        ("category", 3),
        ("amount", "800"),
        ("amount", Money(0, "CNY")),
        ("incurred_on", "2026-03-01"),
        ("attachments", "INV-1"),
        ("attachments", ("INV-1",)),
    ],
)
def test_bad_claims_are_refused_naming_the_field(field: str, value: object) -> None:
    fields = {
        "id": "X-1",
        "claimant": "E1",
        "department": "sales",
        "category": "travel",
        "amount": Money("800", "CNY"),
        "incurred_on": date(2026, 3, 1),
        "attachments": (),
    }
    with pytest.raises(InvalidInput) as caught:
        ExpenseClaim(**{**fields, field: value})  # type: ignore[arg-type]
    if field != "attachments" or value != "INV-1":
        assert field in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "receipt"), ("number", " "), ("amount", Decimal("1"))],
)
def test_bad_attachments_are_refused_naming_the_field(field: str, value: object) -> None:
    fields = {"kind": "invoice", "number": "INV-1", "amount": Money("1", "CNY")}
    with pytest.raises(InvalidInput, match=field):
        Attachment(**{**fields, field: value})  # type: ignore[arg-type]


def test_a_float_amount_never_reaches_a_claim() -> None:
    with pytest.raises(AgencyError):
        Money(800.5, "CNY")  # type: ignore[arg-type]


def test_an_attachment_already_claimed_elsewhere_is_denied(engine: Engine) -> None:
    again = attrs.evolve(claim(), claimed_before=("invoice:INV-1",))
    decision = engine.decide(again)
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"FIN-01"}
    assert engine.decide(attrs.evolve(claim(), claimed_before=("voucher:INV-1",))).findings == ()


def test_the_store_lets_an_invoice_back_one_claim(store: st_.Store) -> None:
    from agency_finance import Finance

    with store.transaction() as tx:
        assert Finance(tx).claims.file(claim()).outcome is Outcome.ALLOW
    second = attrs.evolve(claim(), id="X-2")
    with pytest.raises(Refused) as caught, store.transaction() as tx:
        Finance(tx).claims.file(second)
    assert caught.value.controls == {"FIN-01"}
    with pytest.raises(StateError, match="already recorded"), store.transaction() as tx:
        Finance(tx).claims.file(claim())
    over = claim("1500", (("INV-9", "1500"),), category="transport")
    with store.transaction() as tx:  # above its standard: filed, its route needs approval
        assert (
            Finance(tx).claims.file(attrs.evolve(over, id="X-3")).outcome is Outcome.NEEDS_APPROVAL
        )
