"""Crossref and PubMed stand-ins on 127.0.0.1 for the verify tests: tests/faultserver.py's server
answering ``{base}/crossref/works/{doi}``, ``{base}/crossref/works?query.bibliographic=...`` and
``{base}/pubmed/esummary.fcgi?db=...&id=...`` in the services' documented JSON, from the files in
tests/fixtures/verify/. ``faults`` maps a DOI to the replies its first attempts get (a 429 with
Retry-After, a 500) before the real answer."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.conftest import FIXTURES
from tests.faultserver import FaultServer, Reply

DATA = FIXTURES / "verify"
JSON = "application/json;charset=utf-8"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text("utf-8"))


def crossref_envelope(message_type: str, message: Any) -> bytes:
    return json.dumps(
        {"status": "ok", "message-type": message_type, "message-version": "1.0.0", "message": message}
    ).encode()


class StandIn(FaultServer):
    """Both services on one server; ``crossref_url`` and ``pubmed_url`` are their bases."""

    def __init__(self, faults: dict[str, list[Reply]] | None = None) -> None:
        self.works = load("crossref_works.json")
        self.searches = load("crossref_search.json")
        self.summaries = load("pubmed_esummary.json")
        self.faults = faults or {}
        super().__init__(
            lambda base: {"/crossref/works*": self.crossref, "/pubmed/esummary.fcgi": self.pubmed}
        )

    @property
    def crossref_url(self) -> str:
        return f"{self.url}/crossref"

    @property
    def pubmed_url(self) -> str:
        return f"{self.url}/pubmed"

    def options(self) -> list[str]:
        return ["--crossref-url", self.crossref_url, "--pubmed-url", self.pubmed_url]

    def crossref(self, target: str, attempt: int) -> Reply:
        parts = urlsplit(target)
        if parts.path == "/crossref/works":
            query = parse_qs(parts.query).get("query.bibliographic", [""])[0].lower()
            items = next((s["items"] for s in self.searches if s["match"] in query), [])
            rows = int(parse_qs(parts.query).get("rows", ["20"])[0])
            message = {
                "facets": {},
                "total-results": len(items),
                "items": items[:rows],
                "items-per-page": rows,
            }
            return Reply(body=crossref_envelope("work-list", message), content_type=JSON)
        doi = unquote(parts.path.removeprefix("/crossref/works/")).lower()
        faults = self.faults.get(doi, [])
        if attempt <= len(faults):
            return faults[attempt - 1]
        if doi not in self.works:
            return Reply(status=404, body=b"Resource not found.", content_type="text/plain")
        return Reply(body=crossref_envelope("work", self.works[doi]), content_type=JSON)

    def pubmed(self, target: str, attempt: int) -> Reply:
        query = parse_qs(urlsplit(target).query)
        db, uid = query.get("db", ["pubmed"])[0], query.get("id", [""])[0]
        doc = self.summaries.get(db, {}).get(uid) or {"uid": uid, "error": "cannot get document summary"}
        body = {"header": {"type": "esummary", "version": "0.3"}, "result": {"uids": [uid], uid: doc}}
        return Reply(body=json.dumps(body).encode(), content_type=JSON)
