"""hub/console.py: the built console is served at /console with headers that keep a page
holding a key to itself; /console leads to /console/; without a build the hub still
serves the API and /console says what to run. (The console itself runs in a browser in
tests/e2e/test_console.py.)"""

from pathlib import Path

import httpx
from starlette.applications import Starlette

from hub.app import create_app
from hub.console import SECURITY_HEADERS, console_routes
from hub.settings import Settings


def built(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>console</title>")
    (dist / "console.js").write_text("export {};")
    return dist


def client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


async def test_the_built_console_is_served_with_its_security_headers(tmp_path):
    async with client(Starlette(routes=console_routes(built(tmp_path)))) as http:
        page = await http.get("/console/")
        script = await http.get("/console/console.js")
        moved = await http.get("/console")
        missing = await http.get("/console/nothing.js")
    assert page.status_code == 200 and "<title>console</title>" in page.text
    assert page.headers["content-type"].startswith("text/html")
    for response in (page, script):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe" not in csp  # no inline code, no eval
    assert script.status_code == 200
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert moved.status_code == 308 and moved.headers["location"] == "/console/"
    assert missing.status_code == 404


async def test_without_a_build_the_console_says_what_to_run(tmp_path):
    async with client(Starlette(routes=console_routes(tmp_path / "not-built"))) as http:
        page = await http.get("/console/")
        deeper = await http.get("/console/console.js")
    for response in (page, deeper):
        assert response.status_code == 503
        assert "make console" in response.text and "HUB_CONSOLE_DIR" in response.text


async def test_the_hub_serves_the_console_without_a_key(tmp_path):
    # The files hold no data: every call the page makes goes to /graphql with the key.
    app = create_app(Settings(console_dir=built(tmp_path), env="test", prometheus="off"))
    async with client(app) as http:
        page = await http.get("/console/")
    assert page.status_code == 200 and "<title>console</title>" in page.text
