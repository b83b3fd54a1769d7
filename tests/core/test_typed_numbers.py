"""Every number a user types into the newer surfaces (the lab, races, search spaces and
settings, storage URLs) is checked for type, range and finiteness before any work, and
refused in one sentence that quotes at most about 80 characters of the input."""
import math

import pytest

from playground import cli
from playground.core.errors import PlaygroundError
from playground.core.lab import MoverSpec, Race, surface
from playground.core.lab.expr import parse_expression
from playground.core.limits import quoted
from playground.core.search import Search, SearchSettings, SpaceError
from playground.core.search.space import check_grid, parse_space

from .helpers import tiny_spec, with_layers, dense

LONG = "7" * 100_000


def test_quoted_keeps_at_most_80_characters_and_never_prints_a_huge_number():
    assert quoted("abc") == "'abc'"
    assert len(quoted("x" * 100_000)) <= 80
    assert quoted(10**100_000).startswith("a whole number of about 100,00")
    assert quoted(math.nan) == "nan" and quoted(-1.5) == "-1.5"


@pytest.mark.parametrize("text", ["9" * 310 + "*x", "1" + "0" * 308 + "*x",
                                  "-" + "9" * 350])
def test_an_integer_literal_too_big_for_a_float_is_one_sentence(text):
    with pytest.raises(PlaygroundError, match="is too large"):
        parse_expression(text)


@pytest.mark.parametrize("kwargs, words", [
    ({"seed": -1}, "seed must be a whole number"), ({"seed": 2**64}, "seed must be"),
    ({"seed": 1.5}, "seed must be"), ({"tol": math.nan}, "tolerance must be a finite"),
    ({"tol": -1.0}, "tolerance must be"), ({"tol": math.inf}, "tolerance must be"),
])
def test_race_seeds_and_tolerances_are_checked(kwargs, words):
    with pytest.raises(PlaygroundError, match=words):
        Race(surface("bowl"), (1.0, 1.0), [MoverSpec("sgd")], 5, **kwargs)


@pytest.mark.parametrize("warmup", [-3, math.nan, math.inf, 10**9])
def test_a_warm_up_is_a_finite_number_of_steps(warmup):
    with pytest.raises(PlaygroundError, match="The warm-up must be 0 to"):
        Race(surface("bowl"), (1.0, 1.0), [MoverSpec("sgd", warmup=warmup)], 5)


@pytest.mark.parametrize("args, words", [
    (["race", "--seed", str(2**64)], "seed must be"),
    (["race", "--tol", "nan"], "tolerance"),
    (["race", "--start", LONG], "is not a point"),
    (["race", "--optimizers", "sgd:x" + LONG], "not a learning rate"),
    (["race", "--optimizers", LONG], "unknown optimizer"),
    (["descend", "--schedule", "step:warmup=-3"], "warm-up"),
    (["descend", "--function", "9" * 300 + "*x"], "too large"),
    (["search", "--space", ",", "--storage", "sqlite:///never.db"], "holds no item"),
    (["search", "--space", "lr=1e-3..1", "--storage", "sqlite:///" + "d" * 5000 + ".db"],
     "longer than a file name"),
    (["search", "--space", "lr=1e-3..1", "--search-seed", str(2**40)], "search seed"),
    (["search", "worker", "--storage", "sqlite:///never.db", "--study", "s", "--epochs",
      "5"], "leave out --epochs"),
])
def test_cli_refusals_are_one_short_sentence_before_any_work(capsys, tmp_path,
                                                             monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    code = cli.main(args)
    err = capsys.readouterr().err.strip()
    assert code == cli.EXIT_USAGE and words in err, err
    assert len(err.splitlines()) == 1 and len(err) < 400
    assert list(tmp_path.iterdir()) == []  # no database, nothing trained


def test_the_grid_limit_binds_the_grid_sampler_only():
    six = "lr=1e-4..1:log,momentum=0..0.9,units=2..64,dropout=0..0.5,l2=0..0.1,batch_size=8..64"
    space = parse_space(six)  # TPE and random search draw from the ranges
    assert space.grid_size() == 5**6
    with pytest.raises(SpaceError, match="grid search can hold"):
        check_grid(space)
    SearchSettings(six, sampler="tpe").check()
    with pytest.raises(SpaceError, match="grid search can hold"):
        SearchSettings(six, sampler="grid").check()


def test_dropout_on_a_net_without_hidden_layers_is_refused_not_silently_nothing():
    bare = with_layers(tiny_spec(), dense(None))
    with pytest.raises(SpaceError, match="dropout applies after hidden layers"):
        Search(bare, SearchSettings("dropout=0..0.5", trials=1), None)
    Search(bare, SearchSettings("dropout=0..0.5,layers=1..2", trials=1), None)  # it can


@pytest.mark.parametrize("value", ["9" * 5000, "9" * 4000])
def test_a_spec_parameter_never_echoes_a_huge_input(capsys, value):
    code = cli.main(["train", "--dataset", "xor", "--epochs", "1", "--schedule",
                     f"step:step_size={value}"])
    err = capsys.readouterr().err.strip()
    assert code == cli.EXIT_USAGE and "--schedule step_size" in err and len(err) < 300
