"""The war room in a browser: textual-serve's server, with a token in the URL.

textual-serve (Textual's own web serving) runs one war-room process per browser tab and
relays its screen over a websocket; it has no notion of who may look. This adds one, as
small as it can be: a random token made when `cutover serve` starts, printed in the URL it
prints, and checked on every request but textual-serve's own static assets (its JavaScript,
fonts and CSS: nothing of the run). The page that accepts the token sets it as an HttpOnly,
SameSite=Strict cookie, so the websocket the page opens next carries it without the token
being written into the page. Without it, or from a page of another origin: 403 and one
line saying what to use.

Who may look beyond that is the organisation's reverse proxy's job (README: "The war room
in a browser"); what the browser may do is nothing: the served war room is a watcher's
(cli/web_commands.py), because a browser has no OS identity to record on an event.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

COOKIE = "cutover_token"
REFUSED = (
    "403: this war room needs the token in the URL that `cutover serve` printed "
    "(http://HOST:PORT/?token=...)\n"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# textual-serve's page asks Google's servers for its font, which textual-serve also ships in
# its static assets: every viewer's browser called out of the jump host's network for it
# (user pass, 2026-12-02). The page is served naming its own copy instead.
_OUTSIDE_STYLESHEET = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
_OWN_FONT = (
    "<style>@font-face { font-family: 'Roboto Mono'; "
    "src: url('{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf'); }</style>"
)


def own_font_page(templates: Path) -> jinja2.FunctionLoader:
    """textual-serve's page templates with every stylesheet from another site replaced by
    the font it ships (`_OWN_FONT`): nothing the page loads leaves this server."""

    def source(name: str) -> str:
        return _OUTSIDE_STYLESHEET.sub(_OWN_FONT, (templates / name).read_text(encoding="utf-8"))

    return jinja2.FunctionLoader(source)


class TokenServer(Server):
    """textual-serve's Server, refusing every request without the token."""

    def __init__(self, command: str, token: str, **kwargs) -> None:
        super().__init__(command, **kwargs)
        self.token = token

    def _allowed(self, request: web.Request) -> bool:
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        return hmac.compare_digest(given.encode(), self.token.encode()) and self._same_origin(
            request
        )

    def _same_origin(self, request: web.Request) -> bool:
        """A request a page of another origin made (its Origin header says so) is refused
        even with the cookie: SameSite is by site, and every port of 127.0.0.1 is one site,
        so any other local web page could otherwise open the war room's websocket."""
        origin = request.headers.get("Origin")
        if origin is None:  # a top-level visit, or no browser at all: the token decides
            return True
        served = {urlsplit(self.public_url)._replace(path="", query="").geturl()}
        served |= {f"{scheme}://{request.host}" for scheme in ("http", "https")}
        return origin.rstrip("/") in served

    @web.middleware
    async def _check(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/static/"):  # textual-serve's own assets, no run data
            return await handler(request)
        if not self._allowed(request):
            return web.Response(status=403, text=REFUSED)
        response = await handler(request)
        if request.query.get("token") and not response.prepared:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        response.headers["Referrer-Policy"] = "no-referrer"  # the token stays on this page
        response.headers["Cache-Control"] = "no-store"
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._check)
        aiohttp_jinja2.setup(app, loader=own_font_page(Path(self.templates_path)))
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: `cutover serve` has said where it listens (textual-serve prints a logo)."""

    def initialize_logging(self) -> None:
        """textual-serve logs each tab's process at INFO on a rich console: left as WARNING."""
        import logging

        logging.getLogger("textual-serve").setLevel(logging.WARNING)
