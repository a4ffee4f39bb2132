"""A small Microsoft Graph reader over ``httpx``: bearer token, paging through
``@odata.nextLink``, and ``Retry-After`` on 429 and 503 within a bounded budget.

``httpx`` is the optional ``export`` extra; it is imported when a client is made.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._errors import ExportError, MissingPermissionError
from .endpoints import Endpoint

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_GRAPH_URL", "GraphClient", "RetryBudget", "retry_after_seconds"]


def __dir__() -> list[str]:
    return __all__


DEFAULT_GRAPH_URL = "https://graph.microsoft.com"
"""The public cloud's Microsoft Graph."""

RETRY_STATUSES = frozenset({429, 503})
"""Statuses Graph sends when it throttles or is briefly unavailable; both carry
``Retry-After`` (https://learn.microsoft.com/graph/throttling)."""

TokenProvider = Callable[[], str]
"""Returns a bearer token for Microsoft Graph (called before every request, so a
credential can refresh it)."""


class RetryBudget:
    """How long an export may wait for Graph: at most ``attempts`` retries of one
    request and ``seconds`` of waiting in all; each wait is capped at ``longest``."""

    def __init__(self, *, attempts: int = 6, seconds: float = 600.0,
                 longest: float = 120.0) -> None:
        self.attempts = attempts
        self.seconds = seconds
        self.longest = longest
        self.waited = 0.0

    def wait(self, attempt: int, requested: float | None) -> float | None:
        """Seconds to wait before retry number ``attempt`` (from 1), or ``None`` when
        the budget is spent. Without ``Retry-After`` the wait doubles from 1 s."""
        if attempt > self.attempts:
            return None
        seconds = min(self.longest, requested if requested is not None
                      else float(2 ** (attempt - 1)))
        if self.waited + seconds > self.seconds:
            return None
        self.waited += seconds
        return seconds


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """The ``Retry-After`` header as seconds (RFC 9110 section 10.2.3: a number of
    seconds or an HTTP date); ``None`` when absent or unreadable.

    ```pycon
    >>> retry_after_seconds("7")
    7.0
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:05 GMT",
    ...                     now=datetime(2015, 10, 21, 7, 28, tzinfo=timezone.utc))
    5.0
    >>> retry_after_seconds("soon") is None
    True

    ```
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    current = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def _detail(response: httpx.Response) -> str:
    """Graph's ``error.code`` of an error answer, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else ""


class GraphClient:
    """Reads Microsoft Graph at ``graph_url`` with the tokens ``token`` returns.

    :param http: an ``httpx.Client`` to use (default: a new one with a 60 s timeout).
    :param sleep: how to wait before a retry (tests pass a recorder).
    """

    def __init__(self, token: TokenProvider, *, graph_url: str = DEFAULT_GRAPH_URL,
                 budget: RetryBudget | None = None, http: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        parts = urlsplit(graph_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ExportError(f"--graph-url {graph_url!r} is not an http(s) URL")
        if http is None:
            import httpx

            http = httpx.Client(timeout=60.0, follow_redirects=False)
        self.graph_url = graph_url.rstrip("/")
        self.requests = 0
        self._token = token
        self._budget = budget if budget is not None else RetryBudget()
        self._http = http
        self._sleep = sleep

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, url: str, params: Mapping[str, str] | None, permission: str) -> httpx.Response:
        import httpx

        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                response = self._http.get(url, params=params or None, headers={
                    "Authorization": f"Bearer {self._token()}", "Accept": "application/json"})
            except httpx.TransportError as exc:
                wait = self._budget.wait(attempt, None)
                if wait is None:
                    raise ExportError(f"cannot reach Microsoft Graph at {url}: {exc}") from None
                self._sleep(wait)
                continue
            if response.status_code not in RETRY_STATUSES:
                break
            wait = self._budget.wait(attempt, retry_after_seconds(
                response.headers.get("Retry-After")))
            if wait is None:
                raise ExportError(
                    f"Microsoft Graph answered {response.status_code} to GET {url} "
                    f"{attempt} times: the retry budget is spent; try again later")
            self._sleep(wait)
        if response.status_code == 403:
            raise MissingPermissionError(permission, "GET", url, _detail(response))
        if response.status_code == 401:
            raise ExportError(f"Microsoft Graph rejected the token (401 Unauthorized"
                              f"{', ' + _detail(response) if _detail(response) else ''}) "
                              f"for GET {url}: sign in again or pass a valid --token")
        return response

    def get_object(self, endpoint: Endpoint, **ids: str) -> dict[str, Any] | None:
        """One object, or ``None`` when Graph answers 404 (it does not exist, or is not
        of the endpoint's type)."""
        url = endpoint.url(self.graph_url, **ids)
        response = self._get(url, endpoint.params(), endpoint.permission)
        if response.status_code == 404:
            return None
        return self._json_object(response, url)

    def list_all(self, endpoint: Endpoint, **ids: str) -> list[dict[str, Any]]:
        """Every object of a collection, following ``@odata.nextLink``."""
        return [item for page in self.pages(endpoint, **ids) for item in page]

    def pages(self, endpoint: Endpoint, **ids: str) -> Iterator[list[dict[str, Any]]]:
        """The pages of a collection, one list per page."""
        url: str | None = endpoint.url(self.graph_url, **ids)
        params: Mapping[str, str] | None = endpoint.params()
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise ExportError(f"Microsoft Graph's @odata.nextLink repeats {url}")
            seen.add(url)
            response = self._get(url, params, endpoint.permission)
            body = self._json_object(response, url)
            value = body.get("value")
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ExportError(f"GET {url}: expected a Graph collection "
                                  '({"value": [objects]}), got ' + json.dumps(body)[:200])
            yield value
            link = body.get("@odata.nextLink")
            if link is not None and not isinstance(link, str):
                raise ExportError(f"GET {url}: @odata.nextLink is not a URL: {link!r}")
            url, params = link, None  # the next link carries the whole query

    def _json_object(self, response: httpx.Response, url: str) -> dict[str, Any]:
        if response.status_code != 200:
            raise ExportError(f"Microsoft Graph answered {response.status_code} "
                              f"{response.reason_phrase} to GET {url}"
                              + (f" ({_detail(response)})" if _detail(response) else ""))
        try:
            body = response.json()
        except ValueError:
            raise ExportError(f"GET {url}: the answer is not JSON") from None
        if not isinstance(body, dict):
            raise ExportError(f"GET {url}: expected a JSON object")
        return body
