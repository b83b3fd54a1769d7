"""SessionModel: the one Qt-side owner of the SessionSpec.

Panels never hold or emit a whole spec. Each emits an *edit*: a mapping from a dotted
path of the spec ("data", "model", "optimizer", "train.epochs", ...) to its new value.
The model merges the edit into the current spec, validates it, asks its gate (a SpecGate,
gui/spec_gate.py: live change, or reset after asking the user) and records it for undo. Every
change, an undo or a redo included, is announced by `specChanged`; the window pushes
the result back into every panel with their signals blocked (napari's pattern), so a
stale panel can never undo another panel's edit, and a refused edit leaves no trace.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core import catalog  # noqa: F401 - what SessionSpec.validate() checks against
from ..core.errors import PlaygroundError
from ..core.spec import SessionSpec

# (old, new, what) -> True if the change may land. `what` names the change in words.
Gate = Callable[[SessionSpec, SessionSpec, str], bool]


def replace_path(spec: Any, path: str, value: Any) -> Any:
    """`spec` with the field at the dotted `path` replaced (frozen dataclasses)."""
    head, _, rest = path.partition(".")
    if not dataclasses.is_dataclass(spec) or head not in {f.name for f in
                                                          dataclasses.fields(spec)}:
        raise KeyError(f"the spec has no field {path!r}")
    if rest:
        value = replace_path(getattr(spec, head), rest, value)
    return dataclasses.replace(spec, **{head: value})


def apply_edit(spec: SessionSpec, changes: Mapping[str, Any]) -> SessionSpec:
    for path, value in changes.items():
        spec = replace_path(spec, path, value)
    return spec


class _SetSpec(QUndoCommand):
    def __init__(self, model: "SessionModel", old: SessionSpec, new: SessionSpec,
                 text: str) -> None:
        super().__init__(text)
        self.model, self.old, self.new = model, old, new

    def redo(self) -> None:
        self.model._set(self.new)

    def undo(self) -> None:
        self.model._set(self.old)


class SessionModel(QObject):
    specChanged = Signal(object, object)   # new SessionSpec, old SessionSpec
    editRefused = Signal(str)              # a sentence: why an edit did not land

    def __init__(self, spec: SessionSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._spec = spec
        self.undo_stack = QUndoStack(self)
        self.gate: Gate | None = None

    @property
    def spec(self) -> SessionSpec:
        return self._spec

    # ------------------------------------------------------------ commands
    def edit(self, changes: Mapping[str, Any], what: str) -> bool:
        """Merge `changes` into the spec; True if the edit landed."""
        old = self._spec
        try:
            new = apply_edit(old, changes).validate()
        except PlaygroundError as exc:
            self._refuse(str(exc))
            return False
        if new == old:
            return True
        if not self._allowed(old, new, what):
            self._refuse("")
            return False
        self.undo_stack.push(_SetSpec(self, old, new, _undo_text(what)))
        return True

    def replace(self, spec: SessionSpec) -> None:
        """A new session (opened, an example, New): no undo across it."""
        self.undo_stack.clear()
        self._set(spec)

    def adopt(self, spec: SessionSpec) -> None:
        """Take a change that has already happened (a trainer's live change): no gate,
        no undo entry; the panels are told."""
        self._set(spec)

    def undo(self) -> bool:
        return self._travel(-1)

    def redo(self) -> bool:
        return self._travel(+1)

    def refresh(self) -> None:
        """Render the current spec again everywhere (after a refused edit)."""
        self.specChanged.emit(self._spec, self._spec)

    # ------------------------------------------------------------- helpers
    def _travel(self, direction: int) -> bool:
        stack = self.undo_stack
        index = stack.index() - 1 if direction < 0 else stack.index()
        if not 0 <= index < stack.count():
            return False
        command = stack.command(index)
        target = command.old if direction < 0 else command.new
        verb = "undoing" if direction < 0 else "redoing"
        text = command.text()  # "adding a Dense layer", or a noun: "the loss"
        done = text if text.split(" ", 1)[0].endswith("ing") else f"the change to {text}"
        if not self._allowed(self._spec, target, f"{verb} {done}"):
            self.refresh()
            return False
        stack.undo() if direction < 0 else stack.redo()
        return True

    def _allowed(self, old: SessionSpec, new: SessionSpec, what: str) -> bool:
        return self.gate is None or self.gate(old, new, what)

    def _refuse(self, message: str) -> None:
        self.refresh()
        if message:
            self.editRefused.emit(message)

    def _set(self, spec: SessionSpec) -> None:
        old, self._spec = self._spec, spec
        self.specChanged.emit(spec, old)


def _undo_text(what: str) -> str:
    return what[:1].lower() + what[1:] if what else "edit"
