"""The engine's memo tables are bounded by entry count and by size, and never
remember an input that fails validation."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

import protected_actions as pa
from protected_actions.engine._memo import (
    KEY_CHARS_LIMIT,
    TABLE_CHARS_LIMIT,
    MemoTable,
    key_chars,
    remember,
)
from protected_actions.engine.compile import compiled
from protected_actions.samples import sample_session, sample_session_names, sample_tenant

CREATE = "microsoft.directory/conditionalAccessPolicies/create"


def test_key_chars_measures_strings_one_level_into_tuples_and_frozensets() -> None:
    assert key_chars("abc") == 3
    assert key_chars(("ab", 7, None, frozenset({"xyz", "q"}))) == 6
    assert key_chars((("a", ("deeper",)),)) == 1  # two levels down is not measured
    assert key_chars(42) == 0


def test_count_limit_clears_a_full_table() -> None:
    table: MemoTable[str, int] = MemoTable()
    for n in range(5):
        remember(table, f"k{n}", n, limit=3)
    assert dict(table) == {"k3": 3, "k4": 4}


def test_plain_dicts_keep_the_count_limit() -> None:
    table: dict[str, int] = {}
    for n in range(5):
        remember(table, f"k{n}", n, limit=3)
    assert table == {"k3": 3, "k4": 4}


def test_a_key_longer_than_the_limit_is_answered_but_not_stored() -> None:
    table: MemoTable[str, int] = MemoTable()
    assert remember(table, "x" * (KEY_CHARS_LIMIT + 1), 1) == 1
    assert not table
    assert table.chars == 0
    remember(table, "x" * KEY_CHARS_LIMIT, 2)
    assert len(table) == 1


def test_a_table_is_cleared_before_its_keys_pass_the_size_budget() -> None:
    table: MemoTable[str, int] = MemoTable()
    per_key = KEY_CHARS_LIMIT
    fits = TABLE_CHARS_LIMIT // per_key
    for n in range(fits):
        remember(table, f"{n:08d}".ljust(per_key, "x"), n)
    assert len(table) == fits
    remember(table, "next".ljust(per_key, "x"), -1)
    assert list(table.values()) == [-1]
    assert table.chars == per_key


def _actions_table() -> tuple[pa.Tenant, pa.SessionState, dict[object, object]]:
    tenant = sample_tenant()
    session = sample_session(sample_session_names()[0])
    pa.evaluate(tenant, session, CREATE)
    return tenant, session, compiled(tenant).caches["actions"]


@pytest.mark.parametrize("action", [
    "microsoft.directory/",  # malformed
    "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks",  # a wildcard
    "x" * 20_000,
])
def test_an_action_that_fails_validation_is_never_remembered(action: str) -> None:
    tenant, session, table = _actions_table()
    before = dict(table)
    with pytest.raises(pa.ProtectedActionsError):
        pa.evaluate(tenant, session, action)
    assert table == before


def test_an_unhashable_action_is_an_error_and_not_remembered() -> None:
    tenant, session, table = _actions_table()
    before = dict(table)
    with pytest.raises(pa.ProtectedActionsError):
        pa.evaluate(tenant, session, ["not", "an", "action"])  # type: ignore[arg-type]
    assert table == before


def test_memory_stays_bounded_for_many_distinct_long_actions() -> None:
    """4,000 distinct, well-formed 10 KB actions (the user holds no role granting
    them: DENY): without a size bound the action
    table kept every one (about 50 KB each, 200 MB); bounded, the growth stays
    under a generous 64 MB."""
    tenant, session, _ = _actions_table()
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for n in range(4_000):
            action = f"microsoft.directory/{'x' * 10_000}{n}/update"
            assert pa.evaluate(tenant, session, action).outcome is pa.Outcome.DENY
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024 * 1024, f"memo tables grew by {grown / 1e6:.0f} MB"


def test_the_user_table_measures_its_keys_as_key_chars_does() -> None:
    """The user memo's key is measured without walking it (its size is summed from
    the user's fields): the same count key_chars gives."""
    from protected_actions.engine.evaluator import _user_key_chars

    for who in (pa.User(id="u1"),
                pa.User(id="U-2", member_of={"g1", "group-two"}, roles={"r1"},
                        eligible_roles={"role-3"}, user_type="Guest",
                        guest_or_external_user_type="b2bCollaborationGuest",
                        home_tenant_id="t-9")):
        key = (who.id, who.member_of, who.roles, who.eligible_roles, who.user_type,
               who.guest_or_external_user_type, who.home_tenant_id)
        assert _user_key_chars(who) == key_chars(key)
