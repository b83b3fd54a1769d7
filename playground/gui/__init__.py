"""The Qt interface. It may import playground.core; the core never imports it.

Widgets render specs and emit changed specs; only controller.py and worker.py touch
QThread (see ../shared/ARCHITECTURE.md).
"""
