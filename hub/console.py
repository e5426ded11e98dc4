"""The browser console at /console: the static files console/build.mjs writes (HTML, one
bundled script with cytoscape.js, one stylesheet), served as they are. The page holds an
API key, so it is served with headers that keep it to itself: it loads nothing but its own
files, talks to nothing but this hub, and cannot be framed. It calls /graphql like any
client, so a key's role applies there exactly as in the API (docs/console.md)."""

import base64
import hashlib
import logging
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

logger = logging.getLogger("hub")

# Where `make console` writes the build in a clone; an installed hub (the image) names its
# copy with HUB_CONSOLE_DIR.
DEFAULT_CONSOLE_DIR = Path(__file__).resolve().parents[1] / "console" / "dist"

# cytoscape.js adds one <style> element of its own, with this text (its renderer's init,
# cytoscape 3.x); the policy lets in exactly that text, by its hash, and no other inline
# style. (It otherwise styles elements through the CSSOM, which style-src does not govern.)
CYTOSCAPE_STYLE = ".__________cytoscape_container { position: relative; }"
_CYTOSCAPE_STYLE_HASH = base64.b64encode(hashlib.sha256(CYTOSCAPE_STYLE.encode()).digest())

SECURITY_HEADERS = {
    # Nothing in the console needs inline code or eval.
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; "
        f"style-src 'self' 'sha256-{_CYTOSCAPE_STYLE_HASH.decode()}'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    # A rebuilt console is picked up on the next load (the files are small).
    "cache-control": "no-cache",
}

NOT_BUILT = (
    "The console is not built. In a clone, `make console` builds it into console/dist "
    "(it needs Node.js 18+ and npm); an installed hub names the built files with "
    "HUB_CONSOLE_DIR.\n"
)


class ConsoleFiles(StaticFiles):
    """StaticFiles (index.html for /console/) with the console's security headers."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


async def _to_console(request: Request) -> Response:
    return RedirectResponse(url="/console/", status_code=308)


async def _not_built(request: Request) -> Response:
    return PlainTextResponse(NOT_BUILT, status_code=503)


def console_routes(directory: Path | None = None) -> list[BaseRoute]:
    """The routes of /console, serving ``directory`` (default: the clone's console/dist).
    When it holds no built console, /console answers 503 with what to run, and the hub
    still starts (the API does not need the console)."""
    directory = directory or DEFAULT_CONSOLE_DIR
    routes: list[BaseRoute] = [Route("/console", _to_console)]
    if (directory / "index.html").is_file():
        routes.append(Mount("/console", ConsoleFiles(directory=directory, html=True)))
    else:
        logger.warning("the console is not built (no %s): /console answers 503", directory)
        routes.append(Mount("/console", routes=[Route("/{path:path}", _not_built)]))
    return routes
