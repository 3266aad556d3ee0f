"""A tiny shop on loopback for rehearsing plans/shop-smoke-checks.toml: `python3 plans/fake_shop.py`.

Standard library only. It answers the smoke checks' pages with JSON (/health, /search,
/cart/add, /checkout) on 127.0.0.1:8765 (or the port given); stop it (Ctrl-C) and the plan's
`shop` probe goes red, which is the point of a rehearsal.
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
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        page = PAGES.get(parts.path)
        status, body = (200, page(parse_qs(parts.query))) if page else (404, {"error": "no page"})
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass  # quiet: the war room is in the same terminal


def make_server(port: int = 8765) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    print(f"fake shop on http://127.0.0.1:{port}/ (Ctrl-C stops it)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        make_server(port).serve_forever()
