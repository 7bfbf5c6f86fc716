"""Browser fixtures: Debian's Chromium through Playwright, against the app served in-process.

The page loads htmx from the CDN URL with its SRI hash; the test context fulfils exactly that
URL from the pinned local copy (`make vendor`), lets requests to 127.0.0.1 through and aborts
everything else. Without Chromium or the vendored files the browser tests skip, unless
REQUIRE_BROWSER=1 turns that into a failure (as CI does).
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, Route
from werkzeug.serving import make_server

from esp_registry import HTMX_SRI, HTMX_URL
from esp_registry.extensions import db
from esp_registry.seeding import seed_demo

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
HTMX_FILE = ROOT / ".cache" / "npm" / "htmx.min.js"
AXE_FILE = ROOT / ".cache" / "npm" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = (390, 1280)
DESKTOP = {"width": 1280, "height": 800}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}"""


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def vendored() -> dict[str, Path]:
    """Chromium and the pinned htmx and axe-core files, or a skip (a failure in CI)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    for path in (HTMX_FILE, AXE_FILE):
        if not path.exists():
            _unavailable(f"{path.relative_to(ROOT)} is missing (run `make vendor`)")
    return {"htmx": HTMX_FILE, "axe": AXE_FILE}


@pytest.fixture(scope="session")
def browser_type_launch_args(
    vendored: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("chromium-home")
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
        "env": {
            **os.environ,
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
        },
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """No fixed base URL: each test's context points at its own live server."""
    return None


@pytest.fixture(scope="session")
def axe_source(vendored: dict[str, Path]) -> str:
    return vendored["axe"].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def htmx_file(vendored: dict[str, Path]) -> Path:
    """The local htmx, proven to be the file the template's SRI hash names."""
    digest = hashlib.sha384(vendored["htmx"].read_bytes()).digest()
    local = "sha384-" + base64.b64encode(digest).decode("ascii")
    assert local == HTMX_SRI, f"{HTMX_FILE} is not the pinned htmx: {local} != {HTMX_SRI}"
    return vendored["htmx"]


@pytest.fixture
def backend(ctx: Flask) -> str:
    return db.engine.dialect.name


@pytest.fixture
def live_server(ctx: Flask) -> Iterator[str]:
    """The app with the demo world, served on a free port; each request gets its own app
    context (Flask pushes one per request in the server's threads)."""
    seed_demo()
    db.session.remove()
    server = make_server("127.0.0.1", 0, ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs the page tried to load from anywhere but the app and the pinned htmx."""
    return []


@pytest.fixture
def context(
    live_server: str,
    htmx_file: Path,
    blocked_requests: list[str],
    new_context: Callable[..., BrowserContext],
) -> BrowserContext:
    browser_context = new_context(base_url=live_server, viewport=DESKTOP, accept_downloads=True)

    def handle(route: Route) -> None:
        url = route.request.url
        if url == HTMX_URL:
            route.fulfill(path=htmx_file, content_type="application/javascript")
        elif urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked_requests.append(url)
            route.abort()

    browser_context.route("**/*", handle)
    return browser_context


@pytest.fixture
def check_page(backend: str, axe_source: str) -> Callable[[Page, str], None]:
    """check_page(page, name): htmx loaded (so SRI matched), no axe-core violation at phone
    or desktop width, and full-page screenshots at both widths."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def check(page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        assert page.evaluate("typeof htmx") == "object", f"{name}: htmx did not load ({page.url})"
        if page.evaluate("typeof axe") != "object":
            page.evaluate(axe_source)  # not add_script_tag: the app's CSP refuses inline scripts
        original = page.viewport_size or DESKTOP
        problems: list[str] = []
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 844 if width < 600 else 800})
                for v in page.evaluate(AXE_RUN, AXE_TAGS):
                    problems.append(
                        f"  [{width}px] {v['id']} ({v['impact']}): {v['help']}\n"
                        + "".join(f"      {target}\n" for target in v["targets"])
                    )
                page.screenshot(path=SCREENSHOTS / f"{backend}-{name}-{width}.png", full_page=True)
        finally:
            page.set_viewport_size(original)
        if problems:
            pytest.fail(f"axe-core violations on {name} ({page.url}):\n" + "".join(problems))

    return check
