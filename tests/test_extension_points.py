"""A plugin brings its own hooks, kinds, machines, policy section, tables, sweeps and commands.

The toy plugin in tests/toy uses every extension point; each test breaks one thing a plugin
author can get wrong and checks it is refused loudly, naming who did it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from importlib import resources
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import agency_core.store as st
from agency_core import Employee, Engine, Money, Outcome, hookimpl
from agency_core.cli import main
from agency_core.codec import request_from_json, request_schema
from agency_core.errors import InvalidInput, NotFound, PluginError, PolicyError
from agency_core.hookspecs import hookspec
from agency_core.kinds import Kind
from agency_core.policy import parse_policy
from agency_core.store.audit import run_audit
from agency_core.testing.databases import backends, migrations_match_models, scratch_database
from agency_core.transitions import StateMachine, TransitionCheck
from tests.toy import plugin as toy

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
CLERK = Employee("E1", "admin")


def gift(value: str = "100") -> toy.Gift:
    return toy.Gift("G1", "E1", Money(value, "CNY"))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(plugins=[toy])


def test_a_plugin_kind_is_decided_like_a_core_one(engine: Engine) -> None:
    assert engine.decide(gift("100")).outcome is Outcome.ALLOW
    denied = engine.decide(gift("250"))
    assert denied.kind == "gift"
    assert denied.controls == {"GFT-01"}
    assert "超过上限" in denied.findings[0].message("zh-CN")
    assert engine.decide_many([gift("250"), gift("1")]) == [denied, engine.decide(gift("1"))]
    assert engine.actor_of(gift()) == "E1"


def test_a_plugin_kind_reads_and_writes_json(engine: Engine) -> None:
    data = {
        "kind": "gift",
        "id": "G1",
        "employee": "E1",
        "value": {"amount": "9", "currency": "CNY"},
    }
    assert request_from_json(data, engine) == gift("9")
    with pytest.raises(InvalidInput, match="kind must be one of"):
        request_from_json(data)  # the core alone does not know the kind
    kinds = [v["properties"]["kind"]["const"] for v in request_schema(engine)["oneOf"]]
    assert "gift" in kinds
    assert "gift" not in [v["properties"]["kind"]["const"] for v in request_schema()["oneOf"]]


def test_the_cli_decides_plugin_kinds(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    (tmp_path / "gift.json").write_text(
        json.dumps(
            {
                "kind": "gift",
                "id": "G1",
                "employee": "E1",
                "value": {"amount": "900", "currency": "CNY"},
            }
        )
    )
    monkeypatch.setattr("agency_core.cli.Settings.engine", lambda self, **_: Engine(plugins=[toy]))
    result = CliRunner().invoke(main, ["decide", str(tmp_path / "gift.json")])
    assert result.exit_code == 3, result.output
    assert json.loads(result.output)["findings"][0]["control"] == "GFT-01"


def test_a_policy_section_has_defaults_overrides_and_paths(engine: Engine) -> None:
    assert engine.policy.section("gifts", toy.GiftPolicy) == toy.GiftPolicy()
    assert engine.policy.sha256 != Engine().policy.sha256  # the section is part of the hash
    data = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")
    lowered = parse_policy((data + "\n[plugins.gifts]\nlimit = 1000\n").encode(), "firm.toml")
    firm = Engine(lowered, plugins=[toy])
    assert firm.decide(gift("250")).outcome is Outcome.ALLOW
    assert firm.policy.sha256 != engine.policy.sha256
    bad = parse_policy((data + '\n[plugins.gifts]\nlimit = "many"\n').encode(), "firm.toml")
    with pytest.raises(PolicyError, match=r"\$\.plugins\.gifts\.limit"):
        Engine(bad, plugins=[toy])
    unknown = parse_policy((data + "\n[plugins.presents]\nlimit = 1\n").encode(), "firm.toml")
    with pytest.raises(
        PolicyError, match=r"no registered plugin declares .* \$\.plugins\.presents"
    ):
        Engine(unknown, plugins=[toy])


def test_transitions_are_checked_by_their_machine_and_guards(engine: Engine) -> None:
    def move(to: str, data: object = None, history: tuple = ()) -> TransitionCheck:
        return TransitionCheck("gift", "G1", "received", to, CLERK, NOW, data, history)

    assert engine.decide(move("kept")).outcome is Outcome.ALLOW
    assert engine.decide(move("returned")).controls == {"GFT-03"}
    assert engine.decide(move("returned", toy.ReturnFacts(True))).outcome is Outcome.ALLOW
    with pytest.raises(InvalidInput, match="from received it may go to: kept, returned"):
        engine.decide(move("lost"))
    with pytest.raises(InvalidInput, match="no state machine for 'parcel'"):
        engine.decide(TransitionCheck("parcel", "P1", "new", "done", CLERK, NOW))
    with pytest.raises(InvalidInput, match="must be a ReturnFacts"):
        engine.decide(move("returned", SimpleNamespace(returned_to_donor=True)))


def test_clashing_names_are_refused_naming_both() -> None:
    twin = SimpleNamespace(
        __name__="twin",
        agency_register_kinds=hookimpl(
            lambda register: register(Kind("gift", toy.Gift, "agency_check_gift"))
        ),
    )
    with pytest.raises(
        PluginError,
        match=r"kind 'gift' is registered by both (twin and tests.toy.plugin|tests.toy.plugin and twin)",
    ):
        Engine(plugins=[toy, twin])

    class Specs:
        @hookspec
        def agency_check_gift(self, check: object, policy: object) -> None:
            """Another plugin's hook of the same name."""

    rival = SimpleNamespace(
        __name__="rival",
        agency_addhooks=hookimpl(lambda pluginmanager: pluginmanager.add_hookspecs(Specs)),
    )
    with pytest.raises(PluginError, match="agency_check_gift' is declared by both"):
        Engine(plugins=[toy, rival])
    machine = StateMachine("gift", "new", {"new": {"done"}})
    other = SimpleNamespace(
        __name__="other", agency_register_machines=hookimpl(lambda register: register(machine))
    )
    with pytest.raises(PluginError, match="state machine 'gift' is registered by both"):
        Engine(plugins=[toy, other])


def test_an_unmarked_agency_function_is_refused() -> None:
    def agency_check_charge(check: object, policy: object) -> None:
        return None

    forgetful = SimpleNamespace(__name__="forgetful", agency_check_charge=agency_check_charge)
    with pytest.raises(PluginError, match=r"forgetful.agency_check_charge .* not marked @hookimpl"):
        Engine(plugins=[forgetful])


def test_plugin_commands_join_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    import agency_core.cli as cli

    monkeypatch.setattr(cli.main, "_plugins_added", False)
    monkeypatch.setattr("agency_core.plugins.load_plugins_wanted", lambda: None)
    monkeypatch.setattr(
        "agency_core.plugins._load_entry_points",
        lambda manager, names: manager.register(toy, name="toy"),
    )
    try:
        result = CliRunner().invoke(cli.main, ["gifts"])
        assert result.exit_code == 0, result.output
        assert result.output == "no gifts\n"
    finally:
        cli.main.commands.pop("gifts", None)


@pytest.mark.parametrize("backend", backends())
def test_plugin_tables_migrate_and_sweep(backend: str, tmp_path) -> None:
    engine = Engine(plugins=[toy])
    with scratch_database(backend, tmp_path) as url:
        assert migrations_match_models(url, engine) == []
        store = st.open(url, engine=engine, clock=lambda: NOW)
        try:
            with store.transaction() as tx:
                tx.employees.put(CLERK)
                tx.session.add(toy.GiftRow(id="G9", employee=""))
                tx.tracked.open(
                    "G1", "gift", control="GFT-03", owner="E1", due_on=date(2026, 3, 1), key="k1"
                )
                tx.tracked.open(
                    "G2", "gift", control="GFT-03", owner="E1", due_on=date(2026, 3, 9), key="k2"
                )
            found = {f.control: (f.count, f.sample) for f in run_audit(store, on=date(2026, 3, 2))}
            assert found["GFT-02"] == (1, ("G9",))
            assert found["GFT-03"] == (1, ("G1",))
            with pytest.raises(st.Refused), store.transaction() as tx:
                tx.tracked.move("G1", "returned", "E1", key="m1")
            with store.transaction() as tx:
                moved = tx.tracked.move(
                    "G1", "returned", "E1", key="m2", data=toy.ReturnFacts(True)
                )
            assert (moved.state, moved.open, len(moved.history)) == ("returned", False, 1)
            found = {f.control: f.count for f in run_audit(store, on=date(2026, 3, 2))}
            assert found["GFT-03"] == 0
        finally:
            store.dispose()


def test_a_plugin_failing_while_it_adds_hooks_is_named() -> None:
    def agency_addhooks(pluginmanager: object) -> None:
        raise RuntimeError("spec module missing")

    broken = SimpleNamespace(__name__="broken", agency_addhooks=hookimpl(agency_addhooks))
    with pytest.raises(PluginError, match="plugin 'broken' failed while registering"):
        Engine(plugins=[broken])


def test_the_same_plugin_named_twice_is_registered_once() -> None:
    assert Engine(plugins=[toy, toy]).decide(gift("250")).controls == {"GFT-01"}


def test_a_tracked_item_is_owned_by_an_employee(tmp_path) -> None:
    store = st.open(f"sqlite:///{tmp_path}/agency.db", engine=Engine(plugins=[toy]))
    store.upgrade()
    try:
        with pytest.raises(NotFound), store.transaction() as tx:
            tx.tracked.open(
                "G1", "gift", control="GFT-03", owner="nobody", due_on=date(2026, 3, 1), key="k"
            )
    finally:
        store.dispose()


def test_policy_text_instead_of_bytes_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="must be bytes"):
        parse_policy("[policy]")  # type: ignore[arg-type]


def test_a_plugin_scene_joins_the_demo(tmp_path) -> None:
    from io import StringIO

    from rich.console import Console

    from agency_core.demo import run

    out = StringIO()
    run(
        lambda **options: Engine(plugins=[toy, *options["plugins"]]),
        Console(file=out, width=100),
        "en",
        None,
    )
    text = out.getvalue()
    assert "Gifts: one returned" in text
    assert "a gift of 250 CNY was returned to its donor" in text
    assert text.index("Gifts: one returned") < text.index("The decision log")


def test_a_machine_gives_shortest_paths_around_a_state() -> None:
    machine = StateMachine(
        "case", "new", {"new": {"review", "fast"}, "review": {"done"}, "fast": {"done"}}
    )
    assert machine.paths("new") == {
        "new": "new",
        "fast": "new",
        "review": "new",
        "done": "fast",
    }
    assert machine.paths("new", avoid="fast") == {"new": "new", "review": "new", "done": "review"}
    assert machine.paths("done") == {"done": "done"}
