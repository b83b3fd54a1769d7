"""Experiments: runs kept side by side, branches of a run, and sweeps over settings."""
