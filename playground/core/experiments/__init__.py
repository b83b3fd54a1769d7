"""Experiments: many runs compared (sweeps, presets, the stacked multi-run trainer).

Kept light on purpose: importing the package loads nothing heavy; import the modules
(sweep, presets, batched) where they are needed.
"""
