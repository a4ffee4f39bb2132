"""A fake Microsoft Graph for the export tests: a real HTTP server on 127.0.0.1,
started by the test in a thread, serving recorded pages.

:class:`FakeGraph` serves collections (split into pages linked by
``@odata.nextLink``), single objects, and scripted failures (a status and headers
served before the real answer), and records every request it receives.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs


@attrs.frozen
class Request:
    """One request the fake Graph received."""

    path: str
    query: dict[str, str]
    authorization: str | None


@attrs.define
class FakeGraph:
    """Routes of a fake Graph.

    ``collections`` maps a path (``/v1.0/users``) to its pages; ``objects`` maps a path
    to one object; ``failures`` maps a path (with ``?$skiptoken=N`` for a later page)
    to the ``(status, headers, body)`` answers served, in order, before the real one.
    """

    collections: dict[str, list[list[dict[str, Any]]]] = attrs.field(factory=dict)
    objects: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = attrs.field(
        factory=dict)
    requests: list[Request] = attrs.field(factory=list)
    base: str = ""

    def served(self, path: str) -> list[dict[str, Any]]:
        """Every object of a collection, all pages."""
        return [item for page in self.collections[path] for item in page]

    def answer(self, path: str, query: Mapping[str, str]) -> tuple[int, dict[str, str], Any]:
        """The status, headers and JSON body for a GET."""
        page = int(query.get("$skiptoken", "0"))
        route = path if page == 0 else f"{path}?$skiptoken={page}"
        scripted = self.failures.get(route)
        if scripted:
            return scripted.pop(0)
        if path in self.collections:
            pages = self.collections[path]
            body: dict[str, Any] = {"@odata.context": f"{self.base}/$metadata#{path}",
                                    "value": pages[page]}
            if page + 1 < len(pages):
                body["@odata.nextLink"] = f"{self.base}{path}?$skiptoken={page + 1}"
            return 200, {}, body
        if path in self.objects:
            return 200, {}, self.objects[path]
        return 404, {}, {"error": {"code": "Request_ResourceNotFound",
                                   "message": f"Resource '{path}' does not exist."}}


def _handler(graph: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            graph.requests.append(Request(url.path, query, self.headers.get("Authorization")))
            status, headers, body = graph.answer(url.path, query)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def serving(graph: FakeGraph) -> Iterator[str]:
    """Serve ``graph`` on a free port of 127.0.0.1; yields its root URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(graph))
    graph.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield graph.base
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
