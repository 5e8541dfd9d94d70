"""Open a report in real headless Chromium (Debian's `chromium`, driven by Playwright) and record what it did.

Used by the tests and by scripts/screenshots.py; needs the `test` extra (playwright).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Rendered:
    text: str  # the page's rendered text (document.body.innerText)
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, besides itself
    images_loaded: int = 0
    page_width: int = 0  # the document's scroll width: wider than the viewport means the page runs off it
    blocked: list[str] = field(default_factory=list)  # with `offline`: every request refused (not file: or data:)
    evaluated: object = None  # what `evaluate` returned


def render(
    path: Path,
    screenshot: Path | None = None,
    width: int = 1280,
    height: int | None = None,
    *,
    offline: bool = False,
    wait_for: str | None = None,
    evaluate: str | None = None,
) -> Rendered:
    """Load a local HTML file; `screenshot` gets the full page, or its top `height` pixels. `offline` refuses every
    request that is not for a file: or data: URL (as an air-gapped machine would); `wait_for` is a JavaScript
    expression awaited true before anything is read (pages whose scripts draw after load); `evaluate` a JavaScript
    expression whose value is returned in `evaluated`."""
    from playwright.sync_api import sync_playwright

    url = path.resolve().as_uri()
    out = Rendered(text="")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("console", lambda m: out.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: out.console_errors.append(str(e)))
        page.on("request", lambda r: out.requests.append(r.url) if r.url != url else None)
        if offline:
            page.route("**/*", lambda route: _offline(route, out.blocked))
        page.goto(url, wait_until="load")
        if wait_for:
            page.wait_for_function(wait_for, timeout=30_000)
        if evaluate:
            out.evaluated = page.evaluate(evaluate)
        out.text = page.inner_text("body")
        out.images_loaded = page.evaluate(
            "Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length"
        )
        out.page_width = page.evaluate("document.documentElement.scrollWidth")
        if screenshot:
            if height:
                page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(screenshot), full_page=height is None)
        browser.close()
    # data: URIs are part of the page itself, not network requests
    out.requests = [r for r in out.requests if not r.startswith("data:")]
    return out


def _offline(route, blocked: list[str]) -> None:
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        blocked.append(route.request.url)
        route.abort("internetdisconnected")
