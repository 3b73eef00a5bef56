"""The ASGI application: agency-core's engine and store behind HTTP, on Starlette.

A worker holds the engine, the store's connection pool and the token book, nothing else: every
piece of shared state is in the database, so any number of workers on any number of machines
serve one PostgreSQL. ``create_app()`` reads its settings from the environment (uvicorn's
``--factory`` calls it once per worker); see ``README.md``.

Errors are the CLI's JSON errors, ``{"errors": ["... @ $.path", ...]}``, with a status that says
whose fault it is: 400 bad input, 401 no valid token, 403 refused (the engine's ``decision``
beside the errors, a body naming someone other than the caller, a caller without the
operation's role, or one who may not read the request or record asked for, take a step of that
request, return that loan or sign destruction lists, whether the thing exists or not), 404 not
found (to a caller who may know), 409 a state or a concurrent change that forbids it, 413 too
large, 503 the database failed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agency_core.codec import parse_json, request_from_json, request_to_json
from agency_core.convert import converter
from agency_core.engine import Engine
from agency_core.entities import (
    ApprovalRequest,
    DestructionList,
    Employee,
    Record,
    Scope,
    Signature,
)
from agency_core.errors import AgencyError, InvalidInput, NotFound, StateError
from agency_core.policy import Policy
from agency_core.store import Capacity, DecisionLog, Store, Submission
from agency_core.store.audit import DEFAULT_STEP_DEADLINE, all_sweeps, run_audit
from agency_core.store.checkpoint import Checkpoint, load_key
from agency_core.store.errors import Conflict, Refused, StoreError
from agency_core.store.log import take_checkpoint, verify_log
from agency_core.store.session import Transaction, open_store
from agency_http import bodies as b
from agency_http.openapi import Operation, openapi_document
from agency_http.tokens import TokenBook

__all__ = [
    "DESTROYERS",
    "HOLD_PLACERS",
    "HOLD_RELEASERS",
    "KEEPERS",
    "OPERATIONS",
    "OVERSIGHT",
    "RECORD_READERS",
    "ApiError",
    "Config",
    "Service",
    "create_app",
]

log = logging.getLogger("agency_http")
_T = TypeVar("_T")

MAX_BODY: Final = 1 << 20
"""Bytes a request body may hold (1 MiB); more is refused with 413 before it is parsed."""
MAX_BATCH: Final = 1000
"""Requests one ``POST /decide`` may hold."""
RETRIES: Final = 3
"""Attempts of a unit of work that lost a race (:class:`Conflict`) before the 409 is returned."""
OVERSIGHT: Final = frozenset({"auditor"})
"""Roles that may run the firm-wide audit, verify the decision log and sign its checkpoints
with the server's key (held directly or by the policy's inheritance). A firm that gives this
oversight to other roles changes this set, or lets its own roles inherit ``auditor``."""
HOLD_PLACERS: Final = frozenset({"legal_reviewer", "archives_head"})
"""Roles that may hold a record (RET-03): the legal department, which places legal holds and
opens the matters of disputes, and the head of archives, who keeps the records and takes the
notice of a claim. A hold only keeps records, so the keeper may place one too."""
HOLD_RELEASERS: Final = frozenset({"legal_reviewer"})
"""Roles that may release a hold: the legal department only. Lifting a hold opens the record to
destruction, and the head of archives approves destruction lists (RET-04): the one who approves
destroying a record should not also lift what stops it."""
RECORD_READERS: Final = frozenset({"archives_head", "legal_reviewer"}) | OVERSIGHT
"""Roles that may read any record with its holds (reasons, matters) and loans (borrowers): the
keeper of the records, the legal department and the oversight roles. A borrower reads the
record of their own current loan (:func:`may_read_record`); nobody else reads a record."""
DESTROYERS: Final = frozenset({"archives_head"})
"""Roles that may execute a signed destruction list: the keeper of the records (RET-04)."""
KEEPERS: Final = frozenset({"archives_head"})
"""Roles that lend records, record any loan's return and register backup copies: the keeper of
the records, whose work lending (RET-06) and backups (RET-07) are. A borrower records the
return of their own loan too (:func:`may_return_loan`)."""


class ApiError(Exception):
    """An HTTP error of the service's own (authentication, size, a body naming another actor)."""

    def __init__(self, status: int, problem: str) -> None:
        super().__init__(problem)
        self.status = status
        self.problem = problem


@attrs.frozen
class Config:
    """Where the worker's state lives; :meth:`from_env` reads the ``AGENCY_*`` variables."""

    database_url: str
    tokens: Path
    policy: Path | None = None
    log_key_file: Path | None = None

    @classmethod
    def from_env(cls) -> Config:
        env = os.environ
        missing = [n for n in ("AGENCY_DATABASE_URL", "AGENCY_HTTP_TOKENS") if not env.get(n)]
        if missing:
            raise InvalidInput(f"set {' and '.join(missing)} (see the README)")
        return cls(
            env["AGENCY_DATABASE_URL"],
            Path(env["AGENCY_HTTP_TOKENS"]),
            Path(env["AGENCY_POLICY"]) if env.get("AGENCY_POLICY") else None,
            Path(env["AGENCY_LOG_KEY_FILE"]) if env.get("AGENCY_LOG_KEY_FILE") else None,
        )


class Service:
    """What one worker holds: the store, the engine (logging to the store) and the tokens."""

    def __init__(self, config: Config) -> None:
        key = load_key(config.log_key_file) if config.log_key_file else None
        self.key = key
        self.store: Store = open_store(config.database_url, log_key=key)
        self.log = DecisionLog(self.store)
        """Decisions in a transaction are appended with it; others wait here (flushed on exit)."""
        self.engine = Engine.from_policy(config.policy, plugins=[self.log])
        """The engine of the store: every decision behind a change goes to the log with it."""
        self.questions = Engine.from_policy(config.policy)
        """The same policy and plugins, unlogged, for ``POST /decide``: a question changes
        nothing, and its request names people who did not act (as ``agency decide``)."""
        self.store.use(self.engine)
        self.tokens = TokenBook(config.tokens)

    def work(self, unit: Callable[[Transaction], Any]) -> Any:
        """Run ``unit`` in one transaction; again (up to :data:`RETRIES`) if it lost a race."""
        for attempt in range(RETRIES):
            try:
                with self.store.transaction() as tx:
                    return unit(tx)
            except Conflict:
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


@attrs.frozen
class Call:
    """One authenticated call: who makes it, its parsed body, path and query parameters."""

    caller: str
    body: Any
    params: dict[str, Any]
    query: dict[str, str]
    key: str | None


# --------------------------------------------------------------------------------------------------
# Operations: each a plain function of the service and the call, run in a worker thread.
# --------------------------------------------------------------------------------------------------


def _claim(body: Any, field: str, caller: str) -> Any:
    """``body`` without ``field`` when it names the caller; 403 when it names anyone else.

    The actor is the authenticated caller: a body cannot act in someone else's name.
    """
    if isinstance(body, dict) and field in body:
        if body[field] != caller:
            named = str(body[field])[:64]
            raise ApiError(403, f"{field} is the authenticated caller {caller}, not {named!r}")
        return {k: v for k, v in body.items() if k != field}
    return body


def _staff(tx: Transaction, caller: str) -> Employee:
    """The caller as a stored employee; 403 for a token whose employee is not in the staff."""
    try:
        return tx.employees.get(caller)
    except NotFound:
        raise ApiError(403, f"{caller} is not in the firm's staff: refused") from None


def _key(call: Call) -> str:
    if not call.key:
        raise ApiError(400, "an Idempotency-Key header is needed @ $")
    return call.key


def _submission(sub: Submission) -> dict[str, Any]:
    return {
        "request": request_to_json(sub.request),
        "route": [{"role": s.role, "scope": s.scope.value} for s in sub.route.steps],
        "status": sub.status.value,
        "next_step": sub.next_step,
        "history": [converter.unstructure(a) for a in sub.history],
        "submitted_at": sub.submitted_at.isoformat(),
        "policy": {"version": sub.policy_version, "sha256": sub.policy_sha256},
    }


def decide(service: Service, call: Call) -> tuple[int, Any]:
    """Decide a request of any kind, or a batch (a JSON array), as ``agency decide`` does."""
    engine, data = service.questions, call.body
    if isinstance(data, list):
        if len(data) > MAX_BATCH:
            raise InvalidInput(f"a batch holds at most {MAX_BATCH} requests, not {len(data)}")
        decisions = engine.decide_many([request_from_json(item, engine) for item in data])
        return 200, [d.to_dict() for d in decisions]
    return 200, engine.decide(request_from_json(data, engine)).to_dict()


def submit(service: Service, call: Call) -> tuple[int, Any]:
    """Submit an approval request of the caller's (``requester`` must be the caller)."""
    data = call.body
    if isinstance(data, dict) and "requester" in data and data["requester"] != call.caller:
        raise ApiError(403, f"requester is the authenticated caller {call.caller} @ $.requester")
    request = request_from_json(data, service.engine)
    if not isinstance(request, ApprovalRequest):
        raise InvalidInput("an approval request has kind approval", path="$.kind")
    key = _key(call)
    sub = service.work(lambda tx: tx.approvals.submit(request, key=f"{call.caller}:{key}"))
    return 201, _submission(sub)


def may_read_approval(policy: Policy, reader: Employee, sub: Submission | None) -> bool:
    """Whether ``reader`` may read ``sub`` (None: no such request; only oversight may know that).

    The readers of a request: its requester, anyone who took a step of it (as actor or as the
    principal), whoever may take its next pending step (the step's role by the policy's
    inheritance, and for a department-scoped step the request's department), and the roles of
    :data:`OVERSIGHT`.
    """
    if policy.effective_roles(reader.roles) & OVERSIGHT:
        return True
    if sub is None:
        return False
    me = reader.id
    if sub.request.requester == me or any(me in (a.actor, a.on_behalf_of) for a in sub.history):
        return True
    if sub.next_step is None:
        return False
    step = sub.route.steps[sub.next_step]
    in_scope = step.scope is not Scope.DEPARTMENT or reader.department == sub.request.department
    return in_scope and policy.holds(reader.roles, step.role)


def _found(read: Callable[[], _T]) -> _T | None:
    """What ``read`` returns; None when it is not found (said only to a caller who may know)."""
    try:
        return read()
    except NotFound:
        return None


def _readable(
    tx: Transaction, policy: Policy, caller: str, request_id: str, principal: Employee | None = None
) -> Submission:
    """The request ``request_id`` if ``caller`` (or the ``principal`` they act for) may read it;
    403 alike whether it exists or not to one who may not (:func:`may_read_approval`), 404 to
    one who may."""
    sub = _found(lambda: tx.approvals.get(request_id))
    readers = (_staff(tx, caller), *((principal,) if principal is not None else ()))
    if not any(may_read_approval(policy, reader, sub) for reader in readers):
        raise ApiError(
            403,
            "GET /approvals/{id} is for the request's requester, its approvers, the holders "
            "of its next step's role and the oversight roles: refused",
        )
    if sub is None:
        raise NotFound(f"no approval request {request_id!r}")
    return sub


def get_approval(service: Service, call: Call) -> tuple[int, Any]:
    """A submitted request with its route, status and history, for those who may read it."""
    request_id, policy = call.params["id"], service.engine.policy
    sub = service.work(lambda tx: _readable(tx, policy, call.caller, request_id))
    return 200, _submission(sub)


def _principal(tx: Transaction, delegate: str, principal: str | None) -> Employee | None:
    """The employee ``principal`` if ``delegate`` may act for them now (a delegation in force,
    APR-06); None otherwise."""
    if principal is None:
        return None
    now = tx.now()
    given = tx.delegations.in_force(now, delegate=delegate, principal=principal)
    if not any(d.principal == principal and d.delegate == delegate for d in given):
        return None
    return _found(lambda: tx.employees.get(principal))


def decide_step(service: Service, call: Call) -> tuple[int, Any]:
    """Approve or reject one step as the caller, who must be one who may read the request
    (or act for one who may, under a delegation in force).

    The engine's answer names the request's department, the step's role and what is out of
    order: a caller who may not read the request is refused before the engine is asked.
    """
    body = b.structure(_claim(call.body, "actor", call.caller), b.StepBody)
    key = f"{call.caller}:{_key(call)}"
    request_id, step, policy = call.params["id"], call.params["step"], service.engine.policy

    def unit(tx: Transaction) -> Any:
        principal = _principal(tx, call.caller, body.on_behalf_of)
        _readable(tx, policy, call.caller, request_id, principal)
        return tx.approvals.decide(
            request_id,
            step,
            body.verdict,
            call.caller,
            key=key,
            reason=body.reason,
            on_behalf_of=body.on_behalf_of,
        )

    return 200, {"request": request_id, **converter.unstructure(service.work(unit))}


def perform_duty(service: Service, call: Call) -> tuple[int, Any]:
    """Record a duty the caller performed (refused when it conflicts with one they did, SOD-03)."""
    body = b.structure(_claim(call.body, "actor", call.caller), b.DutyBody)
    key = f"{call.caller}:{_key(call)}"
    service.work(lambda tx: tx.duties.perform(body.subject, body.duty, call.caller, key=key))
    return 201, {"subject": body.subject, "duty": body.duty, "actor": call.caller}


def _record(tx: Transaction, number: str) -> dict[str, Any]:
    record = tx.records.get(number)
    due = tx.records.due_on(number)
    return {**converter.unstructure(record), "due_on": due.isoformat() if due else None}


def register(service: Service, call: Call) -> tuple[int, Any]:
    """Register a record under a new number."""
    body = b.structure(call.body, b.RegisterBody)

    def unit(tx: Transaction) -> Any:
        record = tx.records.register(
            body.record_class,
            closed_on=body.closed_on,
            title=body.title,
            also=body.also,
            event_on=body.event_on,
            important=body.important,
        )
        return _record(tx, record.number)

    return 201, service.work(unit)


def may_read_record(policy: Policy, reader: Employee, record: Record | None) -> bool:
    """Whether ``reader`` may read ``record`` (None: no such record; only its readers by role
    may know that): a holder of a role of :data:`RECORD_READERS`, or the borrower of a loan of
    it not yet returned."""
    if policy.effective_roles(reader.roles) & RECORD_READERS:
        return True
    loans = record.loans if record is not None else ()
    return any(loan.borrower == reader.id and loan.returned_on is None for loan in loans)


def get_record(service: Service, call: Call) -> tuple[int, Any]:
    """A registered record with its holds, loans, backups and disposal date, for its readers."""
    number, policy = call.params["number"], service.engine.policy

    def unit(tx: Transaction) -> dict[str, Any]:
        reader = _staff(tx, call.caller)
        record = _found(lambda: tx.records.get(number))
        if not may_read_record(policy, reader, record):
            raise ApiError(
                403,
                "GET /records/{number} is for the roles archives_head, legal_reviewer, the "
                "oversight roles and the borrower of a current loan of the record: refused",
            )
        if record is None:
            raise NotFound(f"no record {number!r}")
        return _record(tx, number)

    return 200, service.work(unit)


def place_hold(service: Service, call: Call) -> tuple[int, Any]:
    """Hold a record (it cannot be destroyed while held)."""
    body = b.structure(call.body, b.HoldBody)
    number = call.params["number"]

    def unit(tx: Transaction) -> Any:
        tx.records.place_hold(number, body.hold_id, body.reason, on=body.on, matter=body.matter)
        return _record(tx, number)

    return 201, service.work(unit)


def release_hold(service: Service, call: Call) -> tuple[int, Any]:
    """Release a hold."""
    body = b.structure(call.body, b.WhenBody)
    hold = call.params["hold"]
    service.work(lambda tx: tx.records.release_hold(hold, on=body.on))
    return 200, {"hold": hold, "released_on": body.on.isoformat()}


def _borrowers_request(tx: Transaction, approval_id: str | None, borrower: str) -> None:
    """403 unless the request ``approval_id`` (if there is one) is ``borrower``'s own: RET-06
    lends on the borrower's approved request, not on anyone's. (Whether it is approved, and
    an unknown id, are the store's to say.)"""
    asked = _found(lambda: tx.approvals.get(approval_id)) if approval_id is not None else None
    if asked is not None and asked.request.requester != borrower:
        raise ApiError(
            403,
            f"a loan is made on the borrower's own request, not {approval_id!r} @ $.approval_id",
        )


def lend(service: Service, call: Call) -> tuple[int, Any]:
    """Lend a record to ``borrower``, a member of the staff, as its keeper (RET-06)."""
    body = b.structure(call.body, b.LoanBody)
    number = call.params["number"]

    def unit(tx: Transaction) -> Any:
        if _found(lambda: tx.employees.get(body.borrower)) is None:
            raise InvalidInput(f"{body.borrower} is not in the firm's staff", path="$.borrower")
        _borrowers_request(tx, body.approval_id, body.borrower)
        tx.records.lend(
            number,
            body.loan_id,
            body.borrower,
            lent_on=body.lent_on,
            due_on=body.due_on,
            approval_id=body.approval_id,
        )
        return _record(tx, number)

    return 201, service.work(unit)


def may_return_loan(policy: Policy, caller: Employee, borrower: str | None) -> bool:
    """Whether ``caller`` may record the return of a loan to ``borrower`` (None: no such loan;
    only the keepers may know that): a holder of a role of :data:`KEEPERS`, or the borrower."""
    if policy.effective_roles(caller.roles) & KEEPERS:
        return True
    return borrower is not None and borrower == caller.id


def _borrower(tx: Transaction, loan_id: str) -> str | None:
    """Who borrowed the loan ``loan_id``; None when there is no such loan."""
    loan = _found(lambda: tx.records.loan(loan_id))
    return loan.borrower if loan is not None else None


def return_loan(service: Service, call: Call) -> tuple[int, Any]:
    """A lent record came back: recorded by its keeper or by the borrower (RET-06)."""
    body = b.structure(call.body, b.WhenBody)
    loan, policy = call.params["loan"], service.engine.policy

    def unit(tx: Transaction) -> None:
        if not may_return_loan(policy, _staff(tx, call.caller), _borrower(tx, loan)):
            raise ApiError(
                403,
                "POST /loans/{loan}/return is for the roles archives_head and the loan's "
                "borrower: refused",
            )
        tx.records.return_loan(loan, on=body.on)

    service.work(unit)
    return 200, {"loan": loan, "returned_on": body.on.isoformat()}


def add_backup(service: Service, call: Call) -> tuple[int, Any]:
    """Record a backup copy of a record."""
    body = b.structure(call.body, b.BackupBody)
    number = call.params["number"]
    count = service.work(lambda tx: tx.records.add_backup(number, body.location, on=body.on))
    return 201, {"record": number, "backups": count}


def propose_destruction(service: Service, call: Call) -> tuple[int, Any]:
    """Propose a destruction list; it may carry the caller's own signatures, nobody else's."""
    if not isinstance(call.body, dict):
        raise InvalidInput("a destruction list is a JSON object")
    listing = b.structure(call.body, DestructionList)
    signed = {"approvals": listing.approvals, "supervisors": listing.supervisors}
    for field, signatures in signed.items():
        for i, signature in enumerate(signatures):
            if signature.employee != call.caller:
                named = signature.employee[:64]
                raise ApiError(
                    403,
                    f"a signer is the authenticated caller {call.caller}, not {named!r}"
                    f" @ $.{field}[{i}].employee",
                )
    service.work(lambda tx: tx.destruction.propose(listing))
    return 201, converter.unstructure(listing)


def may_sign_destruction(policy: Policy, signer: Employee, capacity: Capacity) -> bool:
    """Whether ``signer``'s signature in ``capacity`` is one RET-04 counts: an approval by a
    holder of one of the policy's approver roles, a supervision by someone of one of the
    departments it names. Nobody else signs a list, nor learns whether one exists."""
    if capacity is Capacity.APPROVAL:
        held = policy.effective_roles(signer.roles)
        return any(role in held for role in policy.destruction.approver_roles)
    return signer.department in policy.destruction.supervisor_departments


def _signer(tx: Transaction, policy: Policy, caller: str, capacity: Capacity) -> Employee:
    """The caller as a signer in ``capacity``; 403, before the list is read, if not one."""
    signer = _staff(tx, caller)
    if not may_sign_destruction(policy, signer, capacity):
        if capacity is Capacity.APPROVAL:
            who = f"the roles {', '.join(policy.destruction.approver_roles)}"
        else:
            who = f"the departments {', '.join(policy.destruction.supervisor_departments)}"
        raise ApiError(403, f"a destruction list's {capacity} is signed by {who} only: refused")
    return signer


def approve_destruction(service: Service, call: Call) -> tuple[int, Any]:
    """Approve a proposed destruction list as the caller, an approver of the policy (RET-04)."""
    b.structure(call.body if call.body is not None else {}, b.SignBody)
    list_id, policy = call.params["id"], service.engine.policy

    def unit(tx: Transaction) -> Any:
        signer = _signer(tx, policy, call.caller, Capacity.APPROVAL)
        held = policy.effective_roles(signer.roles)
        role = next((r for r in policy.destruction.approver_roles if r in held), "")
        signature = Signature(call.caller, role, signer.department)
        return tx.destruction.sign(list_id, signature, capacity=Capacity.APPROVAL)

    return 201, converter.unstructure(service.work(unit))


def supervise_destruction(service: Service, call: Call) -> tuple[int, Any]:
    """Sign a destruction list as a supervisor of it, the caller, of a department the policy
    names (RET-04)."""
    body = b.structure(call.body, b.SupervisionBody)
    for field in ("checked_before", "signed_after"):
        if not getattr(body, field):  # signed once: a false flag would lock the signer out
            raise InvalidInput(f"a supervisor signs with {field} true", path=f"$.{field}")
    list_id, policy = call.params["id"], service.engine.policy

    def unit(tx: Transaction) -> Any:
        signer = _signer(tx, policy, call.caller, Capacity.SUPERVISION)
        signature = Signature(
            call.caller,
            department=signer.department,
            checked_before=body.checked_before,
            signed_after=body.signed_after,
        )
        return tx.destruction.sign(list_id, signature, capacity=Capacity.SUPERVISION)

    return 201, converter.unstructure(service.work(unit))


def execute_destruction(service: Service, call: Call) -> tuple[int, Any]:
    """Destroy the listed records if the engine finds the procedure followed (RET-04)."""
    list_id = call.params["id"]
    return 200, service.work(lambda tx: tx.destruction.execute(list_id)).to_dict()


def log_verify(service: Service, call: Call) -> tuple[int, Any]:
    """Walk the decision log's hash chain, extending the checkpoints given."""
    body = b.structure(call.body if call.body is not None else {}, b.VerifyBody)
    if body.checkpoints and service.key is None:
        raise InvalidInput("the server has no log key: it cannot check checkpoints")
    checkpoints = [
        Checkpoint.from_json(json.dumps(attrs.asdict(c)), source=f"$.checkpoints[{i}]")
        for i, c in enumerate(body.checkpoints)
    ]
    report = verify_log(service.store, key=service.key, checkpoints=checkpoints)
    problem = report.problem
    found = None
    if problem is not None:
        found = {"seq": problem.seq, "kind": problem.kind, "detail": problem.detail}
    return 200, {"ok": report.ok, "entries": report.entries, "head": report.head, "problem": found}


def log_checkpoint(service: Service, _call: Call) -> tuple[int, Any]:
    """Verify the log and sign its head with the server's log key; keep it off the database."""
    if service.key is None:
        raise InvalidInput("the server has no log key (AGENCY_LOG_KEY_FILE)")
    return 200, json.loads(take_checkpoint(service.store, service.key).to_json())


def audit(service: Service, call: Call) -> tuple[int, Any]:
    """Run every audit sweep of the core and the plugins in the database."""
    on: date | None = None
    if "on" in call.query:
        on = b.structure({"on": call.query["on"]}, b.WhenBody).on
    days = call.query.get("step_deadline_days", str(DEFAULT_STEP_DEADLINE.days))
    if not days.isascii() or not days.isdigit() or not 1 <= int(days) <= 3650:
        raise InvalidInput(f"step_deadline_days is 1..3650, not {days[:20]!r}")
    store = service.store
    findings = run_audit(
        store, on=on, step_deadline=timedelta(days=int(days)), sweeps=all_sweeps(store)
    )
    return 200, {
        "offences": sum(f.count for f in findings),
        "findings": [f.to_dict() for f in findings],
    }


_READ_APPROVAL: Final = (
    "Its requester, anyone who took a step of it (actor or principal), whoever may take its next"
    " pending step (the step's role, for a department step in the request's department) and the"
    " oversight roles may read it; anyone else is refused with 403, whether it exists or not."
)
_READ_RECORD: Final = (
    "The roles archives_head, legal_reviewer and the oversight roles, and the borrower of a loan"
    " of it not yet returned, may read it; anyone else is refused with 403, whether it exists"
    " or not."
)
_STEP: Final = (
    "Whoever may read the request (its requester, anyone who took a step of it, whoever may take"
    " its next pending step, the oversight roles) is answered with the engine's decision, a"
    " denial with its findings; anyone else is refused with 403, whether it exists or not,"
    " before the engine is asked."
)
_RETURN: Final = (
    "The roles archives_head and the loan's borrower may record its return; anyone else is"
    " refused with 403, whether the loan exists or not."
)
_SIGN: Final = (
    "Only a holder of one of the policy's destruction approver roles (by default"
    " general_manager, archives_head, accounting_head) may approve a list; anyone else is"
    " refused with 403, whether the list exists or not."
)
_SUPERVISE: Final = (
    "Only an employee of one of the policy's supervising departments (by default archives,"
    " accounting) may supervise a list; anyone else is refused with 403, whether the list"
    " exists or not."
)
REQUEST: Final = "#/components/schemas/Request"
DECISION: Final = "#/components/schemas/Decision"

OPERATIONS: Final = (
    Operation("POST", "/decide", decide, body={"anyOf": [
        {"$ref": REQUEST}, {"type": "array", "items": {"$ref": REQUEST}}]}, answer=DECISION),
    Operation("POST", "/approvals", submit, body={"$ref": "#/components/schemas/ApprovalBody"},
              idempotent=True, status=201),
    Operation("GET", "/approvals/{id}", get_approval, who=_READ_APPROVAL),
    Operation("POST", "/approvals/{id}/steps/{step:int}", decide_step, body=b.StepBody,
              idempotent=True, who=_STEP),
    Operation("POST", "/duties", perform_duty, body=b.DutyBody, idempotent=True, status=201),
    Operation("POST", "/records", register, body=b.RegisterBody, status=201),
    Operation("GET", "/records/{number}", get_record, who=_READ_RECORD),
    Operation("POST", "/records/{number}/holds", place_hold, body=b.HoldBody, status=201,
              roles=HOLD_PLACERS),
    Operation("POST", "/holds/{hold}/release", release_hold, body=b.WhenBody,
              roles=HOLD_RELEASERS),
    Operation("POST", "/records/{number}/loans", lend, body=b.LoanBody, status=201,
              roles=KEEPERS),
    Operation("POST", "/loans/{loan}/return", return_loan, body=b.WhenBody, who=_RETURN),
    Operation("POST", "/records/{number}/backups", add_backup, body=b.BackupBody, status=201,
              roles=KEEPERS),
    Operation("POST", "/destruction-lists", propose_destruction,
              body={"$ref": "#/components/schemas/DestructionList"}, status=201),
    Operation("POST", "/destruction-lists/{id}/approvals", approve_destruction, body=b.SignBody,
              optional_body=True, status=201, who=_SIGN),
    Operation("POST", "/destruction-lists/{id}/supervision", supervise_destruction,
              body=b.SupervisionBody, status=201, who=_SUPERVISE),
    Operation("POST", "/destruction-lists/{id}/execute", execute_destruction, answer=DECISION,
              roles=DESTROYERS),
    Operation("POST", "/log/verify", log_verify, body=b.VerifyBody, optional_body=True,
              roles=OVERSIGHT),
    Operation("POST", "/log/checkpoint", log_checkpoint, roles=OVERSIGHT),
    Operation("GET", "/audit", audit, query=("on", "step_deadline_days"), roles=OVERSIGHT),
)  # fmt: skip


# --------------------------------------------------------------------------------------------------
# HTTP: authentication, bodies, errors.
# --------------------------------------------------------------------------------------------------


def _errors(status: int, problems: list[str], **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"errors": problems, **extra}, status, headers=headers)


def _status(exc: AgencyError) -> int:
    if isinstance(exc, Refused):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, StateError):  # Conflict too: a concurrent change won
        return 409
    if isinstance(exc, StoreError):
        return 503
    return 400


def _problems(exc: AgencyError) -> list[str]:
    lines = getattr(exc, "problems", None)
    return [str(p) for p in lines] if lines else [str(exc)]


def error_response(exc: BaseException) -> JSONResponse:
    """The JSON error for ``exc``; anything unexpected is logged and answered 500 without detail."""
    if isinstance(exc, ApiError):
        return _errors(exc.status, [exc.problem])
    if isinstance(exc, Refused):
        return _errors(403, _problems(exc), decision=exc.decision.to_dict())
    if isinstance(exc, AgencyError):
        return _errors(_status(exc), _problems(exc))
    if isinstance(exc, UnicodeError | RecursionError):
        return _errors(400, [f"unreadable input: {type(exc).__name__} @ $"])
    log.exception("unexpected error", exc_info=exc)
    return _errors(500, ["internal error: nothing was saved"])


def _caller(service: Service, request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    who = service.tokens.who(token.strip()) if scheme.lower() == "bearer" else None
    if who is None:
        raise ApiError(401, "a valid API token is needed: Authorization: Bearer <token>")
    return who


def _authorize(service: Service, caller: str, operation: Operation) -> None:
    """403 unless ``caller`` is a stored employee holding one of ``operation``'s roles."""
    try:
        employee = service.work(lambda tx: tx.employees.get(caller))
    except NotFound:
        raise ApiError(403, f"{caller} is not in the firm's staff: refused") from None
    if not service.engine.policy.effective_roles(employee.roles) & operation.roles:
        roles = ", ".join(sorted(operation.roles))
        raise ApiError(403, f"{operation.method} {operation.path} is for the roles {roles} only")


async def _body(request: Request) -> bytes:
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > MAX_BODY):
        raise ApiError(413, f"a body holds at most {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiError(413, f"a body holds at most {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _endpoint(service: Service, operation: Operation) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            caller = _caller(service, request)  # before the body is read
            if operation.roles:
                await run_in_threadpool(_authorize, service, caller, operation)
            raw = await _body(request)
            data = None
            if operation.body is not None and (raw.strip() or not operation.optional_body):
                data = parse_json(raw)
            call = Call(
                caller,
                data,
                dict(request.path_params),
                {k: request.query_params[k] for k in operation.query if k in request.query_params},
                request.headers.get("idempotency-key"),
            )
            status, payload = await run_in_threadpool(operation.handler, service, call)
        except Exception as exc:
            return error_response(exc)
        return JSONResponse(payload, status)

    endpoint.__name__ = operation.handler.__name__
    return endpoint


async def _http_error(_request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _errors(exc.status_code, [f"{exc.detail} @ $"])
    return error_response(exc)


def create_app(config: Config | None = None) -> Starlette:
    """The application for ``config`` (from the environment when None)."""
    service = Service(config if config is not None else Config.from_env())
    document = openapi_document(service.engine, OPERATIONS)

    async def openapi(_request: Request) -> Response:
        return JSONResponse(document)

    async def health(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    routes = [Route("/openapi.json", openapi), Route("/health", health)]
    for operation in OPERATIONS:
        endpoint = _endpoint(service, operation)
        routes.append(Route(operation.path, endpoint, methods=[operation.method]))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        try:
            service.log.flush()
        finally:
            service.store.dispose()

    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _http_error},
        lifespan=lifespan,
    )
    app.state.service = service
    return app
