"""The README's screenshots of the default theme: the timeline at 375 px and on a desktop.

Builds the embedded sample content (``content/``, ``site/``) into a temporary folder, serves
it on 127.0.0.1 and photographs the home page with Debian's chromium through Playwright:

    .venv/bin/python scripts/screenshots.py        # writes docs/images/timeline-*.png
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
#: (file, viewport width, height, device scale): a phone and a desktop.
SHOTS = [("timeline-375.png", 375, 1100, 2), ("timeline-desktop.png", 1280, 1000, 1)]


def build(out: Path, instance: Path) -> None:
    """The sample site, built as the README's first command builds it, into ``out``."""
    env = {
        **os.environ,
        "BUILD_DIR": str(out),
        "MICROBLOG_INSTANCE_DIR": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'shots.db'}",
        "SITE_URL": "http://127.0.0.1:8765/",
    }
    subprocess.run([sys.executable, "freeze.py", "--quiet"], cwd=ROOT, env=env, check=True)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out, instance = Path(tmp) / "build", Path(tmp) / "instance"
        build(out, instance)
        handler = partial(SimpleHTTPRequestHandler, directory=str(out))
        server = ThreadingHTTPServer(("127.0.0.1", 8765), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                for name, width, height, scale in SHOTS:
                    page = browser.new_page(
                        viewport={"width": width, "height": height}, device_scale_factor=scale
                    )
                    page.goto("http://127.0.0.1:8765/", wait_until="networkidle")
                    page.screenshot(path=str(IMAGES / name))
                    page.close()
                    print(f"wrote docs/images/{name}")
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
