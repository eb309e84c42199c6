"""Parse one reference string into fields (authors, title, container, year, ids...)."""

from __future__ import annotations

import re

from pipelines.identifiers import find_doi, find_pmcid, find_pmid
from pipelines.models import Reference

URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def parse_reference(raw: str, *, n: int = 0, base_url: str | None = None) -> Reference:
    """Identifiers only for now; the full field parser lands with the references issue."""
    url_match = URL_RE.search(raw)
    return Reference(
        n=n,
        raw=raw,
        doi=find_doi(raw),
        pmid=find_pmid(raw),
        pmcid=find_pmcid(raw),
        url=url_match.group(0).rstrip(".,;)") if url_match else None,
    )
