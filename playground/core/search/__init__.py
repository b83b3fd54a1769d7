"""Hyperparameter search on Optuna, and the learning-rate finder (Qt-free).

space.py: the search-space language and how a trial's values change a spec;
storage.py: where a study lives (SQLite beside the session, or any Optuna storage URL);
study.py: the ask-and-tell loop on the ordinary Trainer, budgets, stop and resume;
batch.py: several trials asked at once, those that stack trained as one model;
lr_finder.py: Leslie Smith's range test with fastai's suggestions.
"""
from .lr_finder import LrFinding, find_lr
from .space import SearchSpace, SpaceError, apply_params, parse_space
from .storage import StorageError, default_path, open_storage, sqlite_url
from .study import (PRUNERS, SAMPLERS, Search, SearchListener, SearchSettings,
                    SearchSummary, TrialResult, join_settings)

__all__ = ["LrFinding", "find_lr", "SearchSpace", "SpaceError", "apply_params",
           "parse_space", "StorageError", "default_path", "open_storage", "sqlite_url",
           "PRUNERS", "SAMPLERS", "Search", "SearchListener", "SearchSettings",
           "SearchSummary", "TrialResult", "join_settings"]
