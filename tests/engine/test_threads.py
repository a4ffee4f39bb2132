"""``evaluate`` is safe to call from several threads on one tenant: the engine's
memo tables are plain dicts written under the GIL (single item stores, clears and
lookups, each atomic), and a table's value is a pure function of its key, so a
racing store or clear can only cost a recomputation, never a different answer.

This test hammers one tenant from four threads, each walking the same requests in
a different order, and compares every answer with a single-threaded run on an
equal, freshly compiled tenant.
"""

from __future__ import annotations

import random
import sys
from concurrent.futures import ThreadPoolExecutor

import attrs

import protected_actions as pa
from protected_actions.samples import sample_session, sample_session_names, sample_tenant

THREADS = 4
ROUNDS = 8


def _requests() -> list[tuple[pa.SessionState, str]]:
    tenant = sample_tenant()
    actions = sorted({str(a.permission) for a in tenant.protected_actions} |
                     {"microsoft.directory/users/basic/update"})
    return [(sample_session(name), action) for name in sample_session_names()
            for action in actions]


def _answer(decision: pa.Decision) -> tuple[object, ...]:
    return (decision.outcome, decision.codes, decision.complete,
            tuple(r.message for r in decision.reasons))


def test_four_threads_on_one_tenant_agree_with_one_thread() -> None:
    requests = _requests()
    expected = [_answer(pa.evaluate(sample_tenant(), session, action))
                for session, action in requests]
    shared = sample_tenant()
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows

    def hammer(seed: int) -> list[tuple[int, tuple[object, ...]]]:
        order = list(range(len(requests))) * ROUNDS
        random.Random(seed).shuffle(order)
        return [(i, _answer(pa.evaluate(shared, *requests[i]))) for i in order]

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(hammer, range(THREADS)))
    finally:
        sys.setswitchinterval(switch)
    wrong = [(requests[i][1], requests[i][0].user.id) for answers in results
             for i, answer in answers if answer != expected[i]]
    assert wrong == []
    assert sum(len(answers) for answers in results) == THREADS * ROUNDS * len(requests)


def test_a_fresh_tenant_racing_its_first_compile_agrees() -> None:
    """The first requests on a tenant race to compile its index; every thread still
    gets the single-threaded answers."""
    requests = _requests()
    expected = [_answer(pa.evaluate(sample_tenant(), s, a)) for s, a in requests]

    def walk(tenant: pa.Tenant) -> list[tuple[object, ...]]:
        return [_answer(pa.evaluate(tenant, s, a)) for s, a in requests]

    for _ in range(5):
        shared = attrs.evolve(sample_tenant())
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(walk, [shared] * THREADS))
        assert all(answers == expected for answers in results)
