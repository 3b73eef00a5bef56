"""The docs must follow the code (datasette's tests/test_docs.py is the model).

Fails when a hook is undocumented or its documented signature drifts from hookspecs.py, when a
control ID of the catalogue is missing from docs/controls.md, when a public name is missing from
the API reference, when a dotted name in the docs no longer resolves, or when an example in the
docs no longer gives the output shown.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest

import agency_core
from agency_core import hookspecs
from agency_core.engine import KINDS
from agency_core.plugins import make_manager

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONTROLS = ROOT.parent / "shared" / "CONTROLS.md"
FAMILIES = ("FEE", "APR", "SOD", "RET")
EXAMPLE_PAGES = (
    "index.md",
    "quickstart.md",
    "concepts.md",
    "hooks.md",
    "policy.md",
    "calendar.md",
)

FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
HOOK_HEADING = re.compile(r"^#{2,4} (?P<name>agency_\w+)\((?P<args>[^)]*)\)[ \t]*$", re.M)


def read(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def fences(text: str) -> list[tuple[str, str, int]]:
    """(info string, body, line number of the body) of every fenced block, in order."""
    return [
        (m["info"].strip(), m["body"], text.count("\n", 0, m.start("body")) + 1)
        for m in FENCE.finditer(text)
    ]


# -------------------------------------------------------------------------------------------------
# Hooks: docs/hooks.md documents every hook with its exact signature.
# -------------------------------------------------------------------------------------------------

_MANAGER = make_manager(builtins=False)
HOOKS = sorted(name for name in vars(_MANAGER.hook) if name.startswith("agency_"))


def spec_of(name: str) -> Any:
    return getattr(_MANAGER.hook, name).spec


def kind_of(name: str) -> str:
    if name.endswith("s") and hasattr(hookspecs, name[:-1]):  # a batch form: its single's kind
        name = name[:-1]
    if spec_of(name).opts.get("firstresult"):
        return "lookup"
    if name == "agency_addhooks" or name.startswith("agency_register_"):
        return "registration"
    return "check" if name.startswith("agency_check_") else "event"


def signature_of(name: str) -> str:
    """``name(arg: Type, ...) -> Return`` as written in hookspecs.py."""
    signature = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"{name}({params}) -> {signature.return_annotation}"


@pytest.fixture(scope="module")
def hook_sections() -> dict[str, tuple[str, str]]:
    """Each documented hook: (argument list of its heading, text of its section)."""
    text = read("hooks.md")
    headings = list(HOOK_HEADING.finditer(text))
    sections = {}
    for heading in headings:
        end = re.compile(r"^#{1,3} ", re.M).search(text, heading.end())
        sections[heading["name"]] = (heading["args"], text[heading.end() : end and end.start()])
    return sections


def test_there_are_hooks() -> None:
    assert len(HOOKS) >= 13, HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented(hook: str, hook_sections: dict[str, tuple[str, str]]) -> None:
    assert hook in hook_sections, f"docs/hooks.md has no heading '{hook}(...)'"
    assert f"(hook-{hook})=" in read("hooks.md"), f"docs/hooks.md has no label hook-{hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_arguments_match_the_spec(
    hook: str, hook_sections: dict[str, tuple[str, str]]
) -> None:
    args, section = hook_sections[hook]
    argnames = list(spec_of(hook).argnames)
    assert [a.strip() for a in args.split(",") if a.strip()] == argnames
    for arg in argnames:
        assert f"\n`{arg}`\n" in section, f"parameter {arg} of {hook} is not described"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_signature_matches_the_spec(
    hook: str, hook_sections: dict[str, tuple[str, str]]
) -> None:
    _args, section = hook_sections[hook]
    documented = [body.strip() for info, body, _ in fences(section) if info == "pyi"]
    assert documented == [signature_of(hook)]


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_kind_is_documented(hook: str, hook_sections: dict[str, tuple[str, str]]) -> None:
    _args, section = hook_sections[hook]
    assert f"Kind: **{kind_of(hook)}**" in section


def test_no_stale_hooks_in_the_docs(hook_sections: dict[str, tuple[str, str]]) -> None:
    assert sorted(set(hook_sections) - set(HOOKS)) == []


# -------------------------------------------------------------------------------------------------
# Controls: docs/controls.md has a row for every control of the four core families.
# -------------------------------------------------------------------------------------------------


def catalogue_ids() -> list[str]:
    if not CONTROLS.exists():
        pytest.skip(f"the control catalogue {CONTROLS} is not present")
    rows = re.findall(r"^\| ((?:FEE|APR|SOD|RET)-\d{2}) \|", CONTROLS.read_text("utf-8"), re.M)
    assert rows, f"no control rows found in {CONTROLS}"
    return rows


def documented_ids() -> list[str]:
    return re.findall(r"^\| ([A-Z]{3}-\d{2}) \|", read("controls.md"), re.M)


def test_every_core_control_is_in_controls_md() -> None:
    missing = sorted(set(catalogue_ids()) - set(documented_ids()))
    assert missing == [], f"docs/controls.md has no row for {missing}"


def test_controls_md_names_no_unknown_control() -> None:
    known = {*catalogue_ids(), "ENG-01"}
    documented = documented_ids()
    assert sorted(set(documented) - known) == []
    assert len(documented) == len(set(documented)), "a control has two rows"
    assert "ENG-01" in documented


def test_engine_control_is_the_one_the_engine_raises() -> None:
    source = inspect.getsource(importlib.import_module("agency_core.engine"))
    assert '"ENG-01"' in source


def test_controls_md_names_real_hooks() -> None:
    named = set(re.findall(r"`(agency_(?!core)\w+)`", read("controls.md")))
    assert named, "docs/controls.md names no hook"
    assert sorted(named - set(HOOKS)) == []


def resolve(dotted: str) -> object:
    """Import the longest importable module prefix of ``dotted``, then get the attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(dotted)


@pytest.mark.parametrize(
    "page", ["controls.md", "hooks.md", "concepts.md", "policy.md", "calendar.md"]
)
def test_dotted_names_in_the_docs_resolve(page: str) -> None:
    names = set(re.findall(r"`~?(agency_core(?:\.\w+)+)(?:\(\))?`", read(page)))
    names |= set(re.findall(r"\{\w+\}`(?:[^`<]*<)?~?(agency_core(?:\.\w+)+)>?`", read(page)))
    broken = []
    for name in sorted(names):
        try:
            resolve(name)
        except (ImportError, AttributeError):
            broken.append(name)
    assert broken == []


# -------------------------------------------------------------------------------------------------
# API reference: docs/api.md documents every public name, with autodoc inside eval-rst.
# -------------------------------------------------------------------------------------------------

AUTODOC = re.compile(
    r"^\.\. auto(?P<what>\w+):: (?P<target>\S+)\n(?P<options>(?:[ \t]+:.*\n)*)", re.M
)


def documented_objects() -> list[tuple[str, object]]:
    objects = []
    for match in AUTODOC.finditer(read("api.md")):
        target = match["target"]
        obj = resolve(target)
        objects.append((target, obj))
        if match["what"] != "module":
            continue
        members = re.search(r":members:(.*)", match["options"])
        if members is None:
            continue
        names = [n.strip() for n in members[1].split(",") if n.strip()]
        for name in names or getattr(obj, "__all__", ()):
            objects.append((f"{target}.{name}", getattr(obj, name)))
    return objects


def test_autodoc_targets_resolve() -> None:
    assert len(documented_objects()) > len(agency_core.__all__)


@pytest.mark.parametrize("name", agency_core.__all__)
def test_public_name_is_in_the_api_reference(name: str) -> None:
    public = getattr(agency_core, name)
    documented = [target for target, obj in documented_objects() if obj is public]
    assert documented, f"agency_core.{name} is not documented in docs/api.md"


@pytest.mark.parametrize(
    "module", ["agency_core.errors", "agency_core.policy", "agency_core.calendar"]
)
def test_module_api_is_documented(module: str) -> None:
    mod = importlib.import_module(module)
    documented = [obj for _target, obj in documented_objects()]
    missing = [n for n in mod.__all__ if not any(getattr(mod, n) is o for o in documented)]
    assert missing == [], f"{module}: {missing} not in docs/api.md"


def test_autodoc_runs_inside_eval_rst() -> None:
    """MyST parses the RST that autodoc generates as Markdown unless it runs inside eval-rst."""
    for page in sorted(DOCS.glob("*.md")):
        offending = [line for info, _b, line in fences(page.read_text("utf-8")) if "{auto" in info]
        assert offending == [], f"{page.name}: wrap autodoc directives in ```{{eval-rst}}"


# -------------------------------------------------------------------------------------------------
# Examples: every ```python block runs and every ```pycon block gives the output shown, in order,
# one namespace per page, in an empty working directory.
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": f"docs_{page.removesuffix('.md')}"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    ran = 0
    for info, body, line in fences(read(page)):
        if info == "python":
            code = compile("\n" * (line - 1) + body, str(DOCS / page), "exec")
            exec(code, namespace)
        elif info == "pycon":
            test = parser.get_doctest(body, namespace, f"{page}:{line}", str(DOCS / page), line)
            result = runner.run(test, clear_globs=False)
            namespace.update(test.globs)  # DocTest works on a copy of the namespace
            assert result.failed == 0, f"{page}, block at line {line}: see the output above"
        else:
            continue
        ran += 1
    assert ran, f"{page} has no examples"


def test_json_requests_in_the_docs_are_valid() -> None:
    codec = pytest.importorskip("agency_core.codec")
    engine = agency_core.Engine()
    requests = []
    for page in ("cli.md", "quickstart.md"):
        for info, body, _line in fences(read(page)):
            if info == "json" and '"kind"' in body:
                requests.append(json.loads(body))
    assert requests
    for data in requests:
        assert data["kind"] in KINDS
        engine.decide(codec.request_from_json(data))


# -------------------------------------------------------------------------------------------------
# CLI: docs/cli.md names every command and option of `agency`.
# -------------------------------------------------------------------------------------------------


def cli_commands() -> list[tuple[str, Any]]:
    cli = pytest.importorskip("agency_core.cli")
    found = []

    def walk(command: Any, path: str) -> None:
        found.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, f"{path} {name}")

    walk(cli.main, "agency")
    return found


def test_cli_commands_are_documented() -> None:
    text = read("cli.md")
    missing = [path for path, _c in cli_commands() if path != "agency" and f"`{path}" not in text]
    assert missing == []


def test_cli_options_are_documented() -> None:
    text = read("cli.md")
    missing = []
    for path, command in cli_commands():
        for param in command.params:
            for opt in [*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())]:
                if opt.startswith("--") and opt != "--help" and opt not in text:
                    missing.append(f"{path} {opt}")
    assert missing == []


# -------------------------------------------------------------------------------------------------
# README: the embedding snippet runs as written and type-checks under mypy --strict.
# -------------------------------------------------------------------------------------------------


def readme_python() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    python = [body for info, body, _line in fences(text) if info == "python"]
    assert python, "README.md has no python block"
    return python


def test_the_readme_snippet_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no policy.toml or anything else to lean on
    for body in readme_python():
        exec(compile(body, str(ROOT / "README.md"), "exec"), {"__name__": "readme"})
    shown = [
        line.split("#", 1)[1].strip()
        for line in readme_python()[0].splitlines()
        if line.startswith("print(") and "#" in line
    ]
    out = capsys.readouterr().out.splitlines()
    for expected in shown:
        assert expected in out, f"README.md promises {expected}, the snippet printed {out}"


def test_the_readme_snippet_type_checks_strictly(tmp_path: Path) -> None:
    mypy_api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "readme_snippet.py"
    snippet.write_text("\n\n".join(readme_python()), encoding="utf-8")
    out, err, status = mypy_api.run(
        ["--strict", "--cache-dir", str(ROOT / ".mypy_cache"), str(snippet)]
    )
    assert status == 0, out + err
