"""The bundle's `playground` launcher (window.py): the window, or the CLI when given a command
(playground.app.main, the same entry as the wheel's gui-script).

GRADIENT_PLAYGROUND_DRIVER=FILE.py runs FILE.py inside the bundle's Python instead, with
the launcher's arguments: packaging/smoke.sh drives the real bundle this way (its Python,
its Qt plugins, its torch), so the app itself carries no test mode. Setting an environment
variable grants nothing new: whoever can set one can already set LD_PRELOAD.
"""
import os
import runpy
import sys

driver = os.environ.pop("GRADIENT_PLAYGROUND_DRIVER", "")
if driver:
    sys.argv = [driver, *sys.argv[1:]]
    runpy.run_path(driver, run_name="__main__")
    sys.exit(0)

from playground.app import main  # noqa: E402

sys.exit(main())
