import os

# GUI tests run without a display; set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Tracebacks of the entry points go to a log file: keep it out of the user's folders.
if "GRADIENT_PLAYGROUND_LOG" not in os.environ:
    import tempfile

    os.environ["GRADIENT_PLAYGROUND_LOG"] = os.path.join(
        tempfile.mkdtemp(prefix="playground-test-log-"), "playground.log")

# A search without a spec keeps its study in the user's data folder: a temporary one here.
if "GRADIENT_PLAYGROUND_SEARCHES" not in os.environ:
    import tempfile

    os.environ["GRADIENT_PLAYGROUND_SEARCHES"] = tempfile.mkdtemp(prefix="playground-test-searches-")
