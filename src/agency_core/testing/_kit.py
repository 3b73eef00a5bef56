"""The conformance kit's building blocks: the subject under test, a property, a violation.

A :class:`Property` is a plain record, so a department plugin can declare its own under its own
control IDs and pass them to :func:`agency_core.testing.conformance.check` (``properties=``).
"""

from __future__ import annotations

import copy
import importlib
import json
import shutil
import tempfile
import types
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
from hypothesis import strategies as st

from agency_core.codec import request_to_json
from agency_core.decision import Decision, Outcome, Severity
from agency_core.engine import Engine
from agency_core.plugins import BUILTINS, plugin_name
from agency_core.policy import Policy, default_policy

if TYPE_CHECKING:
    from agency_core.store import Store

__all__ = ["Property", "Subject", "Violation", "as_json", "denies", "expect"]

MAX_JSON: Final = 4000
"""Characters of a counterexample's JSON shown in a report."""


class Subject:
    """The plugins under test composed with the bundled plugins they do not block.

    :param plugins: plugin modules or objects, registered after the bundled ones.
    :param policy: the reference policy to check under; the bundled default when None.
    :param block: names of bundled plugins the ``plugins`` replace.
    """

    def __init__(
        self,
        plugins: Iterable[object] = (),
        policy: Policy | None = None,
        block: Iterable[str] = (),
    ) -> None:
        self.plugins = tuple(plugins)
        self._pristine = tuple(_copy(p) for p in self.plugins)
        self.policy = policy if policy is not None else default_policy()
        self.block = tuple(block)
        self.engine = self.build()
        bundled = [importlib.import_module(m) for m in BUILTINS if m not in self.block]
        self.composition: tuple[object, ...] = (*bundled, *self.plugins)
        """Every registered plugin in registration order."""
        self._engines: dict[object, Engine] = {}
        self._store: Store | None = None

    def build(
        self,
        plugins: Iterable[object] | None = None,
        builtins: bool = True,
        policy: Policy | None = None,
    ) -> Engine:
        """A fresh engine of the subject (or of ``plugins``, or under ``policy``, instead)."""
        chosen = self.plugins if plugins is None else tuple(plugins)
        return Engine(policy or self.policy, plugins=chosen, block=self.block, builtins=builtins)

    def fresh(self) -> Engine:
        """A fresh engine of copies of the plugins as they were given (modules are shared: they
        cannot be copied), so a plugin keeping state starts from none."""
        return self.build([_copy(p) for p in self._pristine])

    def reordered(self, order: Sequence[int]) -> Engine:
        """An engine registering the same plugins in the order ``order`` of :attr:`composition`."""
        key = ("order", tuple(order))
        if key not in self._engines:
            chosen = [self.composition[i] for i in order]
            self._engines[key] = self.build(chosen, builtins=False)
        return self._engines[key]

    def under(self, policy: Policy) -> Engine:
        """The subject's plugins under another policy (one engine per policy, kept)."""
        key = ("policy", policy.sha256, id(policy))
        if key not in self._engines:
            self._engines[key] = self.build(policy=policy)
        return self._engines[key]

    def scratch_store(self) -> Store:
        """A scratch SQLite store of the subject's engine, every migration branch applied: for
        properties of rules that live in a sweep. One per subject (empty the tables a property
        seeds), deleted with the subject."""
        if self._store is None:
            from agency_core.store import open as open_store

            folder = tempfile.mkdtemp(prefix="agency-kit-")
            store = open_store(f"sqlite:///{folder}/kit.db", engine=self.engine)
            weakref.finalize(self, _remove, store, folder)
            store.upgrade()
            self._store = store
        return self._store

    def __repr__(self) -> str:
        names = ", ".join(plugin_name(p) for p in self.plugins) or "bundled plugins"
        return f"Subject({names}; policy {self.policy.version}; block {list(self.block)})"


def _remove(store: Store, folder: str) -> None:
    store.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def _copy(plugin: object) -> object:
    if isinstance(plugin, types.ModuleType):
        return plugin
    try:
        return copy.deepcopy(plugin)
    except Exception:  # an object that cannot be copied is shared, like a module
        return plugin


def as_json(example: object) -> str:
    """A counterexample as JSON: a request in the codec's form, a tuple as a list of them."""

    def convert(value: object) -> object:
        if isinstance(value, tuple | list):
            return [convert(v) for v in value]
        try:
            return request_to_json(value)
        except (StopIteration, TypeError, ValueError, AttributeError):
            return repr(value)

    text = json.dumps(convert(example), ensure_ascii=False, default=str)
    return text if len(text) <= MAX_JSON else text[:MAX_JSON] + " ..."


class Violation(AssertionError):
    """A property does not hold: the control, what went wrong, the request and the decisions."""

    def __init__(
        self, control: str, problem: str, example: object, decisions: Sequence[Decision] = ()
    ) -> None:
        self.control = control
        self.problem = problem
        self.example = example
        self.decisions = tuple(decisions)
        super().__init__(self.describe())

    def describe(self) -> str:
        """The control, the problem, the counterexample (repr and JSON) and each decision."""
        lines = [
            f"{self.control} {self.problem}",
            f"counterexample: {self.example!r}",
            f"request (JSON): {as_json(self.example)}",
        ]
        for decision in self.decisions:
            route = f" route {list(decision.route.roles)}" if decision.route else ""
            lines.append(f"decision: {decision.outcome.value}{route}")
            lines += [
                f"  {f.control} {f.severity.value} [{f.plugin}] {f.message()}"
                for f in decision.findings
            ]
        return "\n".join(lines)


def denies(decision: Decision, controls: Iterable[str]) -> bool:
    """Whether ``decision`` denies with a deny finding of one of ``controls``."""
    wanted = set(controls)
    return decision.outcome is Outcome.DENY and any(
        f.control in wanted and f.severity is Severity.DENY for f in decision.findings
    )


def expect(control: str, deny: bool, example: object, decision: Decision, why: str = "") -> None:
    """The oracle's verdict: ``decision`` denies with ``control`` exactly when ``deny``.

    When ``deny`` is False the decision must not deny with ``control`` (other controls may still
    deny for reasons of their own).
    """
    found = any(f.control == control and f.severity is Severity.DENY for f in decision.findings)
    if deny and not (found and decision.outcome is Outcome.DENY):
        problem = f"must deny with {control}, got {decision.outcome.value}"
    elif not deny and found:
        problem = f"must not deny with {control}"
    else:
        return
    raise Violation(control, f"{problem}{f' ({why})' if why else ''}", example, [decision])


@attrs.frozen
class Property:
    """One invariant of a control, checked on a :class:`Subject`.

    ``holds(subject, example)`` raises :class:`Violation` when the example breaks the invariant;
    it may use ``subject.engine`` (the engine under test) and ``subject.policy`` (the reference
    policy the oracle reads). ``examples(subject)`` gives a Hypothesis strategy of examples; when
    ``kinds`` names kinds of example (``("after", "never")``), it is called as
    ``examples(subject, kind)`` once per kind, each kind getting its share of the examples, so
    that no kind is left to chance;
    ``cases(subject, thorough)`` gives examples to check every one of, in order, before any
    sampling (an enumeration of a small space: every action x department x tier edge, every order
    of the plugins answering a lookup); ``thorough`` asks for the whole space where the default
    profile takes a cheaper part. Either may be None, not both.
    """

    id: str
    """The control ID failures are reported under (``APR-01``), or the engine promise."""
    name: str
    """A short slug, unique with the id: ``SOD-01[no-self-approval]``."""
    title: str
    examples: Callable[..., st.SearchStrategy[Any]] | None
    holds: Callable[[Subject, Any], None]
    cases: Callable[[Subject, bool], Iterable[Any]] | None = None
    kinds: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``ID[name]``, the pytest item name."""
        return f"{self.id}[{self.name}]"
