"""Checking what users type: ``-s NAME=VALUE`` settings and numeric options, each refused at once
with a one-line reason, instead of being ignored (a misspelt name) or failing in the log later.

Known names are those of crawler/settings.py and Scrapy's defaults, plus the namespaces of the
libraries a crawl may load (scrapy-playwright's ``PLAYWRIGHT_*``, scrapy-redis's ``REDIS_*``,
``SCHEDULER_*``, ``DUPEFILTER_*``). A value is checked against the type of the default: booleans
as Scrapy's ``getbool`` reads them, numbers as numbers (not negative where the default is not),
dicts as JSON objects.
"""

from __future__ import annotations

import argparse
import difflib
import json
from collections.abc import Callable
from functools import cache
from typing import Any

LIBRARY_PREFIXES = ("PLAYWRIGHT_", "REDIS_", "SCHEDULER_", "DUPEFILTER_")
BOOLEANS = ("0", "1", "True", "False", "true", "false")


@cache
def known_settings() -> dict[str, Any]:
    """Every setting name with its default: ours over Scrapy's."""
    from scrapy.settings import default_settings

    from crawler import settings as ours

    names: dict[str, Any] = {}
    for module in (default_settings, ours):
        names.update({k: getattr(module, k) for k in dir(module) if k.isupper() and not k.startswith("_")})
    return names


def check_setting(name: str, value: str) -> None:
    """ValueError saying what is wrong with ``-s NAME=VALUE``, if anything."""
    known = known_settings()
    if name not in known:
        if name.startswith(LIBRARY_PREFIXES):
            return
        close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.75)
        hint = f"; did you mean {' or '.join(close)}?" if close else " (see crawler/settings.py)"
        raise ValueError(f"-s {name}: no such setting{hint}")
    default = known[name]
    if isinstance(default, bool):
        if value not in BOOLEANS:
            raise ValueError(f"-s {name}={value}: a yes/no setting takes True or False (or 1, 0)")
    elif isinstance(default, (int, float)):
        try:
            number = float(value)  # (Scrapy reads some settings with whole defaults as decimals)
        except ValueError:
            raise ValueError(f"-s {name}={value}: not a number") from None
        if number < 0 <= default:
            raise ValueError(f"-s {name}={value}: must be 0 or more")
    elif isinstance(default, dict) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise ValueError(f'-s {name}={value}: takes a JSON object, e.g. {name}=\'{{"key": "value"}}\'')


def at_least(minimum: float, kind: Callable[[str], Any] = int) -> Callable[[str], Any]:
    """An argparse type: a number of ``kind`` no smaller than ``minimum``, else a clear error."""

    def parse(text: str) -> Any:
        try:
            number = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'a whole number' if kind is int else 'a number'}"
            ) from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum:g} or more, not {text}")
        return number

    return parse


def iso_day(text: str) -> str:
    """An argparse type for DATE options (``--since``): the day as YYYY-MM-DD, else a clear error."""
    from pipelines.record import parse_date

    day = parse_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"cannot read {text!r} as a date (use YYYY-MM-DD)")
    return day.isoformat()
