"""FEE properties: oracles for disclosure, invoices, collections, currencies, third-party marks.

Each oracle states when the control must deny, read from the request alone, and checks both
ways: a deny that should be there, and none that should not.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from agency_core.entities import (
    CURRENCIES,
    ApprovalRequest,
    InvoiceLine,
    Money,
    SettlementStatement,
    StatementLine,
)
from agency_core.policy import Policy
from agency_core.requests import ChargeCheck, CollectionCheck, InvoiceCheck
from agency_core.testing import strategies as S
from agency_core.testing._kit import Property, Subject, expect

__all__ = ["PROPERTIES"]

MICRO = timedelta(microseconds=1)
MIXED = ("charge", "approval")
MARKS = ("charge", "invoice")


def _unit(currency: str) -> Money:
    return Money(Decimal(1).scaleb(-CURRENCIES[currency]), currency)


# --- FEE-04 -------------------------------------------------------------------------------------


LATE = ("after", "never", "unacknowledged")


@st.composite
def late_disclosures(draw: st.DrawFn, subject: Subject, how: str | None = None) -> ChargeCheck:
    """A valid charge whose contract's fees were disclosed after signing (often by a moment,
    written in another offset so the wall clock reads earlier), never, or not acknowledged."""
    check = draw(S.charge_checks(subject.policy))
    contract = check.contract
    how = how or draw(st.sampled_from(LATE))
    if how == "after":
        late = draw(
            st.sampled_from([MICRO, timedelta(hours=1)]) | st.timedeltas(MICRO, timedelta(days=2))
        )
        zone = draw(st.sampled_from(S.TIMEZONES))
        contract = attrs.evolve(contract, disclosed_at=(contract.signed_at + late).astimezone(zone))
    elif how == "never":
        contract = attrs.evolve(contract, disclosed_at=None)
    else:
        contract = attrs.evolve(contract, disclosure_acknowledged=False)
    return attrs.evolve(check, contract=contract)


def _late(subject: Subject, check: ChargeCheck) -> None:
    expect("FEE-04", True, check, subject.engine.check_charge(check))


def _timely(subject: Subject, check: ChargeCheck) -> None:
    expect("FEE-04", False, check, subject.engine.check_charge(check), "disclosed in time")


# --- FEE-05 -------------------------------------------------------------------------------------


INVOICES = ("as_drawn", "twice", "unknown", "total", "all_good", "before")


@st.composite
def invoices(draw: st.DrawFn, subject: Subject, how: str | None = None) -> InvoiceCheck:
    """Invoices of a case's charges, sometimes with a line twice, a line for another charge, a
    total one minor unit off, a charge invoiced before, or nothing wrong."""
    check = draw(S.invoice_checks(subject.policy))
    invoice = check.invoice
    how = how or draw(st.sampled_from(INVOICES))
    if how == "twice":
        invoice = attrs.evolve(
            invoice,
            lines=(*invoice.lines, invoice.lines[0]),
            total=invoice.total + invoice.lines[0].amount,
        )
    elif how == "unknown":
        line = attrs.evolve(invoice.lines[0], charge_id="F-none")
        invoice = attrs.evolve(
            invoice, lines=(*invoice.lines, line), total=invoice.total + line.amount
        )
    elif how == "total":
        invoice = attrs.evolve(invoice, total=draw(S.near(invoice.total)))
    elif how == "all_good":
        ids = {line.charge_id for line in invoice.lines}
        charges = [
            attrs.evolve(c, delivered=True, settled=True) if c.id in ids else c
            for c in check.charges
        ]
        return InvoiceCheck(invoice, charges, check.invoiced - ids)
    return attrs.evolve(check, invoice=invoice)


def invoice_faults(check: InvoiceCheck) -> list[str]:
    """The oracle (FEE-05): what is wrong with each line and with the total."""
    invoice = check.invoice
    charges = {c.id: c for c in check.charges if c.case_id == invoice.case_id}
    seen = Counter(line.charge_id for line in invoice.lines)
    faults = []
    for line in invoice.lines:
        charge = charges.get(line.charge_id)
        if charge is None or not charge.delivered or not charge.settled:
            faults.append(f"{line.charge_id}: no delivered, settled charge")
        elif charge.amount != line.amount or charge.item != line.item:
            faults.append(f"{line.charge_id}: differs from the charge")
        elif line.charge_id in check.invoiced or seen[line.charge_id] > 1:
            faults.append(f"{line.charge_id}: invoiced twice")
    if sum(line.amount.amount for line in invoice.lines) != invoice.total.amount:
        faults.append("the total is not the sum of the lines")
    return faults


def _invoice(subject: Subject, check: InvoiceCheck) -> None:
    faults = invoice_faults(check)
    expect("FEE-05", bool(faults), check, subject.engine.check_invoice(check), "; ".join(faults))


# --- FEE-06 -------------------------------------------------------------------------------------


@st.composite
def mixed_currencies(
    draw: st.DrawFn, subject: Subject, how: str | None = None
) -> ChargeCheck | ApprovalRequest:
    """A charge billed in another currency than agreed (same figures), or an approval request
    in another currency than the policy's."""
    policy = subject.policy
    if (how or draw(st.sampled_from(MIXED))) == "approval":
        request = draw(S.approval_requests(policy, budget=False))
        other = draw(S.currencies().filter(lambda c: c != policy.currency))
        return attrs.evolve(request, amount=Money(request.amount.amount, other))
    check = draw(S.charge_checks(policy))
    agreed = check.contract.fees[check.charge.item]
    other = draw(S.currencies().filter(lambda c: c != agreed.currency))
    charge = attrs.evolve(check.charge, amount=Money(agreed.amount, other))
    return attrs.evolve(check, charge=charge)


def _mixed(subject: Subject, example: ChargeCheck | ApprovalRequest) -> None:
    expect("FEE-06", True, example, subject.engine.decide(example), "currencies differ")


# --- FEE-07 -------------------------------------------------------------------------------------


COLLECTIONS = ("as_drawn", "late", "more", "short_list", "other_case")


@st.composite
def collections(draw: st.DrawFn, subject: Subject, how: str | None = None) -> CollectionCheck:
    """Collections with a statement issued before (or a moment after), listing every charge (or
    not), collecting at most its total (or one minor unit more)."""
    check = draw(S.collection_checks(subject.policy))
    statement = check.statement
    how = how or draw(st.sampled_from(COLLECTIONS))
    if statement is None or how == "as_drawn":
        return check
    if how == "late":
        issued = check.collected_at + draw(st.sampled_from([MICRO, timedelta(hours=1)]))
        statement = attrs.evolve(statement, issued_at=issued)
    elif how == "more":
        return attrs.evolve(check, amount=statement.total + _unit(statement.total.currency))
    elif how == "short_list":
        assume(len(statement.lines) > 1)
        lines = statement.lines[:-1]
        total = Money.total((line.price for line in lines), statement.total.currency)
        statement = attrs.evolve(statement, lines=lines, total=total)
        return attrs.evolve(check, statement=statement, amount=min(check.amount, total))
    else:
        statement = attrs.evolve(statement, case_id=f"{check.case_id}x")
    return attrs.evolve(check, statement=statement)


def collection_faults(check: CollectionCheck) -> list[str]:
    """The oracle (FEE-07)."""
    statement = check.statement
    if statement is None or statement.case_id != check.case_id:
        return ["no settlement statement for the case"]
    faults = []
    if statement.issued_at > check.collected_at:
        faults.append("issued after collecting")
    if sum(line.price.amount for line in statement.lines) != statement.total.amount:
        faults.append("total is not the sum")
    listed = Counter((line.item, line.price) for line in statement.lines)
    if Counter((c.item, c.amount) for c in check.charges) - listed:
        faults.append("a charge is not listed")
    if check.amount.amount > statement.total.amount:
        faults.append("collects more than the total")
    return faults


def _collection(subject: Subject, check: CollectionCheck) -> None:
    faults = collection_faults(check)
    decision = subject.engine.check_collection(check)
    expect("FEE-07", bool(faults), check, decision, "; ".join(faults))


# --- FEE-08 -------------------------------------------------------------------------------------


@st.composite
def marks(draw: st.DrawFn, subject: Subject, how: str | None = None) -> ChargeCheck | InvoiceCheck:
    """A charge, or an invoice line, whose third-party mark may disagree with its source."""
    if (how or draw(st.sampled_from(MARKS))) == "charge":
        check = draw(S.charge_checks(subject.policy))
        return attrs.evolve(
            check, charge=attrs.evolve(check.charge, third_party=draw(st.booleans()))
        )
    invoice_check = draw(S.invoice_checks(subject.policy))
    invoice = invoice_check.invoice
    lines: list[InvoiceLine] = [
        attrs.evolve(line, third_party=draw(st.booleans())) for line in invoice.lines
    ]
    return attrs.evolve(invoice_check, invoice=attrs.evolve(invoice, lines=lines))


def mismarked(policy: Policy, example: ChargeCheck | InvoiceCheck) -> bool:
    """The oracle (FEE-08): a third-party mark that disagrees with its source, either way."""
    if isinstance(example, ChargeCheck):
        signed = policy.local_date(example.contract.signed_at)
        schedules = [s for s in example.schedules if s.in_force(signed)]
        published = schedules[-1].item(example.charge.item) if schedules else None
        return published is not None and published.third_party != example.charge.third_party
    charges = {c.id: c for c in example.charges if c.case_id == example.invoice.case_id}
    return any(
        line.charge_id in charges and charges[line.charge_id].third_party != line.third_party
        for line in example.invoice.lines
    )


def _marks(subject: Subject, example: ChargeCheck | InvoiceCheck) -> None:
    expect("FEE-08", mismarked(subject.policy, example), example, subject.engine.decide(example))


@st.composite
def statements_in_time(draw: st.DrawFn, subject: Subject) -> CollectionCheck:
    """A statement listing every charge, issued up to the instant of collection."""
    check = draw(S.collection_checks(subject.policy))
    lines = [StatementLine(c.item, c.amount) for c in check.charges]
    total = Money.total((line.price for line in lines), check.amount.currency)
    issued = check.collected_at - draw(st.sampled_from([timedelta(0), MICRO, timedelta(days=1)]))
    statement = SettlementStatement(
        check.case_id, issued.astimezone(draw(st.sampled_from(S.TIMEZONES))), lines, total
    )
    return attrs.evolve(
        check,
        statement=statement,
        amount=draw(st.just(total) | S.money(total.currency, max_value=total.amount)),
    )


PROPERTIES: tuple[Property, ...] = (
    Property(
        "FEE-04",
        "late-disclosure-denied",
        "fees disclosed after signing (by an instant, in any offset), never, or unacknowledged",
        late_disclosures,
        _late,
        kinds=LATE,
    ),
    Property(
        "FEE-04",
        "timely-disclosure-passes",
        "fees disclosed and acknowledged at or before signing, in any offset, pass",
        lambda s: S.charge_checks(s.policy),
        _timely,
    ),
    Property(
        "FEE-05",
        "invoice-oracle",
        "an invoice matches delivered, settled charges, each once, and its total",
        invoices,
        _invoice,
        kinds=INVOICES,
    ),
    Property(
        "FEE-06",
        "mixed-currencies-denied",
        "a charge or an approval in another currency than agreed is denied",
        mixed_currencies,
        _mixed,
        kinds=MIXED,
    ),
    Property(
        "FEE-07",
        "collection-oracle",
        "collecting needs a statement of the case, issued before, listing every charge",
        collections,
        _collection,
        kinds=COLLECTIONS,
    ),
    Property(
        "FEE-07",
        "statement-in-time-passes",
        "a full statement issued up to the instant of collection passes",
        statements_in_time,
        _collection,
    ),
    Property(
        "FEE-08",
        "third-party-marks",
        "a third-party service is marked so on the charge and on the invoice",
        marks,
        _marks,
        kinds=MARKS,
    ),
)
"""The FEE properties besides FEE-01..03 (in :mod:`conformance`)."""
