"""The optimizer lab, driven through its real widgets: what it draws is what the core's
runners compute, and the one edit it makes to the session goes through the model."""
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from playground.core.lab import Race, descend, surface
from playground.gui.theme import LIGHT
from playground.gui.widgets.lab import OptimizerLabWindow


@pytest.fixture
def lab(qtbot):
    made = OptimizerLabWindow(theme=LIGHT)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.close()


def click_at(plot_widget, x, y):
    """A left click where the data point (x, y) is drawn."""
    view = plot_widget.getPlotItem().vb
    scene_point = view.mapViewToScene(QPointF(x, y))
    widget_point = plot_widget.mapFromScene(scene_point)
    QTest.mouseClick(plot_widget.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(widget_point.x(), widget_point.y()))


def test_the_tools_menu_opens_the_lab_with_ctrl_l(window, qtbot):
    action = window.findChild(type(window.features.lab.action), "actionOptimizerLab")
    assert action.shortcut().toString() == "Ctrl+L" and action.toolTip()
    tools = [a.menu() for a in window.menuBar().actions() if a.text() == "&Tools"]
    assert tools and action in tools[0].actions()
    action.trigger()
    lab = window.features.lab.lab_window
    qtbot.waitExposed(lab)
    assert lab.isVisible() and lab.windowTitle().startswith("Optimizer Lab")
    action.trigger()
    assert window.features.lab.lab_window is lab   # one lab window, raised again
    window.set_theme("dark")
    assert lab.theme.name == "dark" and lab.race.rows[0].color == lab.theme.series[0]


def test_offscreen_has_no_3d_tab_and_says_why(lab):
    if lab.gl_problem is None:
        pytest.skip("this display offers OpenGL: the 3-D tab is there")
    titles = [lab.tabs.tabText(i) for i in range(lab.tabs.count())]
    assert titles == ["1-D descent", "2-D race", "Phase diagrams"]
    note = lab.findChild(type(lab.tabs.cornerWidget()), "no3dNote")
    assert "OpenGL" in note.toolTip()


def test_race_on_a_chosen_surface_from_a_clicked_start_follows_the_core_runner(lab, qtbot):
    tab = lab.race
    lab.tabs.setCurrentWidget(tab)
    combo = tab.surface_combo
    combo.setCurrentIndex(combo.findData("himmelblau"))
    assert tab.surface.name == "himmelblau"
    click_at(tab.view.plot, 1.0, -2.0)
    assert tab.start_point == pytest.approx((1.0, -2.0), abs=0.1)   # a pixel's width
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    new_row = tab.rows[-1]
    new_row.kind.setCurrentIndex(new_row.kind.findData("adagrad"))
    assert [row.spec().optimizer for row in tab.rows] == ["sgd", "momentum", "adam",
                                                          "adagrad"]
    for _ in range(25):
        qtbot.mouseClick(tab.step_button, Qt.MouseButton.LeftButton)
    reference = Race(surface("himmelblau"), tab.start_point, tab.specs(), steps=3000)
    for _ in range(25):
        reference.step()
    for shown, expected in zip(tab.race.racers, reference.racers):
        assert shown.path == expected.path
    drawn = tab.view.racers[3]
    assert drawn.count == 26
    assert drawn.buffer[:drawn.count].tolist() == [list(p) for p in reference.racers[3].path]
    assert "step 25" in tab.status.text()


def test_a_live_learning_rate_applies_at_the_next_step(lab, qtbot):
    tab = lab.race
    qtbot.mouseClick(tab.step_button, Qt.MouseButton.LeftButton)
    row = tab.rows[0]
    row.lr.setValue(0.0005)
    qtbot.mouseClick(tab.step_button, Qt.MouseButton.LeftButton)
    records = tab.race.racers[0].records
    assert [r.lr for r in records] == [0.001, 0.0005]
    row.more.setChecked(True)
    momentum_row = tab.rows[1]
    momentum_row.params.editor("momentum").setValue(0.5)
    assert tab.race.racers[1].mover.optimizer.param_groups[0]["momentum"] == 0.5


def test_play_runs_on_the_timer_and_pause_stops_it(lab, qtbot):
    tab = lab.race
    tab.speed.setValue(5)
    qtbot.mouseClick(tab.play, Qt.MouseButton.LeftButton)
    assert tab.timer.isActive() and tab.play.text() == "Pause"
    qtbot.waitUntil(lambda: tab.race.racers[0].steps >= 20, timeout=10_000)
    qtbot.mouseClick(tab.play, Qt.MouseButton.LeftButton)
    assert not tab.timer.isActive()
    steps = tab.race.racers[0].steps
    qtbot.mouseClick(tab.play, Qt.MouseButton.LeftButton)
    lab.close()                      # closing stops the race, and the button says so
    assert not tab.timer.isActive() and tab.play.text() == "Play"
    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    assert steps >= 20 and tab.race.racers[0].steps == 0


def test_a_hostile_typed_surface_is_refused_in_words_and_nothing_changes(lab, qtbot):
    tab = lab.race
    before = tab.surface
    tab.surface_combo.setCurrentIndex(tab.surface_combo.findData("typed"))
    tab.typed.setText("__import__('os').system('echo owned')")
    tab.typed.editingFinished.emit()
    assert "not allowed" in tab.problem.text()
    assert tab.surface is before
    tab.typed.setText("x**2 + 3*y**2")
    tab.typed.editingFinished.emit()
    assert tab.problem.text() == "" and tab.surface.formula == "x**2 + 3*y**2"


def test_the_bowl_follows_the_condition_slider(lab):
    tab = lab.race
    tab.surface_combo.setCurrentIndex(tab.surface_combo.findData("bowl"))
    tab.condition.setValue(20)
    assert tab.surface.formula == "0.5*(x**2 + 100*y**2)"


def test_the_1d_demo_steps_through_the_core_descent(lab, qtbot):
    tab = lab.descent
    tab.lr.setValue(0.3)
    tab.start.setValue(4.0)
    for _ in range(6):
        qtbot.mouseClick(tab.step_button, Qt.MouseButton.LeftButton)
    expected = descend("1.0*x**2 + 0.0*x + 0.0", 4.0, 0.3, 1e-6, 1000).iterations[:6]
    assert tab.model.rows == list(expected)
    assert tab.model.rowCount() == 6
    assert tab.model.data(tab.model.index(0, 1)) == "4"
    assert "smooth" in tab.regime.text()
    qtbot.mouseClick(tab.findChild(type(tab.step_button), "preset_diverging"),
                     Qt.MouseButton.LeftButton)
    assert "diverging" in tab.regime.text() and tab.play.isChecked()
    tab.speed.setValue(tab.speed.maximum())
    qtbot.waitUntil(lambda: tab.descent.reason == "diverged", timeout=20_000)
    assert not tab.play.isChecked() and "diverged" in tab.status.text()


def test_a_typed_1d_function_and_a_bad_one(lab, qtbot):
    tab = lab.descent
    tab.typed.setText("x**4 - 3*x**2")
    tab.typed.editingFinished.emit()
    assert tab.typed_mode.isChecked() and tab.problem.text() == ""
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.descent.reason is not None, timeout=20_000)
    assert tab.speed.value() == 1 and not tab.play.isChecked()
    assert tab.model.rows == list(descend("x**4 - 3*x**2", 5.0, 0.1, 1e-6, 1000).iterations)
    tab.typed.setText("x.__class__")
    tab.typed.editingFinished.emit()
    assert "Attribute access" in tab.problem.text() and tab.descent is None


def test_clicking_the_momentum_map_plays_that_point(lab):
    tab = lab.phase
    lab.tabs.setCurrentWidget(tab)
    click_at(tab.hb_plot, 3.5, 0.2)   # lr lambda = 3.5 > 2 + 2*0.2: diverges
    assert "diverges" in tab.explanation.text()
    click_at(tab.hb_plot, 0.2, 0.1)
    assert "converges smoothly" in tab.explanation.text()
    x, _ = tab.marker.getData()
    assert x[0] == pytest.approx(0.2, abs=0.05)


def test_use_in_my_network_edits_the_session_optimizer(window, qtbot):
    window.features.lab.action.trigger()
    tab = window.features.lab.lab_window.race
    row = tab.rows[2]                   # Adam
    row.lr.setValue(0.02)
    tab._fill_use_menu()
    actions = tab.use_menu.actions()
    assert [a.text() for a in actions][2] == "Adam, lr 0.02"
    actions[2].trigger()
    optimizer = window.session.spec.optimizer
    assert (optimizer.name, optimizer.lr) == ("adam", 0.02)
    window.session.undo_stack.undo()
    assert window.session.spec.optimizer != optimizer


def test_the_3d_view_follows_the_race_where_opengl_exists(lab, qtbot):
    if lab.gl_problem is not None:
        pytest.skip(lab.gl_problem)   # offscreen: no OpenGL (run under Xvfb to check)
    lab.tabs.setCurrentWidget(lab.surface3d)
    for _ in range(5):
        qtbot.mouseClick(lab.race.step_button, Qt.MouseButton.LeftButton)
    view = lab.surface3d
    assert view.surface is lab.race.surface and len(view.lines) == len(lab.race.rows)
    assert len(view.lines[0].pos) == 6


def test_noise_and_a_schedule_reach_the_core_runner(lab, qtbot):
    tab = lab.race
    tab.noise.setValue(2.0)
    tab.schedule.setCurrentIndex(tab.schedule.findData("inverse_time"))
    tab.schedule_params.editor("decay").setValue(0.5)
    for _ in range(4):
        qtbot.mouseClick(tab.step_button, Qt.MouseButton.LeftButton)
    # the window keeps the last two records (it draws the last): steps 2 and 3
    assert [r.lr for r in tab.race.racers[0].records] == pytest.approx(
        [0.001 / (1 + 0.5 * k) for k in (2, 3)])
    noisy = Race(tab.surface, tab.start_point, tab.specs(), steps=3000, noise=2.0)
    clean = Race(tab.surface, tab.start_point, tab.specs(), steps=3000)
    for _ in range(4):
        noisy.step()
        clean.step()
    assert tab.race.racers[2].path == noisy.racers[2].path != clean.racers[2].path


def test_a_schedule_setting_the_core_refuses_is_a_sentence_and_the_race_stays(lab):
    tab = lab.race
    tab.schedule.setCurrentIndex(tab.schedule.findData("multistep"))
    race = tab.race
    editor = tab.schedule_params.editor("milestones")
    editor.setText("ten, twenty")
    editor.editingFinished.emit()
    assert "milestones" in tab.problem.text() and tab.problem.text().endswith(".")
    assert tab.race is race
