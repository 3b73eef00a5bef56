"""Load a policy file: parse TOML, structure with cattrs, check the invariants, compile."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cattrs

from agency_core.calendar import (
    WorkingCalendar,
    bundled_calendar,
    read_calendar,
    schedule_problems,
)
from agency_core.convert import converter, error_lines
from agency_core.decision import RouteStep
from agency_core.entities import Role
from agency_core.entities import _fields as _f
from agency_core.entities.money import CURRENCIES
from agency_core.errors import PolicyError
from agency_core.policy.compiled import (
    ConflictSet,
    Destruction,
    Matrix,
    Policy,
    RetentionRule,
    lower_approvals,
)
from agency_core.policy.model import ActionSpec, Basis, PolicyFile, TierSpec

__all__ = ["default_policy", "load_policy", "parse_policy"]

# Bounds: what the engine and the store can hold, checked before anything is built.
MAX_BYTES = 1_000_000
MAX_DEPTH = 12
MAX_ITEMS = 256
"""Entries of one table or array (roles, actions, tiers, conflicts, classes...)."""
MAX_STRING = 1_000
MAX_INT = 10**15
MAX_DUTIES = 32
"""Duties in one dynamic conflict (SOD-03): each pair becomes a compiled conflict."""
MAX_INHERITANCE = 16
"""Longest chain of role inheritance."""
MAX_YEARS = 1_000
"""Longest retention period (dates stay within the calendar's year 9999)."""
MAX_VERSION = 64
"""The decision log stores the policy version in 64 characters."""
MAX_PREFIX = 16
"""The registry stores a number prefix in 16 characters (RET-05)."""


def parse_policy(data: bytes, source: str = "<policy>", *, base: Path | None = None) -> Policy:
    """Parse, check and compile policy TOML ``data``; ``source`` names it in errors.

    A relative ``[calendar] file`` is found in the folder ``base`` (default: the working folder);
    the SHA-256 then covers the policy's bytes followed by the calendar file's.
    """
    if not isinstance(data, bytes):
        raise PolicyError(source, [f"policy data must be bytes, not {type(data).__name__}"])
    if len(data) > MAX_BYTES:
        raise PolicyError(source, [f"a policy file is at most {MAX_BYTES} bytes, not {len(data)}"])
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyError(source, [f"not UTF-8 text: {exc}"]) from None
    except (tomllib.TOMLDecodeError, ValueError) as exc:  # ValueError: an integer too long
        raise PolicyError(source, [f"not valid TOML: {str(exc)[:200]}"]) from None
    except RecursionError:
        raise PolicyError(source, [f"not valid TOML: nested deeper than {MAX_DEPTH}"]) from None
    size = list(_size_problems(raw, "$", 0))
    if size:
        raise PolicyError(source, size[:20])
    try:
        spec = converter.structure(raw, PolicyFile)
    except cattrs.BaseValidationError as exc:
        raise PolicyError(source, error_lines(exc)) from None
    problems = list(_invariants(spec))
    if problems:
        raise PolicyError(source, problems)
    calendar, calendar_data = _calendar(spec, source, base)
    return _compile(spec, hashlib.sha256(data + calendar_data).hexdigest(), source, calendar)


def load_policy(path: str | Path) -> Policy:
    """Load the policy file at ``path``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    return parse_policy(data, str(path), base=path.parent)


@cache
def default_policy() -> Policy:
    """The bundled default policy: every default number of CONTROLS.md."""
    data = resources.files("agency_core.policy").joinpath("default.toml").read_bytes()
    return parse_policy(data, "agency_core:default.toml")


@cache
def statutory_minimums() -> dict[str, RetentionRule]:
    """The statutory retention minimums (会计档案管理办法 2015, RET-01) no policy may go below."""
    data = resources.files("agency_core.policy").joinpath("statutory.toml").read_bytes()
    table = tomllib.loads(data.decode("utf-8"))["minimums"]
    return {
        name: RetentionRule(name, None if years == "permanent" else int(years), Basis(basis))
        for name, (years, basis) in ((k, (v["years"], v["basis"])) for k, v in table.items())
    }


# --------------------------------------------------------------------------------------------------
# Invariants: each problem is one line ending with the path where it is.
# --------------------------------------------------------------------------------------------------


def _invariants(spec: PolicyFile) -> Iterator[str]:
    meta = spec.policy
    if meta.currency not in CURRENCIES:
        yield f"unknown ISO 4217 currency {meta.currency!r} @ $.policy.currency"
    if meta.effective_to is not None and meta.effective_to <= meta.effective_from:
        yield "effective_to must be after effective_from @ $.policy.effective_to"
    if len(meta.version) > MAX_VERSION or not meta.version.strip():
        yield f"version must be 1..{MAX_VERSION} characters @ $.policy.version"
    if not meta.version.isprintable():
        yield "version must not hold control characters @ $.policy.version"
    if not 1 <= meta.fiscal_year_start_month <= 12:
        yield "fiscal_year_start_month must be 1..12 @ $.policy.fiscal_year_start_month"
    if not _zone_exists(meta.timezone):
        yield f"unknown IANA time zone {meta.timezone!r} @ $.policy.timezone"
    roles = set(spec.roles)
    yield from _role_problems(spec, roles)
    yield from _approval_problems(spec, roles)
    yield from _delegation_problems(spec, roles)
    yield from _segregation_problems(spec, roles)
    yield from _retention_problems(spec, roles)
    yield from schedule_problems(spec.calendar.years, "$.calendar.years")


def _zone_exists(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _size_problems(value: object, path: str, depth: int) -> Iterator[str]:
    """Values too deep, too many, too long or too large to be a policy, before structuring."""
    if depth > MAX_DEPTH:
        yield f"nested deeper than {MAX_DEPTH} @ {path}"
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            yield f"at most {MAX_ITEMS} entries, not {len(value)} @ {path}"
        for key, item in value.items():
            if len(key) > MAX_STRING:
                yield f"a key longer than {MAX_STRING} characters @ {path}"
            else:
                yield from _size_problems(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            yield f"at most {MAX_ITEMS} entries, not {len(value)} @ {path}"
        for index, item in enumerate(value):
            yield from _size_problems(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, str) and len(value) > MAX_STRING:
        yield f"at most {MAX_STRING} characters, not {len(value)} @ {path}"
    elif isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
        yield f"integer out of range (|n| <= 10^15) @ {path}"


def _unknown(names: list[str], roles: set[str], path: str) -> Iterator[str]:
    for index, name in enumerate(names):
        if name not in roles:
            yield f"unknown role {name!r} @ {path}[{index}]"


def _role_problems(spec: PolicyFile, roles: set[str]) -> Iterator[str]:
    for name, role in spec.roles.items():
        yield from _unknown(role.inherits, roles, f"$.roles.{name}.inherits")
    for name, problem in _inheritance(spec).items():
        yield f"role {name!r} {problem} @ $.roles.{name}.inherits"


def _inheritance(spec: PolicyFile) -> dict[str, str]:
    """Roles that inherit themselves or sit atop a chain too long: one walk, O(roles + links)."""
    depth: dict[str, int] = {}  # the longest chain below each finished role
    on_path: set[str] = set()
    problems: dict[str, str] = {}

    def walk(name: str) -> int:
        if name in depth:
            return depth[name]
        if name in on_path:
            problems.setdefault(name, "inherits itself (a cycle)")
            return 0
        on_path.add(name)
        below = [walk(parent) for parent in spec.roles[name].inherits if parent in spec.roles]
        on_path.discard(name)
        depth[name] = 1 + max(below, default=0)
        if depth[name] > MAX_INHERITANCE and name not in problems:
            problems[name] = f"heads an inheritance chain longer than {MAX_INHERITANCE}"
        return depth[name]

    for name in spec.roles:
        walk(name)
    return problems


def _closure(spec: PolicyFile, name: str) -> set[str]:
    """Every role ``name`` inherits, directly or not (the roles are checked acyclic first)."""
    found: set[str] = set()
    stack = list(spec.roles[name].inherits)
    while stack:
        role = stack.pop()
        if role not in found and role in spec.roles:
            found.add(role)
            stack.extend(spec.roles[role].inherits)
    return found


def _approval_problems(spec: PolicyFile, roles: set[str]) -> Iterator[str]:
    actions = spec.approval.actions
    if spec.approval.budget_action not in actions:
        yield f"budget action {spec.approval.budget_action!r} is not an action @ $.approval"
    borrowing = spec.approval.borrowing_action
    if borrowing is not None and borrowing not in actions:
        yield f"borrowing action {borrowing!r} is not an action @ $.approval"
    unranked = sorted(
        {
            role
            for action in actions.values()
            for tiers in (action.tiers, *action.departments.values())
            for tier in tiers
            for role in tier.route
            if role in spec.roles and spec.roles[role].rank is None
        }
    )
    for role in unranked:
        yield f"APR-03: role {role!r} approves on a route and needs a rank @ $.roles.{role}.rank"
    ranks = {name: role.rank for name, role in spec.roles.items() if role.rank is not None}
    for name, action in actions.items():
        path = f"$.approval.actions.{name}"
        yield from _unknown(action.starts_with, roles, f"{path}.starts_with")
        tier_problems = list(_tier_problems(action.tiers, roles, ranks, f"{path}.tiers"))
        yield from tier_problems
        yield from _start_problems(action, action.tiers, f"{path}.tiers")
        for department, tiers in action.departments.items():
            here = f"{path}.departments.{department}"
            own = list(_tier_problems(tiers, roles, ranks, here))
            yield from own
            yield from _start_problems(action, tiers, here)
            if not own and not tier_problems and not unranked:
                yield from _override_problems(action, tiers, ranks, here)


def _start_problems(action: ActionSpec, tiers: list[TierSpec], path: str) -> Iterator[str]:
    """APR-01: every route of the action begins with its ``starts_with`` roles, in order."""
    first = action.starts_with
    for index, tier in enumerate(tiers):
        begins = tier.route[: len(first)]
        if begins != first:
            yield (
                f"APR-01: every route of this action begins with {' then '.join(first)}, "
                f"not {' then '.join(begins) or 'nothing'} @ {path}[{index}].route"
            )


def _tier_problems(
    tiers: list[TierSpec], roles: set[str], ranks: Mapping[str, int], path: str
) -> Iterator[str]:
    if not tiers:
        yield f"an action needs at least one tier @ {path}"
        return
    for index, tier in enumerate(tiers):
        here = f"{path}[{index}]"
        yield from _unknown(tier.route, roles, f"{here}.route")
        if len(set(tier.route)) != len(tier.route):
            yield f"a route names a role twice (SOD-04 needs distinct steps) @ {here}.route"
        last = index == len(tiers) - 1
        if last and tier.max_amount is not None:
            yield f"the last tier must have no max_amount, so every amount has a route @ {here}"
        if not last and tier.max_amount is None:
            yield f"only the last tier may omit max_amount @ {here}.max_amount"
        if tier.max_amount is not None and tier.max_amount < 0:
            yield f"max_amount must not be negative @ {here}.max_amount"
        if index == 0:
            continue
        before = tiers[index - 1]
        if (
            tier.max_amount is not None
            and before.max_amount is not None
            and tier.max_amount <= before.max_amount
        ):
            yield (
                f"APR-03: tier bounds must increase, {tier.max_amount} follows "
                f"{before.max_amount} @ {here}.max_amount"
            )
        why = lower_approvals(tier.route, before.route, ranks)
        if why is not None:
            yield (
                f"APR-03: a larger amount may not need fewer or lower approvals; tier {index} "
                f"against tier {index - 1}: {why} @ {here}.route"
            )


def _tier_of(tiers: list[TierSpec], amount: Decimal | None, inclusive: bool) -> int:
    """The index of the tier ``amount`` falls in (None: above every bound)."""
    for index, tier in enumerate(tiers):
        bound = tier.max_amount
        if bound is None or (
            amount is not None and (amount <= bound if inclusive else amount < bound)
        ):
            return index
    return len(tiers) - 1


def _override_problems(
    action: ActionSpec, tiers: list[TierSpec], ranks: Mapping[str, int], path: str
) -> Iterator[str]:
    """APR-03 across an override: at every amount it needs no fewer or lower approvals than the
    firm-wide tiers, so (each tier list being monotonic) a larger amount in the department never
    needs less than a smaller one anywhere."""
    inclusive = action.bound == "inclusive"
    bounds = {t.max_amount for t in (*action.tiers, *tiers) if t.max_amount is not None}
    amounts: list[Decimal | None] = [Decimal(0), *sorted(bounds), None]
    for amount in amounts:
        own = _tier_of(tiers, amount, inclusive)
        firm = _tier_of(action.tiers, amount, inclusive)
        why = lower_approvals(tiers[own].route, action.tiers[firm].route, ranks)
        if why is not None:
            shown = "every amount above the bounds" if amount is None else f"amount {amount}"
            yield (
                f"APR-03: a department may not need fewer or lower approvals than the firm-wide "
                f"tiers; at {shown}, its tier {own} against firm-wide tier {firm}: {why} "
                f"@ {path}[{own}].route"
            )
            return


def _delegation_problems(spec: PolicyFile, roles: set[str]) -> Iterator[str]:
    for principal, delegates in spec.delegation.items():
        path = f"$.delegation.{principal}"
        if principal not in roles:
            yield f"unknown role {principal!r} @ {path}"
        yield from _unknown(delegates, roles, path)
        for index, delegate in enumerate(delegates):
            if delegate == principal:
                yield f"APR-06: a role cannot deputise for itself @ {path}[{index}]"
            elif delegate in spec.delegation:
                yield (
                    f"APR-06: delegation cannot be chained: {delegate!r} deputises for "
                    f"{principal!r} and has deputies of its own @ {path}[{index}]"
                )


def _segregation_problems(spec: PolicyFile, roles: set[str]) -> Iterator[str]:
    for index, conflict in enumerate(spec.segregation.static):
        path = f"$.segregation.static[{index}]"
        yield from _unknown(conflict.roles, roles, f"{path}.roles")
        if len(set(conflict.roles)) != len(conflict.roles):
            yield f"a conflict set names a role twice @ {path}.roles"
        if not 2 <= conflict.cardinality <= len(set(conflict.roles)):
            yield (
                f"SOD-02: cardinality must be at least 2 and at most the number of roles "
                f"({len(set(conflict.roles))}), got {conflict.cardinality} @ {path}.cardinality"
            )
    for index, duties in enumerate(spec.segregation.dynamic):
        if len(duties.duties) > MAX_DUTIES:
            yield (
                f"SOD-03: at most {MAX_DUTIES} duties in one dynamic conflict, not "
                f"{len(duties.duties)} @ $.segregation.dynamic[{index}].duties"
            )
        if len(set(duties.duties)) < 2:
            yield (
                f"SOD-03: a dynamic conflict needs two different duties "
                f"@ $.segregation.dynamic[{index}].duties"
            )


def _retention_problems(spec: PolicyFile, roles: set[str]) -> Iterator[str]:
    classes = spec.retention.classes
    for name, rule in classes.items():
        path = f"$.retention.classes.{name}"
        if rule.permanent == (rule.years is not None):
            yield f"give either years or permanent = true @ {path}"
        if rule.years is not None and not 1 <= rule.years <= MAX_YEARS:
            yield f"years must be 1..{MAX_YEARS} @ {path}.years"
        if len(rule.prefix) > MAX_PREFIX:
            yield f"prefix must be at most {MAX_PREFIX} characters (RET-05) @ {path}.prefix"
        if not re.fullmatch(r"[A-Z0-9]+", rule.prefix):
            yield f"prefix must be upper-case letters or digits (RET-05) @ {path}.prefix"
    prefixes = [rule.prefix for rule in classes.values()]
    if len(set(prefixes)) != len(prefixes):
        yield "RET-05: every record class needs its own number prefix @ $.retention.classes"
    for name, minimum in statutory_minimums().items():
        path = f"$.retention.classes.{name}"
        kept = classes.get(name)
        if kept is None:
            yield f"RET-01: the statutory class {name!r} is missing @ {path}"
            continue
        if kept.basis is not minimum.basis:
            yield f"RET-02: {name} counts from {minimum.basis.value}, by law @ {path}.basis"
        if minimum.years is None and not kept.permanent:
            yield f"RET-01: {name} must be kept permanently, by law @ {path}"
        elif minimum.years is not None and kept.years is not None and kept.years < minimum.years:
            yield (
                f"RET-01: {name} must be kept at least {minimum.years} years, not {kept.years} "
                f"@ {path}.years"
            )
    destruction = spec.retention.destruction
    yield from _unknown(destruction.approver_roles, roles, "$.retention.destruction.approver_roles")
    if destruction.min_supervisors < 2 or len(set(destruction.supervisor_departments)) < 2:
        yield (
            "RET-04: destruction needs at least two supervisors from two different departments "
            "@ $.retention.destruction"
        )
    if spec.retention.min_backups < 1:
        yield "RET-07: important records keep at least one backup @ $.retention.min_backups"


# --------------------------------------------------------------------------------------------------
# Compilation
# --------------------------------------------------------------------------------------------------


def _calendar(spec: PolicyFile, source: str, base: Path | None) -> tuple[WorkingCalendar, bytes]:
    """The bundled calendar, then the calendar file's years, then the policy's own
    ``[calendar.years]`` (each year given replaces the one before); and the file's bytes."""
    calendar, data = bundled_calendar(), b""
    if spec.calendar.file is not None:
        path = (base or Path.cwd()) / spec.calendar.file
        problem = None
        if path.exists() and not path.is_file():  # a folder, a FIFO, a device
            problem = "not a regular file"
        else:
            try:
                data = path.read_bytes()
            except OSError as exc:
                problem = str(exc.strerror or exc)
        if problem is not None:
            raise PolicyError(
                source, [f"cannot read the calendar file {path}: {problem} @ $.calendar.file"]
            )
        calendar = calendar.with_years(read_calendar(data, str(path)))
    return calendar.with_years({int(year): s for year, s in spec.calendar.years.items()}), data


def _compile(spec: PolicyFile, sha256: str, source: str, calendar: WorkingCalendar) -> Policy:
    roles = {
        name: Role(name, r.name_en, r.name_zh, r.scope, frozenset(r.inherits), r.rank)
        for name, r in spec.roles.items()
    }

    def matrix(action: str, control: str, inclusive: bool, tiers: list[TierSpec]) -> Matrix:
        bounds = tuple(t.max_amount for t in tiers if t.max_amount is not None)
        routes = tuple(tuple(RouteStep(role, roles[role].scope) for role in t.route) for t in tiers)
        return Matrix(action, control, inclusive, bounds, routes)

    matrices: dict[tuple[str, str | None], Matrix] = {}
    for name, action in spec.approval.actions.items():
        inclusive = action.bound == "inclusive"
        matrices[name, None] = matrix(name, action.control, inclusive, action.tiers)
        for department, tiers in action.departments.items():
            matrices[name, department] = matrix(name, action.control, inclusive, tiers)

    duty_conflicts: dict[str, set[str]] = {}
    names: dict[frozenset[str], tuple[str, str]] = {}
    for conflict in spec.segregation.dynamic:
        duties = set(conflict.duties)
        for duty in duties:
            duty_conflicts.setdefault(duty, set()).update(duties - {duty})
        for duty in duties:
            for other in duties - {duty}:
                names[frozenset((duty, other))] = (conflict.name, conflict.name_zh or conflict.name)

    return Policy(
        name=spec.policy.name,
        version=spec.policy.version,
        sha256=sha256,
        source=source,
        effective_from=spec.policy.effective_from,
        effective_to=spec.policy.effective_to,
        currency=spec.policy.currency,
        fiscal_year_start_month=spec.policy.fiscal_year_start_month,
        timezone=spec.policy.timezone,
        roles=roles,
        role_closure={name: frozenset({name} | _closure(spec, name)) for name in roles},
        matrices=matrices,
        budget_action=spec.approval.budget_action,
        borrowing_action=spec.approval.borrowing_action,
        delegates={p: frozenset(d) for p, d in spec.delegation.items()},
        static_conflicts=tuple(
            ConflictSet(c.name, frozenset(c.roles), c.cardinality, c.name_zh or c.name)
            for c in spec.segregation.static
        ),
        duty_conflicts={d: frozenset(o) for d, o in duty_conflicts.items()},
        duty_conflict_names=names,
        retention={
            name: RetentionRule(name, None if c.permanent else c.years, c.basis)
            for name, c in spec.retention.classes.items()
        },
        prefixes={name: c.prefix for name, c in spec.retention.classes.items()},
        destruction=Destruction(
            tuple(spec.retention.destruction.approver_roles),
            tuple(spec.retention.destruction.supervisor_departments),
            spec.retention.destruction.min_supervisors,
        ),
        min_backups=spec.retention.min_backups,
        calendar=calendar,
        plugin_tables=_frozen(spec.plugins),
    )


def _frozen(value: Any) -> Any:
    """TOML data made read-only all the way down: tables as frozen maps, arrays as tuples."""
    if isinstance(value, Mapping):
        return _f.frozen_map({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value
