"""Digits read from sklearn's file without importing sklearn equal sklearn's loader."""
import numpy as np

from playground.core.data import builtin


def test_digits_read_directly_equal_sklearn_load_digits():
    from sklearn.datasets import load_digits

    ours, theirs = builtin._digits_file(), load_digits()
    assert ours is not None
    assert np.array_equal(ours.data, theirs.data) and ours.data.dtype == theirs.data.dtype
    assert np.array_equal(ours.target, theirs.target)
    assert list(ours.feature_names) == list(theirs.feature_names)
    assert np.array_equal(ours.target_names, theirs.target_names)
