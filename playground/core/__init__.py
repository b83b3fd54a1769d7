"""The Qt-free engine: specs, data, models, optimizers, the trainer and saved runs.

Nothing here may import PySide6, pyqtgraph or playground.gui (an import-linter contract
in pyproject.toml enforces it, and the tests run that contract).
"""
