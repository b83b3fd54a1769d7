"""The bundle's `playground-cli` launcher: the headless command line with a console
(on Windows the window's launcher has none), the same entry as the wheel's console
script. It never loads Qt."""
import sys

from playground.cli import main

sys.exit(main())
