"""What a study keeps so anyone can join or resume it: the base spec, the space, the
budget, the sampler and the pruner, as study attributes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..spec import SessionSpec
from .space import SearchSpace, SpaceError, parse_space
from .storage import StorageError, shown

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
MAX_BATCH = 64   # trials asked at once: a stacked model of 64 small nets, as a sweep


@dataclass(frozen=True)
class SearchSettings:
    space: str
    trials: int = 20
    timeout: float = 0.0          # seconds for this process; 0 = no limit
    sampler: str = "tpe"
    pruner: str = "median"
    seed: int | None = 0          # None: a different draw in every process (workers)
    study: str = "search"
    # Trials asked at once and trained as one stacked model where their specs stack;
    # this process's choice (like timeout), not kept with the study. 1: one at a time.
    batch: int = 1

    def check(self) -> SearchSpace:
        """Validate everything; the parsed space. One sentence per mistake."""
        space = parse_space(self.space)
        if self.sampler not in SAMPLERS:
            raise SpaceError(f"{self.sampler!r} is not a sampler; choose one of "
                             f"{', '.join(SAMPLERS)}.")
        if self.pruner not in PRUNERS:
            raise SpaceError(f"{self.pruner!r} is not a pruner; choose one of "
                             f"{', '.join(PRUNERS)}.")
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or \
                not 1 <= self.trials <= 100_000:
            raise SpaceError(f"The trial budget must be 1 to 100,000 trials, not "
                             f"{self.trials!r}.")
        if not (isinstance(self.timeout, (int, float)) and 0 <= self.timeout <= 1e7):
            raise SpaceError(f"The time budget must be 0 (none) to 10,000,000 seconds, "
                             f"not {self.timeout!r}.")
        if isinstance(self.batch, bool) or not isinstance(self.batch, int) or \
                not 1 <= self.batch <= MAX_BATCH:
            raise SpaceError(f"The batch must be 1 to {MAX_BATCH} trials at once, not "
                             f"{self.batch!r}.")
        if not self.study.strip() or len(self.study) > 200:
            raise SpaceError("The study name must be 1 to 200 characters.")
        return space


# ------------------------------------------------------- study attributes

def attributes(base: SessionSpec, settings: SearchSettings) -> dict[str, Any]:
    return {"spec": base.to_json(), "space": settings.space, "trials": settings.trials,
            "sampler": settings.sampler, "pruner": settings.pruner}


def existing_trials(storage: Any, name: str) -> list[Any]:
    try:
        study_id = storage.get_study_id_from_name(name)
    except KeyError:
        return []
    return storage.get_all_trials(study_id, deepcopy=False)


def reconcile(storage: Any, base: SessionSpec | None, settings: SearchSettings
               ) -> tuple[SessionSpec, SearchSettings]:
    """The spec and settings to run: a new study takes those given; an existing one
    keeps its own, and refuses a different spec or space (one sentence)."""
    name = settings.study
    stored = _stored_attributes(storage, name)
    if stored is None:
        if base is None or not settings.space:
            raise StorageError(f"There is no study {name!r} in {shown_url(storage)}; "
                               "start it with `playground search --space ...` first.")
        return base, settings
    stored_spec = SessionSpec.from_json(stored["spec"])
    if base is not None and base != stored_spec:
        raise SpaceError(f"The study {name!r} searches another spec; give the same spec "
                         "to resume it, or another study name (--study) for a new search.")
    if settings.space and parse_space(settings.space) != parse_space(stored["space"]):
        raise SpaceError(f"The study {name!r} searches the space {stored['space']!r}; give "
                         "the same space to resume it, or another study name (--study).")
    return stored_spec, SearchSettings(
        stored["space"], settings.trials or int(stored["trials"]), settings.timeout,
        stored["sampler"] if settings.sampler == "" else settings.sampler,
        stored["pruner"] if settings.pruner == "" else settings.pruner,
        settings.seed, name, settings.batch)


def _stored_attributes(storage: Any, name: str) -> dict[str, Any] | None:
    try:
        study_id = storage.get_study_id_from_name(name)
    except KeyError:
        return None
    attrs = storage.get_study_user_attrs(study_id)
    return attrs if "spec" in attrs and "space" in attrs else None


def shown_url(storage: Any) -> str:
    return shown(str(getattr(storage, "url", "the storage")))


def join_settings(study: str, seed: int | None = None, batch: int = 1) -> SearchSettings:
    """The settings a worker passes: only the study's name (and how many trials it asks
    at once); the rest is stored."""
    return SearchSettings(space="", trials=0, sampler="", pruner="", seed=seed, study=study,
                          batch=batch)


