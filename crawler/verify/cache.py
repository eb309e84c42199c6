"""Answers kept on disk under ``OUTPUT/.cache/verify/``, one file per request URL (its SHA-256),
so that a second run asks nothing it already knows and ``--offline`` can run from them alone.
Kept: 200s and 404s (a DOI Crossref does not know stays unknown for a while); not kept: errors,
rate limits and anything else a later run should ask again. The key leaves out the etiquette
parameters (``mailto``, ``email``, ``tool``): another contact address asks the same question."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipelines.record import utc_now
from pipelines.verify import Reply

CACHE_DIR = Path(".cache") / "verify"
CACHED_STATUSES = frozenset({200, 404})
ETIQUETTE_PARAMS = frozenset({"mailto", "email", "tool"})


def cache_key(url: str) -> str:
    """SHA-256 of the URL without its etiquette parameters."""
    parts = urlsplit(url)
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ETIQUETTE_PARAMS]
    )
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    return hashlib.sha256(bare.encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(self, output: Path) -> None:
        self.root = output / CACHE_DIR

    def path(self, url: str) -> Path:
        key = cache_key(url)
        return self.root / key[:2] / f"{key}.json"

    def get(self, url: str) -> Reply | None:
        """The kept answer for ``url``; None if there is none (or it cannot be read)."""
        try:
            entry = json.loads(self.path(url).read_text("utf-8"))
            body = entry["body"].encode("utf-8") if "body" in entry else base64.b64decode(entry["body_b64"])
            return Reply(int(entry["status"]), body)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, url: str, reply: Reply) -> bool:
        """Keep ``reply`` if it is worth keeping; written whole or not at all (temp + rename)."""
        if reply.status not in CACHED_STATUSES or reply.body is None:
            return False
        entry: dict[str, object] = {"url": url, "status": reply.status, "fetched_at": utc_now()}
        try:
            entry["body"] = reply.body.decode("utf-8")
        except UnicodeDecodeError:
            entry["body_b64"] = base64.b64encode(reply.body).decode("ascii")
        path = self.path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(entry, ensure_ascii=False), "utf-8")
        os.replace(tmp, path)
        return True
