"""The code's layout keeps its design (issue 20, DESIGN.md section 1): packages by
responsibility, imports one way, no circles, no Qt in the core, the CLI never importing the
window's code, and no function-level import in the core but those deferred on purpose."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
MAX_LOOSE = 8

# Every part of the program and its layer: a part imports only parts of a lower layer.
# A loose module of app/core is a part of its own.
LAYERS = {
    "app.core.paths": 0,
    "app.core.key_person_months": 0,
    "app.core.ledgers": 1,
    "app.core.periods": 2,
    "app.core.storage": 3,
    "app.core.error_text": 4,
    "app.core.safety": 5,
    "app.core.io": 5,
    "app.core.figures": 5,
    "app.core.exchange": 5,
    "app.core.report": 6,
    "app.core.returns": 6,
    "app.core.demo": 7,
    "app.core.checks": 7,
    "app.core": 8,  # the package's own __init__
    "app.cli": 9,
    "app.ui": 9,
    "app": 10,  # app/__main__.py chooses the face
}

# Function-level imports in app/core, deferred on purpose: (file, imported module) -> why.
DEFERRED = {
    ("app/core/report/build.py", "app.core.report.docx_writer"): "python-docx loads only when a report is written",
    ("app/core/storage/faults.py", "ctypes"): "Windows only: the drive type of a path",
    ("app/core/report/installed_fonts.py", "winreg"): "Windows only: the fonts the registry lists",
    ("app/core/exchange/pack.py", "importlib.metadata"): "slow to import; only a pack's header needs the version",
}
# Imports allowed for now against the rules below (none: the CLI no longer imports the window).
PENDING: set[tuple[str, str]] = set()
# Third-party libraries slow to import: loaded inside the functions that use them (start-up time).
HEAVY = {"openpyxl", "matplotlib", "cryptography", "python_calamine", "fontTools", "sqlite_utils", "docx"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool, bool]]:
    """(imported module, at function level, under TYPE_CHECKING) for every import of a file."""
    mod = _module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    found: list[tuple[str, bool, bool]] = []

    def visit(node: ast.AST, in_function: bool, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            fn = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            tc = typing_only or (
                isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING"
            )
            if isinstance(child, ast.Import):
                found.extend((a.name, in_function, typing_only) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                found.append((target, in_function, typing_only))
                for a in child.names:  # ``from app.core import catalog``: the module itself
                    sub = f"{target}.{a.name}"
                    if (APP.parent / (sub.replace(".", "/") + ".py")).exists() or (
                        APP.parent / sub.replace(".", "/")
                    ).is_dir():
                        found.append((sub, in_function, typing_only))
            visit(child, fn, tc)

    visit(ast.parse(path.read_text(encoding="utf-8")), False, False)
    return found


def _part(module: str) -> str | None:
    """The part (of LAYERS) a module of the program belongs to: its longest prefix."""
    best = None
    for part in LAYERS:
        if (module == part or module.startswith(part + ".")) and (best is None or len(part) > len(best)):
            best = part
    return best


def _files() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "__pycache__" not in p.parts)


def _edges() -> dict[tuple[str, str], list[str]]:
    """Part -> part imports (at any level, TYPE_CHECKING included), with where each is made."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in _files():
        src = _part(_module_name(path))
        for target, _fn, _tc in _imports(path):
            dst = _part(target) if target.startswith("app") else None
            if (path.relative_to(ROOT).as_posix(), target) in PENDING:
                continue
            if dst and src and dst != src and not (dst == "app.core" and target == "app.core"):
                edges.setdefault((src, dst), []).append(f"{path.relative_to(ROOT)} -> {target}")
    return edges


def test_at_most_eight_modules_loose_in_the_core():
    loose = sorted(p.stem for p in (APP / "core").glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE, loose


def test_every_part_of_the_core_has_its_layer():
    parts = {f"app.core.{p.stem}" for p in (APP / "core").glob("*.py") if p.name != "__init__.py"}
    parts |= {f"app.core.{p.name}" for p in (APP / "core").iterdir() if (p / "__init__.py").exists()}
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))


def test_imports_run_one_way_between_parts():
    wrong = [
        f"{src} (layer {LAYERS[src]}) imports {dst} (layer {LAYERS[dst]}): {where[0]}"
        for (src, dst), where in _edges().items()
        if LAYERS[dst] >= LAYERS[src]
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_circle_between_parts_or_modules():
    graph: dict[str, set[str]] = {}
    for path in _files():
        mod = _module_name(path)
        graph.setdefault(mod, set())
        for target, _fn, tc in _imports(path):
            if target.startswith("app") and not tc and target != mod:
                graph[mod].add(target)
    modules = set(graph)
    for mod in graph:  # a package's __init__ is not imported by importing its modules here
        graph[mod] = {t for t in graph[mod] if t in modules and not mod.startswith(t + ".")}
    seen: dict[str, int] = {}  # 1: on the path, 2: done
    stack: list[str] = []

    def visit(mod: str) -> None:
        seen[mod] = 1
        stack.append(mod)
        for nxt in sorted(graph[mod]):
            if seen.get(nxt) == 1:
                raise AssertionError("import circle: " + " -> ".join([*stack[stack.index(nxt) :], nxt]))
            if nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[mod] = 2

    for mod in sorted(graph):
        if mod not in seen:
            visit(mod)


def test_the_command_line_never_imports_the_window_and_the_core_never_qt():
    for path in _files():
        mod = _module_name(path)
        for target, _fn, _tc in _imports(path):
            if mod.startswith("app.cli") and (path.relative_to(ROOT).as_posix(), target) not in PENDING:
                assert not target.startswith("app.ui"), f"{path.relative_to(ROOT)} imports {target}"
            if mod.startswith("app.core"):
                assert not target.startswith(("PySide6", "shiboken6")), f"{path.relative_to(ROOT)} imports {target}"


def test_function_level_imports_in_the_core_are_deferred_on_purpose():
    stray = []
    for path in (APP / "core").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        for target, in_function, _tc in _imports(path):
            if not in_function or target.split(".")[0] in HEAVY:
                continue
            if (rel, target) not in DEFERRED and not any((rel, t) in DEFERRED for t in (target.rpartition(".")[0],)):
                stray.append(f"{rel}: {target}")
    assert not stray, "\n".join(sorted(stray))


def test_the_layout_test_can_fail():
    """The rules above catch what they are meant to: a made-up upward import is reported."""
    assert LAYERS["app.core.storage"] < LAYERS["app.core.safety"]
    assert _part("app.core.storage.store") == "app.core.storage"
    assert _part("app.core.checks") == "app.core.checks"
    assert ("app.core.checks", "app.core.report") in _edges()  # checks uses the report's checks


def test_the_readme_map_names_every_part_of_the_core():
    """README.md's "How the code is laid out" stays current with the tree."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    packages = [p.name + "/" for p in (APP / "core").iterdir() if (p / "__init__.py").exists()]
    loose = [p.name for p in (APP / "core").glob("*.py") if p.name != "__init__.py"]
    missing = [name for name in packages + loose if name not in section]
    assert not missing, missing


def test_the_store_is_one_class_with_its_parts_not_mixins():
    """``Store`` has no base classes of ours: its rows, settings and audit are collaborators
    it holds (``ledger_rows``, ``config``, ``audit_log``), sharing one session."""
    from app.core.storage.audit import AuditLog
    from app.core.storage.rows import LedgerRows
    from app.core.storage.settings import Settings
    from app.core.storage.store import Store

    assert Store.__bases__ == (object,)
    store = Store.memory()
    try:
        parts = (store.ledger_rows, store.config, store.audit_log)
        assert [type(p) for p in parts] == [LedgerRows, Settings, AuditLog]
        mixins = [
            f"{p.relative_to(ROOT)}: {node.name}"
            for p in sorted((ROOT / "app").rglob("*.py"))
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
            if isinstance(node, ast.ClassDef) and node.name.endswith("Mixin")
        ]
        assert mixins == []
    finally:
        store.close()


def _sources() -> list[tuple[str, ast.Module, str]]:
    return [
        (str(p.relative_to(ROOT)), ast.parse(text := p.read_text(encoding="utf-8")), text)
        for p in sorted(APP.rglob("*.py"))
    ]


def test_no_re_export_shims():
    """Nothing is imported just to be passed on: no ``__all__``, no ``noqa: F401``, no
    ``__init__`` made of imports; a name is imported from the module that defines it."""
    shims = []
    for rel, tree, text in _sources():
        body = [n for n in tree.body if not isinstance(n, ast.Expr)]  # the docstring
        only_imports = body and all(isinstance(n, (ast.Import, ast.ImportFrom, ast.Assign)) for n in body)
        exported = any(isinstance(n, ast.Name) and n.id == "__all__" for n in ast.walk(tree))
        if exported or "noqa: F401" in text or (rel.endswith("__init__.py") and only_imports):
            shims.append(rel)
    assert shims == []


def test_no_module_reaches_into_another_modules_privates():
    """``module._name`` of one of ours, or ``from app… import _name``: what is shared is public."""
    reached = []
    for rel, tree, _ in _sources():
        ours = {
            a.asname or a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("app")
            for a in n.names
        }
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("app"):
                reached += [f"{rel}: {a.name}" for a in n.names if a.name.startswith("_")]
            if (
                isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Name)
                and n.value.id in ours
                and n.attr.startswith("_")
                and not n.attr.startswith("__")
            ):
                reached.append(f"{rel}:{n.lineno}: {n.value.id}.{n.attr}")
    assert reached == [], reached
