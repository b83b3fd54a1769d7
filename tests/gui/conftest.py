import pytest

from playground.gui.controller import TrainingController


@pytest.fixture
def controller(qtbot):
    made = TrainingController()
    yield made
    assert made.shutdown(), "the training thread did not stop"
