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
    from playground.core.spec import DataSpec

    panel.set_spec(DataSpec("iris"))  # a fixed table: nothing to draw anew
    assert not panel.regenerate.isEnabled()


def test_discretize_output_paints_each_point_in_its_predicted_class(qtbot):
    import numpy as np

    from playground.core.spec import DataSpec
    from playground.gui.widgets.boundary_view import BoundaryView
    from playground.gui.worker import Boundary

    view = BoundaryView(discretize=True)
    qtbot.addWidget(view)
    view.show()
    view.set_data(DataSpec("spiral", samples=100))
    assert not view.discretize.isVisible()  # no output over the plane yet
    xs = ys = np.linspace(-1, 1, 5)
    probabilities = np.tile(np.linspace(0.1, 0.9, 5), (5, 1))  # (ys, xs)
    view.show_boundary(Boundary(xs, ys, probabilities, False))
    assert view.discretize.isVisible()
    faded = view.image.image.copy()
    assert len({tuple(p) for p in faded.reshape(-1, 4).tolist()}) > 2
    qtbot.mouseClick(view.discretize, Qt.MouseButton.LeftButton)
    crisp = view.image.image.reshape(-1, 4)
    assert len({tuple(p) for p in crisp.tolist()}) == 2  # the two classes, nothing between
    assert (crisp[:, 3] == 200).all()
    qtbot.mouseClick(view.discretize, Qt.MouseButton.LeftButton)
    assert (view.image.image == faded).all()
