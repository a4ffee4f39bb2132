"""Every execution mode gives the same report: one process, worker processes, and
Dask (a real ``distributed.LocalCluster``, kept small, in a child process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from tests.replay import determinable_tenant, enforced_countries_tenant

from protected_actions.replay import impact, read_sign_ins, replay
from protected_actions.replay import run as replay_run
from protected_actions.replay.synthetic import synthetic_sign_ins


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("logs")
    records = list(synthetic_sign_ins(determinable_tenant(), 300, seed=11))
    paths = []
    for i in range(3):
        path = folder / f"day{i}.jsonl"
        lines = [json.dumps(r) for r in records[i * 100:(i + 1) * 100]]
        if i == 1:
            lines.insert(5, '{"broken": ')
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


@pytest.mark.parametrize("start", ["fork where safe", "spawn"])
def test_worker_processes_give_the_same_reports(logs: list[Path], start: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_run, "CHUNK", 64)  # several chunks per worker
    if start == "spawn":  # as on a platform that does not fork
        monkeypatch.setattr(replay_run.multiprocessing, "get_all_start_methods",
                            lambda: ["spawn"])
    tenant, proposed = determinable_tenant(), enforced_countries_tenant()
    one = replay(tenant, read_sign_ins(logs))
    assert (one.sign_ins, one.unreadable, one.agree) == (300, 1, 300)
    done: list[int] = []
    assert replay(tenant, read_sign_ins(logs), workers=2, progress=done.append) == one
    assert done[-1] == 301 and done == sorted(done)
    assert impact(tenant, proposed, read_sign_ins(logs), workers=2) == \
        impact(tenant, proposed, read_sign_ins(logs))


def _die(job: object) -> None:
    os._exit(3)  # a worker killed mid-chunk (out of memory, a signal)


def test_a_worker_that_dies_fails_the_run_instead_of_hanging(
        logs: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunk a dead worker held would never come back: the run raises
    (BrokenProcessPool) rather than waiting for it forever."""
    monkeypatch.setattr(replay_run, "_agreement_chunk", _die)
    with pytest.raises(BrokenProcessPool):
        replay(determinable_tenant(), read_sign_ins(logs), workers=2)


def test_dask_gives_the_same_reports(logs: list[Path]) -> None:
    """A bag of parsed records, a real ``distributed.LocalCluster`` with one partition
    per file, and the command line's ``--dask-scheduler`` (in a child process: see
    ``dask_runs``)."""
    pytest.importorskip("distributed")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    done = subprocess.run([sys.executable, "-m", "tests.replay.dask_runs",
                           *[str(p) for p in logs]], cwd=root, env=env, timeout=600,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    verdicts = json.loads(done.stdout.splitlines()[-1])
    assert verdicts == {"signIns": 300, "unreadable": 1, "bagOfRecords": True,
                        "smallBlocks": True, "endsOfLine": [True, True],
                        "partitions": 3, "agreement": True, "impact": True,
                        "cliStatus": 0, "cliSignIns": 300}
