"""Health checks that explain themselves (Qt-free): each finding says what is wrong with
a run in one sentence, why in one more, and carries the spec change that fixes it."""
from .checks import Check, Context, all_checks
from .diagnosis import diagnose
from .finding import CAUSE_ORDER, CHECK_NAMES, Finding
from .monitor import HealthMonitor

__all__ = ["CAUSE_ORDER", "CHECK_NAMES", "Check", "Context", "Finding", "HealthMonitor",
           "all_checks", "diagnose"]
