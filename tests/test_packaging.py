"""What the packaged app relies on: the resources inside the package (so wheels and
bundles carry them), the two launchers, the desktop integration files, the icons, the
NSIS script, and the smoke test's driver (run from the source tree)."""
import fnmatch
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_resource_file_is_package_data_and_found_through_importlib():
    from playground.gui import resources

    folder = ROOT / "playground" / "resources"
    files = [p.relative_to(ROOT / "playground").as_posix() for p in folder.rglob("*")
             if p.is_file()]
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["playground"]
    assert files and all(any(fnmatch.fnmatch(f, p) for p in patterns) for f in files)
    for name in ("app", "train", "pause", "step", "step-batch", "stop", "reset", "new",
                 "open", "save"):
        assert "currentColor" in resources.svg(name)
    assert not (ROOT / "resources" / "icons").exists()  # one copy, inside the package


def test_console_launcher_runs_the_command_line(capsys):
    scripts = PYPROJECT["project"]["scripts"]
    assert scripts == {"playground-cli": "playground.cli:main"}
    assert PYPROJECT["project"]["gui-scripts"] == {"playground": "playground.app:main"}
    module, _, name = scripts["playground-cli"].partition(":")
    main = getattr(__import__(module, fromlist=[name]), name)
    assert main([]) == 2
    assert "usage: playground" in capsys.readouterr().out
    assert main(["spec", "--example", "xor"]) == 0
    assert '"xor"' in capsys.readouterr().out


def test_the_installed_launcher_runs_the_command_line():
    """The script pip wrote for [project.scripts] (.ci/setup installs the project into
    .venv), run as a user runs it: its own process, its exit status and output."""
    launcher = Path(sys.executable).parent / "playground-cli"
    if not launcher.exists():
        pytest.skip(f"the project is not installed beside {sys.executable} "
                    "(pip install -e .), so there is no launcher to run")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's package, not another
    bare = subprocess.run([launcher], capture_output=True, text=True, env=env, timeout=120)
    assert bare.returncode == 2 and "usage: playground" in bare.stdout
    spec = subprocess.run([launcher, "spec", "--example", "xor"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert spec.returncode == 0 and '"xor"' in spec.stdout, spec.stderr


def test_desktop_entry_and_mime_type_agree():
    desktop = (PACKAGING / "linux" / "gradient-playground.desktop").read_text()
    mime = (PACKAGING / "linux" / "gradient-playground-mime.xml").read_text()
    assert "MimeType=application/x-pgsession;" in desktop
    assert '<mime-type type="application/x-pgsession">' in mime
    assert '<glob pattern="*.pgsession"' in mime
    assert "Exec=playground %f" in desktop and "Icon=gradient-playground" in desktop


@pytest.mark.skipif(not shutil.which("desktop-file-validate"),
                    reason="desktop-file-validate is not installed (.ci/setup installs "
                           "desktop-file-utils)")
def test_desktop_entry_passes_the_freedesktop_validator():
    result = subprocess.run(["desktop-file-validate", PACKAGING / "linux" /
                             "gradient-playground.desktop"], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout, result.stdout


def test_deb_depends_on_the_qt_libraries_setup_installs():
    listed = subprocess.run(["bash", str(PACKAGING / "linux" / "qt_packages.sh")],
                            capture_output=True, text=True).stdout.split()
    setup = (ROOT / ".ci" / "setup").read_text()
    assert len(listed) > 20 and all(f" {name}" in setup for name in listed)
    assert "libxcb-cursor0" in listed and "libegl1" in listed
    assert 'qt_packages=$(bash "$here/qt_packages.sh")' in (
        PACKAGING / "linux" / "make_deb.sh").read_text()


def test_icons_render_at_the_hicolor_sizes(qapp, tmp_path):
    sys.path.insert(0, str(PACKAGING))
    try:
        import render_icons
    finally:
        sys.path.remove(str(PACKAGING))
    from PySide6.QtGui import QImage

    assert render_icons.main(tmp_path) == 0
    for size in render_icons.SIZES:
        image = QImage(str(tmp_path / f"gradient-playground-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
    corner, middle = image.pixelColor(0, 0), image.pixelColor(size // 2, size // 2)
    assert corner.alpha() == 0 and middle.alpha() == 255  # a rounded square, filled
    assert (tmp_path / "gradient-playground.ico").stat().st_size > 0


@pytest.mark.skipif(not shutil.which("makensis"),
                    reason="makensis is not installed (.ci/setup installs nsis)")
def test_nsis_script_compiles(tmp_path):
    result = subprocess.run(["bash", str(PACKAGING / "windows" / "check_nsis.sh"),
                             str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "setup-check.exe").stat().st_size > 0


@pytest.mark.slow
def test_smoke_driver_trains_saves_reopens_and_fails_on_a_bad_file(tmp_path):
    """The driver smoke.sh runs inside the bundle, run here from the source tree."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path),
           "GRADIENT_PLAYGROUND_AUTOSAVE": str(tmp_path / "autosave"),
           "GRADIENT_PLAYGROUND_LOG": str(tmp_path / "log")}
    driver = [sys.executable, str(PACKAGING / "smoke_driver.py")]
    session = str(tmp_path / "smoke.pgsession")

    def run(*args):
        return subprocess.run([*driver, *args], env=env, capture_output=True, text=True,
                              timeout=300)

    trained = run("train", session, "2")
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert "first-window-at" in trained.stdout and Path(session).stat().st_size > 0
    reopened = run("reopen", session, "2")
    assert reopened.returncode == 0, reopened.stdout + reopened.stderr
    assert f"reopened {session} at epoch 2" in reopened.stdout
    wrong_epoch = run("reopen", session, "5")
    assert wrong_epoch.returncode == 1 and "not 5" in wrong_epoch.stderr
    broken = tmp_path / "broken.pgsession"
    broken.write_bytes(b"not a session")
    refused = run("reopen", str(broken), "2")
    assert refused.returncode == 1 and "did not open" in refused.stderr


def test_bundle_launcher_is_the_cli_when_started_as_playground_cli(tmp_path):
    """The Linux bundle's playground-cli is a symlink to the window's launcher."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                             "QT_QPA_PLATFORM")}
    env.update(PYTHONPATH=str(ROOT), GRADIENT_PLAYGROUND_LOG=str(tmp_path / "log"))
    launcher = PACKAGING / "launchers" / "window.py"
    (tmp_path / "playground-cli").symlink_to(launcher)
    as_cli = subprocess.run([sys.executable, str(tmp_path / "playground-cli")], env=env,
                            capture_output=True, text=True, timeout=120)
    assert as_cli.returncode == 2 and "usage: playground" in as_cli.stdout
    as_window = subprocess.run([sys.executable, str(launcher)], env=env,
                               capture_output=True, text=True, timeout=120)
    assert as_window.returncode == 2 and "no display was found" in as_window.stderr


# ------------------------------------------------------------------ the bundle's contents
# The fast check of what the bundle will hold, run with the suite on every change (the
# app's code, pyproject.toml, the constraints, packaging/) without building it: the spec
# is run with stand-ins for PyInstaller's classes, and what it asks PyInstaller to
# collect and leave out is checked against the app's modules, what they import and
# every run-time dependency. (The full build asserts the same of PyInstaller's real
# analysis: see playground.spec.)
sys.path.insert(0, str(PACKAGING))
try:
    import bundle_contents as contents
finally:
    sys.path.remove(str(PACKAGING))


class _Spec:
    """What playground.spec asked of PyInstaller."""

    def __init__(self) -> None:
        self.analysis: dict = {}
        self.collected_whole: list[str] = []
        self.data_files: list[tuple] = []


def _run_spec(tmp_path, monkeypatch) -> _Spec:
    import types

    seen = _Spec()

    class Analysis:
        def __init__(self, scripts, **options):
            seen.analysis = {"scripts": scripts, **options}
            self.pure = [(name, None, "PYMODULE") for name in options["hiddenimports"]
                         if not contents.is_excluded(name, options["excludes"])]
            self.scripts = [(Path(s).stem, s, "PYSOURCE") for s in scripts]
            self.binaries, self.datas = [], options["datas"]

    def collect_submodules(package, filter=None):
        seen.collected_whole.append(package)
        return [package]

    def collect_data_files(package, include_py_files=False, subdir=None):
        seen.data_files.append((package, include_py_files, subdir))
        return []

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules, hooks.collect_data_files = collect_submodules, collect_data_files
    hooks.copy_metadata = lambda package: []
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setitem(sys.modules, "bundle_contents", contents)
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "gradient-playground").mkdir(exist_ok=True)
    stand_in = lambda *args, **kwargs: types.SimpleNamespace(args=args, kwargs=kwargs)  # noqa: E731
    spec = PACKAGING / "playground.spec"
    exec(compile(spec.read_text(), str(spec), "exec"), {
        "SPECPATH": str(PACKAGING), "DISTPATH": str(tmp_path), "Analysis": Analysis,
        "PYZ": stand_in, "EXE": stand_in, "COLLECT": stand_in, "BUNDLE": stand_in})
    return seen


def _runtime_imports() -> dict[str, str]:
    """Import name -> distribution, for every installed distribution the app's
    dependencies reach (its extras, export, included)."""
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"])
    for extra in contents.OPTIONAL_EXTRAS:
        requirements += project.get("optional-dependencies", {}).get(extra, [])
    return contents.import_names(contents.runtime_distributions(requirements))


def _app_imports() -> dict[str, set[str]]:
    """Each absolute import in the app's code (in functions too) -> the files with it."""
    import ast

    found: dict[str, set[str]] = {}
    for path in (ROOT / "playground").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_bundle_gets_every_module_and_file_of_the_app(tmp_path, monkeypatch):
    from playground.cli import COMMAND_MODULES

    analysis = _run_spec(tmp_path, monkeypatch).analysis
    files = {p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
             for p in (ROOT / "playground").rglob("*.py")}
    assert {f"playground.cli.{name}" for name in COMMAND_MODULES} <= files  # loaded by name
    assert files <= set(analysis["hiddenimports"])
    assert not [m for m in files if contents.is_excluded(m, analysis["excludes"])]
    data = {p for p in (ROOT / "playground").rglob("*") if p.is_file()
            and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert (ROOT / "playground" / "resources" / "icons" / "app.svg") in data
    bundled = {(Path(source), folder) for source, folder in analysis["datas"]}
    assert {(p, p.parent.relative_to(ROOT).as_posix()) for p in data} <= bundled


def test_bundle_excludes_nothing_a_dependency_of_the_app_needs(tmp_path, monkeypatch):
    """optuna, SQLAlchemy, alembic, yaml and MarkupSafe (the search) were excluded once."""
    excludes = _run_spec(tmp_path, monkeypatch).analysis["excludes"]
    runtime = _runtime_imports()
    assert {"torch", "PySide6", "optuna", "sqlalchemy", "alembic", "yaml", "markupsafe",
            "mako", "sklearn", "pandas", "pyqtgraph", "OpenGL"} <= set(runtime)
    wrongly = {name for name in runtime if contents.is_excluded(name, excludes)
               and name not in contents.EXCLUDED_ON_PURPOSE}
    assert not wrongly, f"excluded from the bundle but needed at run time: {wrongly}"
    imported = {name.split(".")[0] for name in _app_imports()}
    assert not imported & set(contents.EXCLUDED_ON_PURPOSE)


def test_app_imports_only_what_the_bundle_carries(tmp_path, monkeypatch):
    """An import of a package that is no declared dependency would work in the dev venv
    and fail in the bundle built from a fresh one."""
    excludes = _run_spec(tmp_path, monkeypatch).analysis["excludes"]
    known = set(_runtime_imports()) | set(sys.stdlib_module_names) | {"playground"}
    for name, files in _app_imports().items():
        top = name.split(".")[0]
        assert top in known, f"{name} ({sorted(files)}) is neither a dependency nor stdlib"
        assert not contents.is_excluded(name, excludes), f"{name} is excluded from the bundle"


def test_bundle_collects_the_packages_that_load_parts_by_name(tmp_path, monkeypatch):
    seen = _run_spec(tmp_path, monkeypatch)
    assert {"optuna", "alembic"} <= set(seen.collected_whole)
    # optuna's storage runs its alembic migration scripts from files beside it
    assert ("optuna", True, contents.OPTUNA_MIGRATIONS) in seen.data_files
    assert (Path(importlib.util.find_spec("optuna").origin).parent / contents.OPTUNA_MIGRATIONS
            / "versions").is_dir()


def test_bundle_collects_the_export_extra_only_when_installed(tmp_path, monkeypatch):
    present = contents.installed(contents.EXPORT_PACKAGES)
    assert set(present) <= set(_run_spec(tmp_path, monkeypatch).collected_whole)
    monkeypatch.setattr(contents, "installed", lambda names: [])  # a build without it
    assert not set(contents.EXPORT_PACKAGES) & set(_run_spec(tmp_path, monkeypatch).collected_whole)


def test_deb_depends_on_the_glibc_version_its_files_need(tmp_path):
    if not shutil.which("objdump"):
        pytest.skip("objdump (binutils) is not installed")
    shutil.copy(sys.executable, tmp_path / "python")
    (tmp_path / "script").write_text("#!/bin/sh\n")  # executable, not ELF: ignored
    (tmp_path / "script").chmod(0o755)
    needed = subprocess.run(["bash", str(PACKAGING / "linux" / "glibc_needed.sh"), tmp_path],
                            capture_output=True, text=True, check=True).stdout.strip()
    dump = subprocess.run(["objdump", "-T", sys.executable], capture_output=True, text=True).stdout
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_([\d.]+\d)", dump)}
    assert needed == ".".join(map(str, max(versions)))
    assert 'depends="libc6 (>= $glibc), ' in (PACKAGING / "linux" / "make_deb.sh").read_text()


@pytest.mark.skipif(not shutil.which("patchelf"), reason="patchelf is not installed")
def test_build_machine_runpaths_are_dropped_and_origin_ones_kept(tmp_path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name, runpath in (("libbuilt.so.1", "/usr/local/lib:$ORIGIN/../lib"),
                          ("libpython.so.1", "/root/.pyenv/versions/3.11.7/lib")):
        shutil.copy(sys.executable, bundle / name)
        subprocess.run(["patchelf", "--set-rpath", runpath, bundle / name], check=True)
    subprocess.run(["bash", str(PACKAGING / "linux" / "drop_build_runpaths.sh"), bundle],
                   capture_output=True, check=True)

    def runpath(name):
        return subprocess.run(["patchelf", "--print-rpath", bundle / name], capture_output=True,
                              text=True, check=True).stdout.strip()
    assert runpath("libbuilt.so.1") == "$ORIGIN/../lib" and runpath("libpython.so.1") == ""


def test_workflow_runs_on_app_changes_with_pinned_actions_and_read_only_token():
    workflow = (ROOT / ".github" / "workflows" / "package.yml").read_text()
    uses = re.findall(r"uses: (\S+)", workflow)
    assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", use) for use in uses)
    assert "permissions:\n  contents: read" in workflow
    for path in ("playground/**", "packaging/**", "pyproject.toml", ".ci/constraints.txt"):
        assert workflow.count(f'- "{path}"') == 2  # push and pull_request
    assert "playground-cli.exe" in workflow and "bash packaging/smoke.sh" in workflow


def test_nsis_writes_the_64_bit_registry_view():
    script = (PACKAGING / "windows" / "installer.nsi").read_text()
    for block in ("Function .onInit", "Function un.onInit", 'Section "Install"',
                  'Section "Uninstall"'):
        assert script.split(block, 1)[1].split("\n")[1].strip() == "SetRegView 64", block
