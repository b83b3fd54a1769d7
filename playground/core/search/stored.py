"""What a study keeps so anyone can join or resume it: the base spec, the space, the
budget, the sampler and the pruner, as study attributes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import PlaygroundError
from ..limits import quoted as _short
from ..spec import SessionSpec
from .space import SearchSpace, SpaceError, check_grid, parse_space
from .storage import StorageError, shown

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
MAX_BATCH = 64   # trials asked at once: a stacked model of 64 small nets, as a sweep
MAX_SEED = 2**32 - 1  # what Optuna's samplers (numpy's RandomState) take
MAX_STORED_SPEC = 10_000_000  # characters of a study's stored spec (JSON)


class SweepInStudy(StorageError):
    """The study holds what the other command made: a sweep's grid (sweep_study.py)
    where a search was asked for, or a search where a sweep was."""


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
        self.check_own()
        space = parse_space(self.space)
        if self.sampler not in SAMPLERS:
            raise SpaceError(f"{_short(self.sampler)} is not a sampler; choose one of "
                             f"{', '.join(SAMPLERS)}.")
        if self.pruner not in PRUNERS:
            raise SpaceError(f"{_short(self.pruner)} is not a pruner; choose one of "
                             f"{', '.join(PRUNERS)}.")
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or \
                not 1 <= self.trials <= 100_000:
            raise SpaceError(f"The trial budget must be 1 to 100,000 trials, not "
                             f"{_short(self.trials)}.")
        if self.sampler == "grid":
            check_grid(space)
        return space

    def check_own(self) -> None:
        """What this process brings, checked before any storage is opened: the time
        budget, the batch, the seed and the study's name (a worker brings only these)."""
        if not (isinstance(self.timeout, (int, float)) and 0 <= self.timeout <= 1e7):
            raise SpaceError(f"The time budget must be 0 (none) to 10,000,000 seconds, "
                             f"not {_short(self.timeout)}.")
        if isinstance(self.batch, bool) or not isinstance(self.batch, int) or \
                not 1 <= self.batch <= MAX_BATCH:
            raise SpaceError(f"The batch must be 1 to {MAX_BATCH} trials at once, not "
                             f"{_short(self.batch)}.")
        if self.seed is not None and (isinstance(self.seed, bool) or
                                      not isinstance(self.seed, int) or
                                      not 0 <= self.seed <= MAX_SEED):
            raise SpaceError(f"The search seed must be a whole number from 0 to {MAX_SEED:,}"
                             f", not {_short(self.seed)}.")
        if not isinstance(self.study, str) or not self.study.strip() or \
                len(self.study) > 200:
            raise SpaceError("The study name must be 1 to 200 characters.")


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
    if stored is not None and stored.get("kind") == "sweep":
        raise SweepInStudy(f"The study {_short(name)} in {shown_url(storage)} is a sweep's "
                           "grid, not a search; join it with `playground search worker`, "
                           "or give another study name (--study).")
    if stored is None:
        if base is None or not settings.space:
            raise StorageError(f"There is no study {_short(name)} in {shown_url(storage)}; "
                               "start it with `playground search --space ...` or "
                               "`playground sweep ... --storage URL --study NAME` first.")
        return base, settings
    stored_spec = _checked(storage, name, stored)
    if base is not None and base != stored_spec:
        raise SpaceError(f"The study {name!r} searches another spec; give the same spec "
                         "to resume it, or another study name (--study) for a new search.")
    if settings.space and parse_space(settings.space) != parse_space(stored["space"]):
        raise SpaceError(f"The study {name!r} searches the space {stored['space']!r}; give "
                         "the same space to resume it, or another study name (--study).")
    return stored_spec, SearchSettings(
        stored["space"], settings.trials or stored["trials"], settings.timeout,
        stored["sampler"] if settings.sampler == "" else settings.sampler,
        stored["pruner"] if settings.pruner == "" else settings.pruner,
        settings.seed, name, settings.batch)


def _stored_attributes(storage: Any, name: str) -> dict[str, Any] | None:
    """The study's attributes; None for no study, or one that never got them and ran
    no trial (a process stopped between making the study and writing them)."""
    try:
        study_id = storage.get_study_id_from_name(name)
    except KeyError:
        return None
    attrs = storage.get_study_user_attrs(study_id)
    if not any(key in attrs for key in _STORED) and \
            not storage.get_all_trials(study_id, deepcopy=False):
        return None
    return attrs


_STORED = ("spec", "space", "trials", "sampler", "pruner")


def _checked(storage: Any, name: str, stored: dict[str, Any]) -> SessionSpec:
    """The stored spec, every stored attribute checked (type and range) first: a study
    damaged by hand or by another program is one sentence, not a KeyError."""
    def damaged(key: str, why: str) -> StorageError:
        return StorageError(f"The study {_short(name)} in {shown_url(storage)} is damaged: "
                            f"its stored {key} {why}; start a new study (--study NAME).")

    for key in _STORED:
        if key not in stored:
            raise damaged(key, "is missing")
    spec, space, trials = stored["spec"], stored["space"], stored["trials"]
    if not isinstance(spec, str) or len(spec) > MAX_STORED_SPEC:
        raise damaged("spec", f"is not a spec ({_short(spec)})")
    if not isinstance(space, str):
        raise damaged("space", f"is not a space ({_short(space)})")
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= 100_000:
        raise damaged("budget", f"is {_short(trials)}, not 1 to 100,000 trials")
    for key, allowed in (("sampler", SAMPLERS), ("pruner", PRUNERS)):
        if stored[key] not in allowed:
            raise damaged(key, f"is {_short(stored[key])}, not one of {', '.join(allowed)}")
    try:
        parse_space(space)
        return SessionSpec.from_json(spec).validate()
    except PlaygroundError as exc:
        raise damaged("spec or space", f"does not read ({str(exc)[:100]})") from None


def shown_url(storage: Any) -> str:
    return shown(str(getattr(storage, "url", "the storage")))


def join_settings(study: str, seed: int | None = None, batch: int = 1) -> SearchSettings:
    """The settings a worker passes: only the study's name (and how many trials it asks
    at once); the rest is stored."""
    return SearchSettings(space="", trials=0, sampler="", pruner="", seed=seed, study=study,
                          batch=batch)


