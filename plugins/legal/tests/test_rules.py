"""LEG-01 decided by the engine: each test goes red when its rule is broken."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import agency_legal.plugin
import attrs
import pytest
from agency_legal import ContractSigning, LegalPolicy, LegalReview, Matter, Verdict, content_digest
from hypothesis import given
from hypothesis import strategies as st

import agency_core.store
from agency_core import Engine
from agency_core.decision import Outcome
from agency_core.entities import Employee
from agency_core.errors import InvalidInput, PolicyError
from agency_core.policy.load import parse_policy
from agency_core.requests import RoleGrant

ENGINE = Engine(plugins=[agency_legal.plugin])
V1 = content_digest("代办服务合同 v1: fee 1,000 CNY")
V2 = content_digest("代办服务合同 v2: fee 1,200 CNY")
AT = datetime.fromisoformat("2025-03-03T10:00:00+08:00")
LAWYER = Employee("L1", "legal", {"legal_reviewer"})
DRAFTER = Employee("D1", "business", {"contract_drafter"})


def review(**changes: object) -> LegalReview:
    base = LegalReview("R1", "HT-1", V1, "D1", LAWYER, Verdict.PASSED, AT)
    return attrs.evolve(base, **changes)


def signing(*reviews: LegalReview, **changes: object) -> ContractSigning:
    base = ContractSigning("HT-1", V1, "G1", AT + timedelta(days=1), "D1", reviews)
    return attrs.evolve(base, **changes)


def denied_by(request: object) -> set[str]:
    return {f.control for f in ENGINE.decide(request).violations}


def test_leg01_signing_the_reviewed_version_is_allowed() -> None:
    assert ENGINE.decide(signing(review())).outcome is Outcome.ALLOW


def test_leg01_signing_without_review_is_denied() -> None:
    assert denied_by(signing()) == {"LEG-01"}


def test_leg01_signing_another_version_than_reviewed_is_denied() -> None:
    decision = ENGINE.decide(signing(review(), digest=V2))
    assert {f.control for f in decision.violations} == {"LEG-01"}
    assert decision.violations[0].facts["reviewed"] == V1[:12]


def test_leg01_review_by_the_drafter_does_not_count() -> None:
    own = review(reviewer=Employee("D1", "business", {"legal_reviewer", "contract_drafter"}))
    assert denied_by(signing(own)) == {"LEG-01"}
    assert denied_by(own) == {"LEG-01"}


def test_leg01_drafter_of_the_signed_version_is_checked_too() -> None:
    assert denied_by(signing(review(drafter="X9"), drafter="L1")) == {"LEG-01"}


def test_leg01_review_by_someone_outside_legal_does_not_count() -> None:
    clerk = review(reviewer=Employee("B1", "business"))
    assert denied_by(signing(clerk)) == {"LEG-01"}
    assert denied_by(clerk) == {"LEG-01"}


def test_leg01_a_failed_or_later_failed_review_blocks_signing() -> None:
    assert denied_by(signing(review(verdict="failed"))) == {"LEG-01"}
    failed_later = review(id="R2", verdict=Verdict.FAILED, at=AT + timedelta(hours=2))
    assert denied_by(signing(review(), failed_later)) == {"LEG-01"}
    passed_again = review(
        id="R3", at=AT + timedelta(hours=3), reviewer=Employee("L2", "legal", {"legal_reviewer"})
    )
    assert ENGINE.decide(signing(review(), failed_later, passed_again)).outcome is Outcome.ALLOW


def test_leg01_a_review_after_the_signing_does_not_count() -> None:
    assert denied_by(signing(review(at=AT + timedelta(days=2)))) == {"LEG-01"}


def test_sod03_the_reviewer_does_not_also_sign() -> None:
    assert denied_by(signing(review(), signer="L1")) == {"SOD-03"}


def test_sod02_drafter_and_legal_reviewer_roles_conflict_by_default() -> None:
    grant = RoleGrant(DRAFTER, "legal_reviewer")
    assert "SOD-02" in {f.control for f in ENGINE.decide(grant).violations}


@given(
    reviews=st.lists(
        st.builds(
            LegalReview,
            id=st.sampled_from(["R1", "R2", "R3", "R4"]),
            contract=st.just("HT-1"),
            digest=st.sampled_from([V1, V2]),
            drafter=st.sampled_from(["D1", "L1"]),
            reviewer=st.sampled_from(
                [LAWYER, DRAFTER, Employee("L2", "legal", {"legal_reviewer"})]
            ),
            verdict=st.sampled_from(list(Verdict)),
            at=st.integers(0, 48).map(lambda h: AT + timedelta(hours=h)),
        ),
        max_size=4,
    )
)
def test_leg01_property_signed_only_after_an_independent_pass_of_that_version(
    reviews: list[LegalReview],
) -> None:
    check = signing(*reviews)
    if ENGINE.decide(check).outcome is Outcome.DENY:
        return
    before = sorted(
        (r for r in reviews if r.digest == check.digest and r.at <= check.at),
        key=lambda r: (r.at, r.id),
    )
    assert before, "allowed without a review of the signed version"
    latest = before[-1]
    assert latest.verdict is Verdict.PASSED
    assert latest.reviewer.id not in (latest.drafter, check.drafter)
    assert "legal_reviewer" in latest.reviewer.roles


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: review(digest="abc"), "digest"),
        (lambda: review(digest=V1.upper()), "digest"),
        (lambda: review(verdict="maybe"), "verdict"),
        (lambda: review(reviewer="L1"), "reviewer"),
        (lambda: review(at=datetime(2025, 3, 3)), "at"),
        (lambda: review(drafter=""), "drafter"),
        (lambda: signing(review(contract="HT-2")), "reviews"),
        (lambda: signing(signer=" "), "signer"),
        (lambda: Matter("M-1", "", AT.date(), "L1"), "dispute"),
        (lambda: Matter("M-1", "fee dispute", AT, "L1"), "opened_on"),
        (lambda: content_digest(3), "content"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_is_invalid_input_naming_the_field(make: object, field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        make()  # type: ignore[operator]


def _engine_with(body: str) -> Engine:
    default = (
        Path(agency_core.store.__file__).parent.parent / "policy" / "default.toml"
    ).read_bytes()
    text = default + f"\n[plugins.legal]\n{body}\n".encode()
    return Engine(parse_policy(text), plugins=[agency_legal.plugin])


@pytest.mark.parametrize(
    "body",
    [
        "reviewer_roles = []",
        'reviewer_roles = "legal_reviewer"',
        "reviewer_roles = [1]",
        'reviewer_roles = [""]',
        "other = 1",
    ],
)
def test_bad_policy_is_a_policy_error_naming_the_key(body: str) -> None:
    with pytest.raises(PolicyError, match=r"plugins\.legal"):
        _engine_with(body)


def test_reviewer_roles_are_policy() -> None:
    clerk = review(reviewer=Employee("B1", "business", {"counsel"}))
    assert (
        _engine_with('reviewer_roles = ["counsel"]').decide(signing(clerk)).outcome is Outcome.ALLOW
    )
    assert LegalPolicy().reviewer_roles == ("legal_reviewer",)


def test_signing_from_json() -> None:
    from agency_core.codec import request_from_json

    body = {
        "kind": "contract_signing",
        "contract": "HT-1",
        "digest": V1,
        "signer": "G1",
        "at": "2025-03-04T10:00:00+08:00",
        "drafter": "D1",
        "reviews": [
            {
                "id": "R1",
                "contract": "HT-1",
                "digest": V1,
                "drafter": "D1",
                "reviewer": {"id": "L1", "department": "legal", "roles": ["legal_reviewer"]},
                "verdict": "passed",
                "at": "2025-03-03T10:00:00+08:00",
            }
        ],
    }
    assert ENGINE.decide(request_from_json(body, ENGINE)).outcome is Outcome.ALLOW
    with pytest.raises(InvalidInput, match="digest"):
        request_from_json({**body, "digest": "x"}, ENGINE)
