"""Several processes share one study in a real PostgreSQL on loopback, started here.

The server runs from Debian's postgresql package (initdb in a temporary folder, pg_ctl on
a free port, trust authentication on 127.0.0.1 only). PostgreSQL refuses to run as root,
so under root (CI) it runs as the unprivileged user 'nobody' through runuser. The test
skips, with the reason, only where the binaries are missing.
"""
from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from playground.core.search import Search, SearchSettings

from ..helpers import tiny_spec

ROOT = Path(__file__).resolve().parents[3]


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def postgres_url():
    if not (_binary("initdb") and _binary("pg_ctl")):
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get "
                    "install postgresql; .ci/setup installs it)")
    with running_postgres() as url:
        yield url


@contextlib.contextmanager
def running_postgres():
    """A PostgreSQL server on loopback for as long as the block runs; its URL."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    as_user: list[str] = []
    root = os.geteuid() == 0
    # as root, a folder under /tmp: $TMPDIR may lie under a folder 'nobody' cannot enter
    folder = tempfile.mkdtemp(prefix="playground-pg-", dir="/tmp" if root else None)
    if root:  # postgres will not run as root
        runuser = shutil.which("runuser")
        if not runuser:
            raise RuntimeError("running as root needs runuser (util-linux) to start "
                               "PostgreSQL as an unprivileged user")
        as_user = [runuser, "-u", "nobody", "--"]
        shutil.chown(folder, "nobody")
    data, port = os.path.join(folder, "data"), _free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True,  # noqa: E731
                                      capture_output=True, text=True, timeout=120)
    try:
        run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        run(pg_ctl, "-D", data, "-l", os.path.join(folder, "log"), "-w", "-t", "60", "-o",
            f"-p {port} -h 127.0.0.1 -k {data} -F", "start")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            run(pg_ctl, "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _worker(url: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "playground", "search", "worker",
                             "--storage", url, "--study", "shared", "--jsonl"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.slow
def test_two_workers_and_this_process_share_one_study(postgres_url):
    trials = 12
    settings = SearchSettings("lr=1e-3..0.3:log,units=2..12", trials=trials, pruner="none",
                              study="shared")
    search = Search(tiny_spec(epochs=15, threads=1), settings, postgres_url)
    workers = [_worker(postgres_url) for _ in range(2)]
    try:
        _wait_until_each_worker_has_a_trial(search, workers)
        ran_here = [r.number for r in search.run().ran]
        outputs = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    ran_by = [ran_here] + [[json.loads(line)["number"] for line in out.splitlines()
                            if '"event": "trial"' in line] for out, _ in outputs]
    numbers = [n for ran in ran_by for n in ran]
    assert all(ran_by), ran_by                      # each of the three took part
    assert len(numbers) == len(set(numbers))        # no trial was run twice
    study = optuna.load_study(study_name="shared", storage=postgres_url)
    recorded = study.get_trials()
    assert sorted(numbers) == [t.number for t in recorded]   # every trial recorded...
    assert all(t.state == TrialState.COMPLETE for t in recorded)  # ...with its result
    # the budget is the study's: the three stop together (a trial asked at the same
    # instant by two processes may pass it by one each)
    assert trials <= len(recorded) <= trials + 2
    pids = {t.user_attrs["pid"] for t in recorded}
    assert pids == {os.getpid(), *(worker.pid for worker in workers)}


def _wait_until_each_worker_has_a_trial(search, workers, seconds=120):
    deadline = time.monotonic() + seconds
    wanted = {worker.pid for worker in workers}
    while time.monotonic() < deadline:
        for worker in workers:
            assert worker.poll() is None, worker.communicate()
        pids = {t.user_attrs.get("pid") for t in search.study.get_trials(deepcopy=False)}
        if wanted <= pids:
            return
        time.sleep(0.05)  # polling other processes through the database: no signal
    raise AssertionError("the workers did not start a trial in time")
