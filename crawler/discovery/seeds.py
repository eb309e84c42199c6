"""Seeds: the sites a crawl starts from, as the command line and a seeds file give them."""

from __future__ import annotations

from pathlib import Path

from pipelines.record import clean_url, site_key


class SeedError(ValueError):
    """A seed that is not an http(s) URL."""


def parse_seeds(seeds: str | list[str] | None = None, seeds_file: str | None = None) -> list[str]:
    """Seeds from a comma/space separated string, a list, and/or a file (one per line, # comments)."""
    items: list[str] = []
    if isinstance(seeds, str):
        items += seeds.replace(",", " ").split()
    elif seeds:
        items += list(seeds)
    if seeds_file:
        for line in Path(seeds_file).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                items.append(line)
    cleaned = []
    for item in items:
        url = clean_url(item if "://" in item else f"https://{item}")
        host = site_key(url).split(":")[0] if url else ""
        if "." not in host and host != "localhost":
            raise SeedError(
                f"not a website URL: {item!r} (expected something like https://clinic.example/blog/)"
            )
        if url not in cleaned:
            cleaned.append(url)
    return cleaned
