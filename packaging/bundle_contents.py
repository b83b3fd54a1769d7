"""What the bundle must hold, derived rather than listed: read by playground.spec (the
build) and by tests/test_packaging.py (the fast check that runs on every change, without
a build).

- every module of the `playground` package, found from its files, so a module added
  tomorrow is in the bundle without anyone editing the spec (the CLI loads its command
  modules with importlib.import_module, which PyInstaller's import analysis cannot see),
  and every other file of the package (icons, lessons);
- the packages that load parts of themselves by name at run time, collected whole;
- the `export` extra's packages when they are installed in the build's Python (an
  optional feature: a build without them still succeeds, and the app says the export
  needs them);
- what is left out (EXCLUDES), each never imported by a feature of the app.

Nothing here imports PyInstaller: the test suite runs without it.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

APP_PACKAGE = "playground"

# Import names of packages that import their own parts by name or read files beside
# their modules, so import analysis alone misses pieces of them: collected whole (every
# submodule, and their data files). optuna: its samplers and storages are imported
# lazily, and its RDB storage runs alembic migration scripts from the folder beside
# storage.py (Python files read as data). alembic: its operations and DDL
# implementations are registered by modules nothing imports by name. (SQLAlchemy's
# dialects come with PyInstaller's own hook for it.)
COLLECTED_WHOLE = ("optuna", "alembic")
# Files optuna reads from its package folder at run time (the migration environment).
OPTUNA_MIGRATIONS = "storages/_rdb/alembic"

# The optional `export` extra (ONNX, safetensors weights, TensorBoard): collected when
# installed at build time.
OPTIONAL_EXTRAS = ("export",)
EXPORT_PACKAGES = ("onnx", "onnxruntime", "onnxscript", "safetensors", "tensorboard")

# Never imported by any feature of the app; left out so that nothing in the build's
# Python (test tools, other projects' packages, optional imports of pandas and torch)
# comes in through an optional import: pandas' SQL support pulled psycopg with its C
# libraries, torch's compiler path setuptools and jinja2.
EXCLUDES = ("tkinter", "IPython", "matplotlib", "notebook", "jupyter_client", "pytest",
            "_pytest", "hypothesis", "importlinter", "grimp", "PyInstaller", "triton",
            "psycopg", "psycopg2", "psycopg_binary", "setuptools", "pkg_resources",
            "_distutils_hack", "jinja2")

# Run-time dependencies (declared by a dependency of the app) that are excluded all the
# same, with the reason the app never reaches the code that imports them. The fast
# check fails on any other excluded dependency.
EXCLUDED_ON_PURPOSE = {
    "jinja2": "torch's inductor (torch.compile) renders C++/Triton kernels with it; the "
              "app never compiles a model",
    "setuptools": "torch's cpp_extension (building C++ extensions) imports it; the app "
                  "builds none",
    "pkg_resources": "part of setuptools (above)",
    "_distutils_hack": "part of setuptools (above)",
}


def app_modules(root: Path) -> list[str]:
    """Every module of the app's package, from its files (nothing is imported)."""
    package = root / APP_PACKAGE
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def app_data_files(root: Path) -> list[tuple[str, str]]:
    """Every file of the app's package that is not Python (icons, lessons, ...), as
    (source, folder in the bundle): at the same place as in the package, so
    importlib.resources finds them in the bundle too."""
    package = root / APP_PACKAGE
    return [(str(path), str(path.parent.relative_to(root)))
            for path in sorted(package.rglob("*"))
            if path.is_file() and path.suffix not in (".py", ".pyc")
            and "__pycache__" not in path.parts]


def installed(names) -> list[str]:
    """Those of the import names that the running Python can import."""
    return [name for name in names if importlib.util.find_spec(name) is not None]


def is_excluded(module: str, excludes=EXCLUDES) -> bool:
    return any(module == name or module.startswith(name + ".") for name in excludes)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(requirements: list[str]) -> dict[str, importlib.metadata.Distribution]:
    """The installed distributions the requirements reach, transitively (their
    declared dependencies without extras), by normalised name. A requirement that is
    not installed is skipped (an optional extra absent from this Python)."""
    from packaging.requirements import Requirement

    found: dict[str, importlib.metadata.Distribution] = {}
    todo = list(requirements)
    while todo:
        requirement = Requirement(todo.pop())
        key = _normal(requirement.name)
        if key in found or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        try:
            found[key] = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            continue
        todo.extend(found[key].requires or [])
    return found


def import_names(distributions) -> dict[str, str]:
    """Top-level import name -> the distribution's name, for the given distributions."""
    wanted = {_normal(name) for name in distributions}
    return {top: dists[0] for top, dists in importlib.metadata.packages_distributions().items()
            if any(_normal(d) in wanted for d in dists)}
