"""Regenerate: a new sample of a synthetic data set, one undoable edit of the data seed."""
from PySide6.QtCore import Qt


def test_regenerate_draws_the_next_seed_and_undo_brings_it_back(qtbot, window):
    panel = window.data_panel
    assert window.spec.data.seed == 0 and panel.regenerate.isEnabled()
    qtbot.mouseClick(panel.regenerate, Qt.MouseButton.LeftButton)
    assert window.spec.data.seed == 1 and panel.seed.value() == 1
    qtbot.mouseClick(panel.regenerate, Qt.MouseButton.LeftButton)
    assert window.spec.data.seed == 2
    window.session.undo()
    assert window.spec.data.seed == 1 and panel.seed.value() == 1
    assert window.spec.data.name == "spiral"  # nothing else of the data changed
