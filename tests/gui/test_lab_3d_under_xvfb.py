"""The optimizer lab's 3-D view needs OpenGL, which Qt's offscreen platform (the suite's)
does not offer: there test_lab_window.py checks the note that says so and skips the view.
So the view's own test runs once more here, in a process of its own on a virtual X
display (xvfb-run, which .ci/setup installs; Mesa renders OpenGL in software)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not shutil.which("xvfb-run"),
                    reason="xvfb-run is not installed (.ci/setup installs xvfb and xauth)")
def test_the_3d_view_is_tested_on_a_display_with_opengl():
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    test = "tests/gui/test_lab_window.py::test_the_3d_view_follows_the_race_where_opengl_exists"
    result = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x720x24", sys.executable,
                             "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", test],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-2000:]
