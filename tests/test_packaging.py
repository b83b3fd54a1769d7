"""What the packaged app relies on: the resources inside the package (so wheels and
bundles carry them), the two launchers, the desktop integration files, the icons, the
NSIS script, and the smoke test's driver (run from the source tree)."""
import fnmatch
import os
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
