"""The bundle's `playground` launcher (window.py): the window, or the CLI when given a
command (playground.app.main, the same entry as the wheel's gui-script). Started as
`playground-cli` (the symlink the Linux bundle has in place of a second executable), it
is the command line (playground.cli.main, as launchers/command_line.py elsewhere).

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

if os.path.basename(sys.argv[0]).startswith("playground-cli"):
    from playground.cli import main
else:
    from playground.app import main

sys.exit(main())
