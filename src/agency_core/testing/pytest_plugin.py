"""pytest plugin: ``pytest --agency-conformance=my_plugin`` runs the conformance suite.

Loaded in every pytest run through the ``pytest11`` entry point, so it only adds options until
``--agency-conformance`` is given; Hypothesis and the suite are imported only then. Each property
becomes a test item named after its control, such as
``agency-conformance[my_plugin]::SOD-01[no-self-approval]``, marked ``agency_conformance`` so that
``-m agency_conformance`` runs the suite alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from agency_core.testing.databases import backends, scratch_database

if TYPE_CHECKING:
    from agency_core.testing.conformance import Property, Subject

MARK = "agency_conformance"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agency-core", "agency-core conformance suite")
    group.addoption(
        "--agency-conformance",
        action="append",
        default=[],
        metavar="MODULE[:OBJECT]",
        help="run the agency-core conformance suite on this plugin (repeat for a set)",
    )
    group.addoption(
        "--agency-block",
        action="append",
        default=[],
        metavar="NAME",
        help="a bundled plugin the plugins under test replace, e.g. agency_core.builtin.approvals",
    )
    group.addoption(
        "--agency-profile",
        choices=("default", "thorough"),
        default="default",
        help="default: every change, one plugin set in under a minute; thorough: nightly, "
        "25 times the examples and every enumeration",
    )
    group.addoption(
        "--agency-max-examples",
        type=int,
        default=None,
        metavar="N",
        help="Hypothesis examples per property (default: the profile's)",
    )
    group.addoption(
        "--agency-policy",
        default=None,
        metavar="PATH",
        help="the policy file to check under (default: the bundled default policy)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARK}: an agency-core conformance property")
    specs: list[str] = config.getoption("agency_conformance")
    if specs:
        config.pluginmanager.register(_Suite(config, specs), "agency-conformance-suite")


def load_plugin(spec: str) -> object:
    """The plugin ``module`` or ``module:object`` names; a usage error when it cannot load."""
    module_name, _, attr = spec.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in filter(None, attr.split(".")):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise pytest.UsageError(f"--agency-conformance={spec}: cannot load it ({exc})") from None
    return found


class _Suite:
    """Adds one item per property once collection is done."""

    def __init__(self, config: pytest.Config, specs: list[str]) -> None:
        from agency_core.errors import AgencyError
        from agency_core.policy import load_policy
        from agency_core.testing.conformance import Subject

        path = config.getoption("agency_policy")
        try:
            policy = load_policy(path) if path else None
            self.subject = Subject(
                [load_plugin(s) for s in specs], policy, config.getoption("agency_block")
            )
        except AgencyError as exc:
            raise pytest.UsageError(f"agency conformance: {exc}") from None
        self.name = f"agency-conformance[{','.join(specs)}]"
        self.profile: str = config.getoption("agency_profile")
        self.max_examples: int | None = config.getoption("agency_max_examples")

    @pytest.hookimpl(tryfirst=True)  # before -m and -k deselect
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        from agency_core.testing.conformance import all_properties

        suite = _Collector.from_parent(session, name=self.name, nodeid=self.name)
        added: list[pytest.Item] = []
        for prop in all_properties(self.subject):
            item = ConformanceItem.from_parent(
                suite,
                name=prop.key,
                prop=prop,
                subject=self.subject,
                profile=self.profile,
                max_examples=self.max_examples,
            )
            item.add_marker(MARK)
            added.append(item)
        items.extend(added)
        # count them in the "collected N items" header, as if collected from a file
        report = pytest.CollectReport(suite.nodeid, "passed", None, list(added))
        session.config.hook.pytest_collectreport(report=report)


class _Collector(pytest.Collector):
    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []


class ConformanceItem(pytest.Item):
    """One conformance property checked on the plugins under test."""

    def __init__(
        self,
        *,
        prop: Property,
        subject: Subject,
        profile: str,
        max_examples: int | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.prop = prop
        self.subject = subject
        self.profile = profile
        self.max_examples = max_examples

    def runtest(self) -> None:
        from hypothesis import settings

        from agency_core.testing.conformance import PROFILES, verify

        chosen = PROFILES[self.profile]
        examples = self.max_examples or chosen.max_examples
        verify(self.prop, self.subject, settings(max_examples=examples), thorough=chosen.thorough)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        from agency_core.testing.conformance import Violation

        if isinstance(excinfo.value, Violation):
            return f"{self.prop.title}\n{excinfo.value.describe()}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{self.prop.id}: {self.prop.title}"


@pytest.fixture(params=backends())
def agency_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, once on SQLite and once on the PostgreSQL of
    ``AGENCY_TEST_DATABASE_URL`` when it is set (a fresh schema, dropped afterwards)."""
    with scratch_database(request.param, tmp_path) as url:
        yield url
