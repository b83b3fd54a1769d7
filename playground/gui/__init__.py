"""The Qt interface. It may import playground.core; the core never imports it.

Widgets render specs and emit edits to the session model (session_model.py); only the
controllers (controller.py with worker.py, sweep_controller.py, search_controller.py,
landscape_controller.py) start and stop QThreads, each made by threads.worker_thread
and following the same shutdown rules (see ../shared/ARCHITECTURE.md). The main window
composes the panels and holds the features (*_feature.py, each built with a
features.FeatureContext). qt_setup.py sets what the process needs before its
QApplication exists.
"""
