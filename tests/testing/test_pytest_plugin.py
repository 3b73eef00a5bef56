"""The pytest plugin: silent unless asked; one item per property; readable failures."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

PLUGIN = "agency_core.testing.pytest_plugin"
FIRM_PLUGIN = '''
from agency_core import hookimpl
from agency_core.builtin import segregation


@hookimpl
def agency_check_step(check, policy):
    """The firm's segregation plugin, which forgot SOD-01."""
    for finding in segregation.agency_check_step(check=check, policy=policy):
        if finding.control != "SOD-01":
            yield finding


@hookimpl
def agency_check_duty(check, policy):
    return segregation.agency_check_duty(check=check, policy=policy)


@hookimpl
def agency_check_role_grant(check, policy):
    return segregation.agency_check_role_grant(check=check, policy=policy)
'''
FAST = ["-p", "no:cacheprovider", "--hypothesis-seed=0", "--agency-max-examples=25"]


def _load() -> list[str]:
    """Load the plugin by hand when the venv's metadata lacks the pytest11 entry point."""
    installed = entry_points(group="pytest11", name="agency_core")
    return [] if installed else ["-p", PLUGIN]


def test_importing_the_plugin_and_the_core_does_not_import_hypothesis() -> None:
    code = f"import sys, agency_core, {PLUGIN}; sys.exit('hypothesis' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_silent_without_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_one():\n    pass\n")
    result = pytester.runpytest(*_load(), "-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1)
    assert "agency-conformance" not in result.stdout.str()


def test_options_are_listed_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*_load(), "--help")
    result.stdout.fnmatch_lines(
        ["*--agency-conformance=MODULE*", "*--agency-block=NAME*", "*--agency-max-examples=N*"]
    )


def test_a_conforming_plugin_passes_every_property(pytester: pytest.Pytester) -> None:
    from agency_core.testing.conformance import PROPERTIES

    pytester.makepyfile(firm_observer="from agency_core import hookimpl\n")
    pytester.syspathinsert()
    result = pytester.runpytest(
        *_load(),
        *FAST,
        "--agency-conformance=firm_observer",
        "-m",
        "agency_conformance",
        "-v",
    )
    result.stdout.fnmatch_lines(
        ["*agency-conformance?firm_observer?::SOD-01?no-self-approval? PASSED*"]
    )
    result.assert_outcomes(passed=len(PROPERTIES))


def test_a_broken_plugin_fails_its_control_with_the_counterexample(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(firm_segregation=FIRM_PLUGIN)
    pytester.syspathinsert()
    result = pytester.runpytest(
        *_load(),
        *FAST,
        "--agency-conformance=firm_segregation",
        "--agency-block=agency_core.builtin.segregation",
        "-k",
        "SOD",
    )
    result.assert_outcomes(passed=3, failed=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(
        [
            "*SOD-01 must deny with SOD-01, got allow*",
            "*counterexample: StepCheck(request=ApprovalRequest(*",
            '*request (JSON): {"kind": "step", *',
            "FAILED *SOD-01?no-self-approval*",
        ]
    )


def test_collection_counts_one_item_per_property(pytester: pytest.Pytester) -> None:
    from agency_core.testing.conformance import PROPERTIES

    pytester.makepyfile(firm_observer="from agency_core import hookimpl\n")
    pytester.makepyfile(test_own="def test_one():\n    pass\n")
    pytester.syspathinsert()
    result = pytester.runpytest(*_load(), "--co", "--agency-conformance=firm_observer")
    result.stdout.fnmatch_lines(
        [f"collected {len(PROPERTIES) + 1} items", "*<ConformanceItem APR-01?route-oracle?>*"]
    )
    result.stdout.fnmatch_lines([f"*{len(PROPERTIES) + 1} tests collected*"])


def test_the_profile_option_is_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*_load(), "--help")
    result.stdout.fnmatch_lines(["*--agency-profile={default,thorough}*"])


def test_an_unknown_plugin_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*_load(), "--agency-conformance=no_such_module_x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--agency-conformance=no_such_module_x: cannot load it*"])
