"""The architecture's contracts, run as tests: the layering (pyproject.toml's import-linter
contracts), no import cycles between modules, and the spec's catalog where specs are
validated."""
import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent

# Circles known and not yet broken, by package: each names what ends it.
PENDING_CYCLES: dict[str, str] = {}  # module prefix -> why its cycle is still there


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken" in result.stdout


def test_core_imports_without_qt_loaded():
    code = ("import sys, playground.core.trainer, playground.cli; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def _cycle_through(graph: grimp.ImportGraph, module: str, circle: set[str]) -> list[str]:
    """One cycle from `module` back to itself, inside its strongly connected `circle`."""
    step = min(graph.find_modules_directly_imported_by(module) & circle)
    return [module, *graph.find_shortest_chain(importer=step, imported=module)]


def test_no_import_cycles_between_modules():
    """Every module against every other, a package's __init__ included (the contract's
    acyclic_siblings compares siblings only). grimp counts the imports inside functions
    and under TYPE_CHECKING: a circle dodged by either is still a circle."""
    graph = grimp.build_graph("playground")
    seen: set[str] = set()
    cycles, still_pending = [], set()
    for module in sorted(graph.modules):
        if module in seen:
            continue
        circle = graph.find_downstream_modules(module) & graph.find_upstream_modules(module)
        seen |= circle
        pending = [p for p in PENDING_CYCLES if module == p or module.startswith(p + ".")]
        if circle and pending:
            still_pending.update(pending)
        elif circle:
            cycles.append(" -> ".join(_cycle_through(graph, module, circle)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
    broken = sorted(set(PENDING_CYCLES) - still_pending)
    assert not broken, f"no cycle left in {broken}: take them out of PENDING_CYCLES"


def _module_level_imports(path: Path, name: str) -> set[str]:
    """What importing the module imports: its import statements outside functions and
    classes (including those under if and try), as absolute names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                parts = package.split(".")[:len(package.split(".")) - node.level + 1] \
                    if node.level else []
                base = ".".join(parts + ([node.module] if node.module else []))
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
            elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for inner in ("body", "orelse", "finalbody"):
                    walk(getattr(node, inner, []))
                for handler in getattr(node, "handlers", []):
                    walk(handler.body)

    walk(ast.parse(path.read_text(encoding="utf-8")).body)
    return found


def test_modules_that_validate_a_spec_load_its_catalog():
    """SessionSpec.validate() checks against what core.catalog hands the spec when it
    is imported (the spec imports nothing above it): every module that validates a
    spec must import the catalog, itself or through what it imports at its top."""
    files = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (ROOT / "playground").rglob("*.py")}
    imports = {name: _module_level_imports(path, name) & set(files)
               for name, path in files.items()}

    def loaded(name: str) -> set[str]:
        seen, todo = set(), [name]
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                parts = module.split(".")
                parents = {".".join(parts[:i]) for i in range(1, len(parts))} & set(files)
                todo += imports[module] | parents  # importing a module runs its packages
        return seen

    missing = [name for name, path in sorted(files.items())
               if name != "playground.core.spec" and ".validate()" in path.read_text("utf-8")
               and "playground.core.catalog" not in loaded(name)]
    assert not missing, f"validate a spec without importing playground.core.catalog: {missing}"


def test_every_feature_module_is_under_the_feature_contracts():
    """A new gui/*_feature.py joins the independence contract, or nothing keeps it from
    importing the others."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}
    listed = set(contracts["Features do not import each other"]["modules"])
    found = {f"playground.gui.{path.stem}"
             for path in (ROOT / "playground" / "gui").glob("*_feature.py")}
    assert found == listed
    assert set(contracts["Features do not import the window"]["source_modules"]) == found
