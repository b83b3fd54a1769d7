"""The `playground` entry point.

`playground` opens the main window (on the spiral example, or on a saved run given as
an argument); `playground train|inspect|spec|datasets ...` runs the headless CLI.
"""
from __future__ import annotations

import logging
import sys
import traceback
from typing import Sequence

CLI_COMMANDS = ("train", "inspect", "spec", "datasets", "-h", "--help", "--version")
log = logging.getLogger("playground")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args and args[0] in CLI_COMMANDS:
        from . import cli

        return cli.main(args)
    return run_gui(args)


def run_gui(args: list[str]) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .gui import settings
    from .gui.main_window import MainWindow

    QApplication.setOrganizationName(settings.ORGANIZATION)
    QApplication.setApplicationName(settings.APPLICATION)
    app = QApplication.instance() or QApplication(sys.argv[:1])

    def excepthook(kind, value, tb) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        QMessageBox.critical(None, "Unexpected error",
                             f"Something went wrong: {value}. The details are in the log; "
                             "your work is still open.")

    sys.excepthook = excepthook
    window = MainWindow()
    app.aboutToQuit.connect(window.controller.shutdown)
    window.show()
    if args:
        window.open_run(args[0])
    else:
        window.offer_recovery()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
