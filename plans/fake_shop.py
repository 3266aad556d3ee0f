"""A tiny shop on loopback for rehearsing the online-store smoke checks: `python3 plans/fake_shop.py`.

Standard library only. It answers the smoke checks' pages with JSON (/health, /search,
/cart/add, /checkout, /catalogue/stats) on 127.0.0.1:8765 (or the port given). Rehearse against it with
`cutover start plans/online-store.toml --rehearsal --var shop=http://127.0.0.1:8765`.
`--fail /checkout` makes that page answer 503 (a checkout that is down), so the checkpoint
fails and its trigger arms; stop the shop (Ctrl-C) and every check fails with the reason.
"""

from __future__ import annotations

import contextlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PAGES = {
    "/health": lambda q: {"status": "ok"},
    "/search": lambda q: {"query": q.get("q", [""])[0], "count": 1, "results": [{"sku": "mug"}]},
    "/cart/add": lambda q: {"cart": {"items": 1, "sku": q.get("sku", [""])[0]}},
    "/checkout": lambda q: {"order": "ok", "total": 1.0},
    "/catalogue/stats": lambda q: {"skus": 48000, "categories": 212},
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        page = PAGES.get(parts.path)
        status, body = (200, page(parse_qs(parts.query))) if page else (404, {"error": "no page"})
        if parts.path in getattr(self.server, "failing", ()):
            status, body = 503, {"error": "payment gateway unavailable"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass  # quiet: the war room is in the same terminal


def make_server(port: int = 8765, failing: frozenset[str] = frozenset()) -> ThreadingHTTPServer:
    """The shop on 127.0.0.1:`port` (0: any free port); the pages in `failing` answer 503."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.failing = failing  # type: ignore[attr-defined]
    return server


if __name__ == "__main__":
    args = sys.argv[1:]
    failing = frozenset(args[i + 1] for i, a in enumerate(args[:-1]) if a == "--fail")
    numbers = [a for i, a in enumerate(args) if a.isdigit() and (i == 0 or args[i - 1] != "--fail")]
    port = int(numbers[0]) if numbers else 8765
    print(f"fake shop on http://127.0.0.1:{port}/ (Ctrl-C stops it)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        make_server(port, failing).serve_forever()
