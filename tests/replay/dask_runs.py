"""The Dask checks, run in a child process by ``test_scale.py``: importing
``distributed`` installs tblib's exception pickling for the whole process, which
other tests must not inherit.

``python -m tests.replay.dask_runs LOG...`` prints one JSON object of verdicts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(paths: list[str]) -> dict[str, object]:
    """Replay ``paths`` every Dask way and compare with one process."""
    import tempfile

    import dask.bag
    from distributed import Client, LocalCluster
    from tests.replay import determinable_tenant, enforced_countries_tenant

    from protected_actions.cli import main as cli_main
    from protected_actions.replay import impact, read_sign_ins, replay
    from protected_actions.replay.dask import impact_bag, replay_bag, sign_in_bag

    tenant, proposed = determinable_tenant(), enforced_countries_tenant()
    one = replay(tenant, read_sign_ins(paths))
    one_impact = impact(tenant, proposed, read_sign_ins(paths))
    verdicts: dict[str, object] = {"signIns": one.sign_ins, "unreadable": one.unreadable}
    records = list(read_sign_ins(paths))
    verdicts["bagOfRecords"] = replay_bag(
        tenant, dask.bag.from_sequence(records, npartitions=4), scheduler="sync") == one
    # Blocks of a few lines: the lines before each block are counted, so every
    # record keeps its file and line; and so in a file with a byte order mark and
    # \r\n or \r ends of line, as read_sign_ins reads it.
    small = sign_in_bag(paths, blocksize=4096)
    verdicts["smallBlocks"] = small.npartitions > 3 and \
        replay_bag(tenant, small, scheduler="sync") == one
    with tempfile.TemporaryDirectory() as folder:
        lines = Path(paths[1]).read_text(encoding="utf-8").splitlines()
        same = []
        for end in ("\r\n", "\r"):
            path = Path(folder) / f"ends-{len(end)}.jsonl"
            path.write_bytes(("\ufeff" + end.join(lines) + end).encode())
            expected = replay(tenant, read_sign_ins(path))
            same.append(expected.unreadable == 1 and expected.sign_ins == len(lines) - 1 and
                        replay_bag(tenant, sign_in_bag(str(path), blocksize=4096),
                                   scheduler="sync") == expected)
        verdicts["endsOfLine"] = same
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        bag = sign_in_bag(paths)
        verdicts["partitions"] = bag.npartitions
        verdicts["agreement"] = replay_bag(tenant, bag) == one
        verdicts["impact"] = impact_bag(tenant, proposed, bag) == one_impact
        import contextlib
        import io

        from protected_actions import dump_tenant
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(out):
            bundle = Path(folder) / "tenant.json"
            bundle.write_text(json.dumps(dump_tenant(tenant)), encoding="utf-8")
            verdicts["cliStatus"] = cli_main([
                "replay", "--tenant", str(bundle), "--sign-ins", *paths,
                "--dask-scheduler", cluster.scheduler_address, "--format", "json"])
        verdicts["cliSignIns"] = json.loads(out.getvalue())["signIns"]
    return verdicts


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
