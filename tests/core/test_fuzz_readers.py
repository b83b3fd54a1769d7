"""Fuzzing the readers (issue 15): generated session files and spec files, thousands of
them, must each be opened or refused with a PlaygroundError; never a traceback, and no
member read beyond its declared size or its budget.

Hypothesis runs derandomized (the same examples on every machine) and sized so that
both tests together take well under a minute on two cores.
"""
import hashlib
import json
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core.errors import PlaygroundError, SpecError
from playground.core.sessionfile import open_session, prepared_data, restore_state
from playground.core.sessionfile import reading, writing
from playground.core.sessionfile.format import MEMBER_BUDGET, MEMBERS, TENSOR_BUDGET
from playground.core.sessionfile.writing import session_members, write_members
from playground.core.spec import SessionSpec
from playground.core.trainer import Trainer

from .helpers import tiny_spec

SESSION_EXAMPLES = 900
SPEC_EXAMPLES = 1200
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

_cache = {}


def good_members():
    if "members" not in _cache:
        trainer = Trainer(tiny_spec(epochs=1, batch_size=40))
        trainer.fit()
        _cache["members"] = {k: bytes(v) for k, v in session_members(
            trainer.spec, trainer.state_dict(), trainer.data).items()}
    return _cache["members"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20)


def _paths(value, prefix=()):
    """Every place inside a JSON value: the keys and indices that lead to it."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value[:8]):
            yield from _paths(item, prefix + (index,))


def _replace_at(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace_at(value[head], rest, new)
    return copy


JSON_MEMBERS = ("manifest.json", "spec.json", "state.json", "data.json", "view.json",
                "scaler.json", "history.json")


@st.composite
def sessions(draw):
    """A valid session's members with one change, and whether to rehash afterwards
    (an attacker can; damage does not)."""
    members = dict(good_members())
    kind = draw(st.sampled_from(["edit_json", "replace_json", "bytes", "drop", "add",
                                 "truncate_file"]))
    name = draw(st.sampled_from(sorted(members)))
    if kind == "edit_json" and name in JSON_MEMBERS:
        value = json.loads(members[name])
        places = list(_paths(value))
        place = draw(st.sampled_from(places))
        members[name] = json.dumps(_replace_at(value, place, draw(json_values))).encode()
    elif kind == "replace_json":
        members[name] = json.dumps(draw(json_values)).encode()
    elif kind == "bytes":
        body = bytearray(members[name])
        for _ in range(draw(st.integers(1, 4))):
            if body:
                at = draw(st.integers(0, len(body) - 1))
                body[at] = draw(st.integers(0, 255))
        members[name] = bytes(body)
    elif kind == "drop" and name != "manifest.json":
        del members[name]
    elif kind == "add":
        extra = draw(st.sampled_from(["tensors-001.safetensors", "data.safetensors",
                                      "history.json", "other.bin"]))
        members[extra] = draw(st.binary(max_size=64))
    rehash = draw(st.booleans()) and name != "manifest.json"
    if rehash:
        manifest = json.loads(members["manifest.json"])
        manifest["members"] = {n: hashlib.sha256(b).hexdigest()
                               for n, b in members.items() if n != "manifest.json"}
        members["manifest.json"] = json.dumps(manifest).encode()
    cut = draw(st.integers(1, 4000)) if kind == "truncate_file" else None
    return members, cut


def test_generated_sessions_open_or_are_refused_in_words(tmp_path, monkeypatch):
    reads = []
    real_read = reading._read_bounded

    def watched(archive, info):  # no member is read past its declared size or budget
        data = real_read(archive, info)
        budget = MEMBER_BUDGET.get(info.filename, TENSOR_BUDGET)
        assert len(data) <= min(info.file_size, budget)
        reads.append(len(data))
        return data

    monkeypatch.setattr(reading, "_read_bounded", watched)
    path = tmp_path / "fuzz.pgsession"
    outcomes = {"opened": 0, "refused": 0}

    @settings(FUZZ, max_examples=SESSION_EXAMPLES)
    @given(sessions())
    def check(case):
        members, cut = case
        write_members(path, members)
        if cut is not None:
            data = path.read_bytes()
            path.write_bytes(data[:max(0, len(data) - cut)])
        try:
            session = open_session(path)
            if session.state is not None:
                trainer = Trainer(session.spec, data=prepared_data(session))
                restore_state(trainer, session.state, path)
            outcomes["opened"] += 1
        except PlaygroundError as exc:
            assert str(exc) and "\n" not in str(exc)
            outcomes["refused"] += 1

    check()
    assert sum(outcomes.values()) >= SESSION_EXAMPLES * 0.95, outcomes
    assert outcomes["refused"] > SESSION_EXAMPLES / 3 and reads


def spec_texts():
    base = tiny_spec().to_dict()
    edited = st.sampled_from(list(_paths(base))).flatmap(
        lambda place: json_values.map(lambda new: json.dumps(_replace_at(base, place, new))))
    return st.one_of(edited, json_values.map(json.dumps), st.text(max_size=200),
                     st.binary(max_size=200).map(lambda b: b.decode("latin-1")))


def test_generated_spec_files_load_or_are_refused_in_words():
    outcomes = {"valid": 0, "refused": 0}

    @settings(FUZZ, max_examples=SPEC_EXAMPLES)
    @given(spec_texts())
    def check(text):
        try:
            SessionSpec.from_json(text).validate()
            outcomes["valid"] += 1
        except SpecError as exc:
            assert str(exc) and "\n" not in str(exc)
            outcomes["refused"] += 1

    check()
    assert sum(outcomes.values()) >= SPEC_EXAMPLES * 0.95, outcomes


def test_random_zips_are_refused_in_words(tmp_path):
    path = tmp_path / "random.pgsession"
    count = {"n": 0}

    @settings(FUZZ, max_examples=300)
    @given(st.dictionaries(st.sampled_from(list(MEMBERS) + [
        "tensors-000.safetensors", "x/../y", "evil.pkl"]), st.binary(max_size=200),
        max_size=6), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    def check(entries, method):
        with zipfile.ZipFile(path, "w", compression=method) as archive:
            for name, body in entries.items():
                archive.writestr(name, body)
        count["n"] += 1
        try:
            open_session(path)
        except PlaygroundError:
            return
        raise AssertionError("a random zip opened as a session")

    check()
    assert count["n"] >= 250


# ------------------------------------------------ the newer parsers (issue 28)

NEWER_EXAMPLES = 400


def _one_sentence(exc: PlaygroundError) -> None:
    text = str(exc)
    assert text and "\n" not in text and len(text) < 500, text[:600]


def _tally(outcomes, attempt) -> None:
    """Run `attempt`: it works (parsed), or it is refused in one sentence."""
    try:
        attempt()
        outcomes["parsed"] += 1
    except PlaygroundError as exc:
        _one_sentence(exc)
        outcomes["refused"] += 1


def _fuzzed(tokens):
    """Texts made of the language's own pieces (so the parser gets past its first
    check), or of anything at all."""
    pieces = st.lists(st.sampled_from(tokens) | st.text(max_size=4), max_size=14)
    return st.one_of(pieces.map("".join), st.text(max_size=60),
                     st.binary(max_size=60).map(lambda b: b.decode("latin-1")))


_NUMBERS = ["0", "1", "-1", "0.5", "1e-3", "1e999", "nan", "inf", "-inf", "9" * 400,
            "1_0", "0x1f", ".", "..", "...", "e5"]


def test_generated_search_spaces_parse_or_are_refused_in_words():
    from playground.core.search import SearchSettings
    from playground.core.search.space import NAMES, parse_space

    tokens = [*NAMES, "batch", "colour", "=", ",", "|", ":", ":log", ":5", "..", *_NUMBERS,
              "sgd", "adam", "relu", "he_uniform"]
    number = st.sampled_from(["1e-3", "0.5", "1", "2", "16", "0.9", "0", "1e-4"] + _NUMBERS)
    value = st.one_of(
        st.tuples(number, number, st.sampled_from(["", ":log", ":3", ":log:4", ":x"])).map(
            lambda t: f"{t[0]}..{t[1]}{t[2]}"),
        st.lists(st.sampled_from(["sgd", "adam", "relu", "tanh", "4", "8"]), min_size=1,
                 max_size=3).map("|".join), number)
    items = st.lists(st.tuples(st.sampled_from([*NAMES, "batch", "bogus"]), value).map(
        lambda t: f"{t[0]}={t[1]}"), min_size=1, max_size=4).map(",".join)
    outcomes = {"parsed": 0, "refused": 0}

    @settings(FUZZ, max_examples=NEWER_EXAMPLES)
    @given(items | _fuzzed(tokens), st.sampled_from(["tpe", "random", "grid"]))
    def check(text, sampler):
        def attempt():
            parse_space(text).check_fits(tiny_spec())
            SearchSettings(text, sampler=sampler).check()

        _tally(outcomes, attempt)

    check()
    assert outcomes["parsed"] >= 5 and outcomes["refused"] > 100, outcomes


def test_generated_storage_urls_are_checked_or_refused_in_words(tmp_path, monkeypatch):
    from playground.core.search.storage import check_url, shown

    monkeypatch.chdir(tmp_path)
    tokens = ["sqlite://", "sqlite:///", "postgresql://", "mysql+pymysql://", "ftp://",
              "u", ":", "@", "/", "//", "?", "=", "%", "host", "db", "a.db", ":memory:",
              "..", "x" * 300, "\x00", "[", "]"]

    @settings(FUZZ, max_examples=NEWER_EXAMPLES)
    @given(_fuzzed(tokens))
    def check(url):
        try:
            check_url(url)
        except PlaygroundError as exc:
            _one_sentence(exc)
        assert len(shown(url)) <= 82

    check()
    assert list(tmp_path.iterdir()) == []  # checking a URL creates nothing


def test_generated_lab_expressions_parse_or_are_refused_in_words():
    from playground.core.lab.expr import FUNCTIONS, parse_expression

    tokens = ["x", "y", "+", "-", "*", "/", "**", "(", ")", *FUNCTIONS, "pi", "e", ",",
              *_NUMBERS, "9" * 320, "lambda", "__import__", "[0]", ".real", "x.y"]
    leaf = st.sampled_from(["x", "y", "pi", "2", "0.5", "1e6", "1e7", "0", "9" * 320])
    formula = st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(
            lambda t: f"({t[0]}{t[1]}{t[2]})"),
        st.tuples(st.sampled_from(sorted(FUNCTIONS)), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda t: f"-{t}")), max_leaves=12)
    outcomes = {"parsed": 0, "refused": 0}

    @settings(FUZZ, max_examples=NEWER_EXAMPLES)
    @given(formula | _fuzzed(tokens), st.sampled_from([("x",), ("x", "y")]))
    def check(text, variables):  # NaN or inf are answers, not errors
        _tally(outcomes, lambda: parse_expression(text, variables).value(
            *[0.5] * len(variables)))

    check()
    assert outcomes["parsed"] >= 5 and outcomes["refused"] > 100, outcomes


def test_generated_sweep_values_parse_or_are_refused_in_words():
    from playground.core.experiments.sweep import parse_values
    from playground.core.experiments.variables import VARIABLES

    tokens = [",", " ", *_NUMBERS, "sgd", "adam", "relu", "true", "none", "32", "4:relu"]

    @settings(FUZZ, max_examples=NEWER_EXAMPLES)
    @given(st.sampled_from(sorted(VARIABLES)) | st.text(max_size=8), _fuzzed(tokens))
    def check(name, text):
        try:
            parse_values(name, text)
        except PlaygroundError as exc:
            _one_sentence(exc)

    check()


def runs_members():
    """A format-2 session: two runs (one with checkpoints), the current one training."""
    if "runs" not in _cache:
        from playground.core.experiments.branch import CheckpointRecorder
        from playground.core.experiments.runs import RunStore

        store = RunStore()
        first = store.add(tiny_spec(epochs=4, batch_size=40))
        done = Trainer(first.spec, callbacks=[CheckpointRecorder(first, 2)])
        done.fit()
        first.set_history(done.history.columns, done.history.changes)
        second = store.add(tiny_spec(epochs=2, batch_size=40), "second")
        current = Trainer(second.spec)
        current.fit()
        members, manifest = writing._prepare_members(
            current.spec, current.state_dict(), current.data, None, "cpu", store, second.id)
        body = {k: bytes(v) for k, v in members.items()}
        body["manifest.json"] = manifest() if callable(manifest) else bytes(manifest)
        _cache["runs"] = body
    return _cache["runs"]


def test_generated_format_2_runs_and_checkpoints_open_or_are_refused(tmp_path):
    members = runs_members()
    runs = json.loads(members["runs.json"])
    places = list(_paths(runs))
    tensor_names = sorted(n for n in members if n.startswith("tensors-"))
    path = tmp_path / "runs.pgsession"
    outcomes = {"parsed": 0, "refused": 0}

    @settings(FUZZ, max_examples=NEWER_EXAMPLES)
    @given(st.sampled_from(places), json_values, st.sampled_from(tensor_names),
           st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3),
           st.booleans())
    def check(place, new, tensors, flips, rehash):
        body = dict(members)
        body["runs.json"] = json.dumps(_replace_at(runs, place, new)).encode()
        data = bytearray(body[tensors])  # a checkpoint's or a history's tensors
        for at, value in flips:
            data[at % len(data)] = value
        body[tensors] = bytes(data)
        if rehash:
            manifest = json.loads(body["manifest.json"])
            manifest["members"] = {n: hashlib.sha256(b).hexdigest()
                                   for n, b in body.items() if n != "manifest.json"}
            body["manifest.json"] = json.dumps(manifest).encode()
        write_members(path, body)

        def attempt():
            for run in open_session(path).runs:  # what the window does with each run
                for checkpoint in run.checkpoints:
                    run.checkpoint_at(checkpoint.epoch)

        _tally(outcomes, attempt)

    check()
    assert outcomes["parsed"] >= 1 and outcomes["refused"] > 100, outcomes
