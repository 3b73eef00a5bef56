"""The order the controls ask for is the case machine's shape: no path skips a gate."""

from __future__ import annotations

from typing import Any

import pytest
from agency_business import CASE, TASK

from agency_core.errors import InvalidInput


def _reachable(start: str, without: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for there in CASE.targets(todo.pop()):
            if there != without and there not in seen:
                seen.add(there)
                todo.append(there)
    return seen


@pytest.mark.parametrize(
    ("control", "gate", "target"),
    [
        ("BIZ-02", "accepted", "intake_approved"),  # nothing goes on before acceptance
        ("BIZ-03", "accepted", "closed"),  # every case that closes was numbered
        ("BIZ-07", "intake_approved", "contracted"),
        ("BIZ-07", "contracted", "planned"),
        ("BIZ-07", "planned", "in_progress"),
        ("BIZ-09", "reviewed", "notified"),
        ("BIZ-06", "notified", "delivered"),
        ("BIZ-06", "notified", "closed"),
        ("BIZ-09", "delivered", "closed"),
        ("BIZ-05", "delivered", "client_confirmed"),
        ("BIZ-05", "client_confirmed", "manager_approved"),
        ("BIZ-05", "manager_approved", "finance_approved"),
        ("BIZ-05", "finance_approved", "invoiced"),
        ("BIZ-05", "invoiced", "closed"),
    ],
)
def test_no_path_reaches_the_target_around_its_gate(control: str, gate: str, target: str) -> None:
    assert target in _reachable(CASE.initial, without="")
    assert target not in _reachable(CASE.initial, without=gate), control


def test_a_reviewed_result_found_wanting_goes_back_to_work() -> None:
    assert CASE.targets("completed") == {"reviewed", "in_progress"}


def test_closed_and_declined_end_a_case_and_its_deadline() -> None:
    assert CASE.closed == {"closed", "declined"}
    assert not CASE.targets("closed")
    assert not CASE.targets("declined")
    assert TASK.closed == {"done", "cancelled"}


def test_an_unknown_transition_is_refused_naming_the_states_allowed(decide: Any) -> None:
    with pytest.raises(InvalidInput, match="from invoiced it may go to: closed") as caught:
        decide("delivered", None, from_state="invoiced")
    assert caught.value.path == "$.to_state"
