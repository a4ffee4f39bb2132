"""Every execution mode gives the same report: one process, worker processes, and
Dask (a real ``distributed.LocalCluster``, kept small)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.replay import determinable_tenant, enforced_countries_tenant

from protected_actions.replay import impact, read_sign_ins, replay
from protected_actions.replay import run as replay_run
from protected_actions.replay.dask import impact_bag, replay_bag, sign_in_bag
from protected_actions.replay.synthetic import synthetic_sign_ins

distributed = pytest.importorskip("distributed")


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


def test_worker_processes_give_the_same_reports(logs: list[Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_run, "CHUNK", 64)  # several chunks per worker
    tenant, proposed = determinable_tenant(), enforced_countries_tenant()
    one = replay(tenant, read_sign_ins(logs))
    assert (one.sign_ins, one.unreadable, one.agree) == (300, 1, 300)
    done: list[int] = []
    assert replay(tenant, read_sign_ins(logs), workers=2, progress=done.append) == one
    assert done[-1] == 301 and done == sorted(done)
    assert impact(tenant, proposed, read_sign_ins(logs), workers=2) == \
        impact(tenant, proposed, read_sign_ins(logs))


def test_dask_on_a_local_cluster_gives_the_same_reports(logs: list[Path]) -> None:
    tenant, proposed = determinable_tenant(), enforced_countries_tenant()
    one = replay(tenant, read_sign_ins(logs))
    one_impact = impact(tenant, proposed, read_sign_ins(logs))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        bag = sign_in_bag([str(p) for p in logs])
        assert bag.npartitions == 3
        assert replay_bag(tenant, bag) == one
        assert impact_bag(tenant, proposed, bag) == one_impact


def test_dask_bag_of_parsed_records(logs: list[Path]) -> None:
    import dask.bag

    tenant = determinable_tenant()
    records = list(read_sign_ins(logs))
    bag = dask.bag.from_sequence(records, npartitions=4)
    assert replay_bag(tenant, bag, scheduler="sync") == replay(tenant, records)
