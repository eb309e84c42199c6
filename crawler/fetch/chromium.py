"""What rendering needs and names, importable without the render extra: the request meta key,
the modes of ``--render``, the Chromium binary to drive, and what is missing on this machine."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

RENDER_MODES = ("auto", "always", "never")
META_RENDER = "playwright"  # scrapy-playwright's meta key: this request is fetched by the browser
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "pip install 'clinic-archive[render]' (scrapy-playwright) and Debian's chromium"


class RenderTimeout(Exception):  # noqa: N818 - what happened, as in "render_timeout"
    """A page did not finish rendering within CLINIC_RENDER_TIMEOUT."""


def chromium_binary(configured: str | None = None) -> str | None:
    """The browser to drive: ``configured`` (CLINIC_CHROMIUM), else ``$CHROMIUM``, else Debian's
    /usr/bin/chromium, else a Chromium or Chrome on the PATH. Never Playwright's own downloads."""
    for candidate in (configured, os.environ.get("CHROMIUM"), "/usr/bin/chromium", *CHROMIUM_NAMES):
        if not candidate:
            continue
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
        if candidate == configured:
            return None  # a browser named explicitly and missing: not silently another one
    return None


def render_support(chromium: str | None = None) -> str | None:
    """Why pages cannot be rendered on this machine, or None when they can."""
    if importlib.util.find_spec("scrapy_playwright") is None:
        return f"the render extra is not installed: {INSTALL_HINT}"
    if chromium_binary(chromium) is None:
        named = f" at {chromium}" if chromium else ""
        return (
            f"no Chromium browser found{named}: install Debian's chromium (apt install chromium) "
            "or set CLINIC_CHROMIUM=/path/to/chromium"
        )
    return None
