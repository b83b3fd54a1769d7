"""The `playground` entry point.

`playground` opens the main window (on the spiral example, or on a saved run given as
an argument); `playground train|inspect|spec|datasets ...` runs the headless CLI. An
argument that is neither a command nor an existing file is one sentence and exit 2.
Never a traceback: a PlaygroundError is its sentence (exit 2); anything else is a bug,
a sentence, the traceback in the log file (exit 1).
"""
from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

from . import logfile

COMMANDS = ("train", "inspect", "spec", "datasets", "sweep", "search", "lr-find", "descend",
            "race", "lessons", "lesson", "landscape", "export", "predict")
CLI_COMMANDS = (*COMMANDS, "-h", "--help", "--version")
EXIT_FAILED, EXIT_USAGE = 1, 2
log = logging.getLogger("playground")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in CLI_COMMANDS:
        from . import cli

        return cli.main(args)
    problem = argument_problem(args) or display_problem()
    if problem:
        print(f"playground: {problem}", file=sys.stderr)
        return EXIT_USAGE
    logfile.setup(echo=True)
    try:
        return run_gui(args)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: words, not a trace
        print(f"playground: {describe_exception(exc)}", file=sys.stderr)
        return exit_status(exc)


def argument_problem(args: list[str]) -> str | None:
    """Why the arguments cannot open the window, in one sentence; None if they can."""
    commands = ", ".join(COMMANDS[:-1]) + f" and {COMMANDS[-1]}"
    if not args:
        return None
    first = args[0]
    shown = first if len(first) <= 60 else first[:60] + "..."
    try:
        exists = bool(first.strip()) and Path(first).is_file()
    except (OSError, ValueError):
        exists = False
    if not exists:
        return (f"{shown!r} is neither a command nor an existing file; the commands are "
                f"{commands} (see playground --help), and a session file opens in the "
                "window.")
    if len(args) > 1:
        return (f"the window opens one session file, but {len(args)} arguments were "
                f"given; the commands are {commands} (see playground --help).")
    return None


def display_problem() -> str | None:
    """On Linux without a display, the window cannot open (Qt would abort)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    commands = ", ".join(COMMANDS[:-1]) + f" and {COMMANDS[-1]}"
    return ("no display was found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the "
            f"window cannot open; the commands {commands} work without one (see "
            "playground --help).")


def describe_exception(value: BaseException) -> str:
    """One sentence for an exception that reached the top: a PlaygroundError is its
    own sentence; anything else is a bug, logged with its traceback."""
    from .core.errors import PlaygroundError

    if isinstance(value, PlaygroundError):
        return str(value)
    log.error("unexpected error:\n%s", "".join(
        traceback.format_exception(type(value), value, value.__traceback__)))
    first = (str(value).splitlines() or [""])[0][:160]
    return (f"Something went wrong ({type(value).__name__}{': ' + first if first else ''}); "
            f"this is a bug, and the details are in {logfile.where()}.")


def exit_status(value: BaseException) -> int:
    from .core.errors import PlaygroundError

    return EXIT_USAGE if isinstance(value, PlaygroundError) else EXIT_FAILED


def run_gui(args: list[str]) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .gui import settings
    from .gui.main_window import MainWindow
    from .gui.qt_setup import prepare_qt_environment

    prepare_qt_environment()
    QApplication.setOrganizationName(settings.ORGANIZATION)
    QApplication.setApplicationName(settings.APPLICATION)
    app = QApplication.instance() or QApplication(sys.argv[:1])

    def excepthook(kind, value, tb) -> None:
        from .core.errors import PlaygroundError

        if value is None:
            return
        if value.__traceback__ is None:
            value = value.with_traceback(tb)
        sentence = describe_exception(value)
        title = "Cannot do that" if isinstance(value, PlaygroundError) else "Unexpected error"
        QMessageBox.critical(None, title, f"{sentence} Your work is still open.")

    sys.excepthook = excepthook
    window = MainWindow()
    app.aboutToQuit.connect(window.controller.shutdown)  # waits for a save under way
    install_file_open(app, window)
    from .gui.quit_signals import quit_on_signals
    undo_signals = quit_on_signals(app, app.quit)  # noqa: F841 - its sockets live on
    window.show()
    if args:
        window.features.files.open_run(args[0])
    elif not window.features.files.offer_recovery():
        window.features.welcome.offer_welcome()  # first start (settings.WELCOME_AT_START)
    return app.exec()


def install_file_open(app, window) -> None:
    """macOS sends a double-clicked session to the app as a QFileOpenEvent (at start-up
    and while it runs): open it in the window, as the argument of a start would be."""
    from .gui.file_open import FileOpenHandler

    app.installEventFilter(FileOpenHandler(window.features.files.open_run, window))


if __name__ == "__main__":
    sys.exit(main())
