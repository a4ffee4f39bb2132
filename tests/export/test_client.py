"""The Graph reader: paging, retries within the budget, and answers that are not
collections (https://learn.microsoft.com/graph/throttling,
https://learn.microsoft.com/graph/paging)."""

from __future__ import annotations

import pytest
from tests.export import FakeGraph, serving

from protected_actions.export import (
    LISTS,
    ExportError,
    GraphClient,
    RetryBudget,
    retry_after_seconds,
    static_token,
)

pytest.importorskip("httpx", reason="export needs the 'export' extra")

POLICIES = LISTS[0]


def client(url: str, waits: list[float], budget: RetryBudget | None = None) -> GraphClient:
    return GraphClient(static_token("t"), graph_url=url, budget=budget, sleep=waits.append)


def test_retry_after_is_honoured() -> None:
    path = "/v1.0/identity/conditionalAccess/policies"
    graph = FakeGraph(collections={path: [[{"id": "p1"}]]},
                      failures={path: [(429, {"Retry-After": "7"}, {}), (503, {}, {})]})
    waits: list[float] = []
    with serving(graph) as url, client(url, waits) as c:
        assert c.list_all(POLICIES) == [{"id": "p1"}]
        assert c.requests == 3
    assert waits == [7.0, 2.0]  # the header, then the doubling backoff (second retry)


def test_budget_caps_the_total_wait() -> None:
    path = "/v1.0/identity/conditionalAccess/policies"
    graph = FakeGraph(collections={path: [[]]},
                      failures={path: [(429, {"Retry-After": "50"}, {})] * 3})
    waits: list[float] = []
    with serving(graph) as url, client(url, waits, RetryBudget(seconds=60)) as c, \
            pytest.raises(ExportError, match=r"429 to GET .* 2 times: the retry budget"):
        c.list_all(POLICIES)
    assert waits == [50.0]


def test_budget_rules() -> None:
    budget = RetryBudget(attempts=2, seconds=10, longest=4)
    assert budget.wait(1, 100) == 4  # capped
    assert budget.wait(2, None) == 2
    assert budget.wait(3, 0) is None  # too many attempts
    assert RetryBudget(seconds=1).wait(1, 2) is None  # over the total


@pytest.mark.parametrize(("header", "seconds"), [
    ("0", 0.0), (" 12 ", 12.0), ("-1", None), ("1.5", None), ("", None), (None, None),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: no wait
])
def test_retry_after_values(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header) == seconds


def test_repeated_next_link_is_an_error() -> None:
    path = "/v1.0/identity/conditionalAccess/policies"
    graph = FakeGraph(collections={path: [[{"id": "a"}], [{"id": "b"}]]})
    with serving(graph) as url:
        # page 1 links back to itself
        graph.collections[path] = [[{"id": "a"}], [{"id": "b"}], [{"id": "c"}]]
        graph.failures[f"{path}?$skiptoken=1"] = [(200, {}, {
            "value": [], "@odata.nextLink": f"{url}{path}?$skiptoken=1"})] * 2
        with client(url, []) as c, pytest.raises(ExportError, match="nextLink repeats"):
            c.list_all(POLICIES)


@pytest.mark.parametrize("body", [{"value": {"id": "x"}}, {"items": []}, {"value": [1]}])
def test_not_a_collection(body: dict[str, object]) -> None:
    path = "/v1.0/identity/conditionalAccess/policies"
    graph = FakeGraph(failures={path: [(200, {}, body)]})
    with serving(graph) as url, client(url, []) as c, \
            pytest.raises(ExportError, match="expected a Graph collection"):
        c.list_all(POLICIES)


def test_unreachable_graph_spends_the_budget() -> None:
    waits: list[float] = []
    with serving(FakeGraph()) as url:
        pass  # the server is gone: nothing listens on the port any more
    with client(url, waits, RetryBudget(attempts=2)) as c, \
            pytest.raises(ExportError, match="cannot reach Microsoft Graph"):
        c.list_all(POLICIES)
    assert waits == [1.0, 2.0]


@pytest.mark.parametrize("token", ["", "   ", "Bearer ", "bearer  "])
def test_empty_token(token: str) -> None:
    with pytest.raises(ExportError, match="empty"):
        static_token(token)


@pytest.mark.parametrize("url", ["graph.microsoft.com", "ftp://graph.example", "https://", ""])
def test_graph_url_must_be_http(url: str) -> None:
    with pytest.raises(ExportError, match="not an http"):
        GraphClient(static_token("t"), graph_url=url)
