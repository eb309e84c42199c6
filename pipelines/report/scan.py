"""Stream an archive once and keep, per article id, the summary of its newest version.

The archive is append-only history: a post appears once per version and the last line per
``id`` is its current state (a tombstone line, with ``removed_at``, when the post is gone).
One pass with a dict ``id -> PostSummary`` (and ``id -> MinHash signature``) gives exactly
the newest versions while holding no texts, so memory grows with the number of posts, not
with the size of the file.
"""

from __future__ import annotations

import gc
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.archive import ARTICLES, SKIPPED, iter_lines
from pipelines.extract import usable_cpus
from pipelines.report.neardup import Signer, sign_all
from pipelines.report.summary import PostSummary, summarize
from pipelines.report.verification import VerificationIndex
from pipelines.verify import VERIFICATION

log = logging.getLogger(__name__)

# Starting worker processes costs a fraction of a second: worth it from a few thousand posts on.
PARALLEL_MIN_BYTES = 16 * 2**20


@dataclass
class Scan:
    """The newest version of every post that passes the filters, plus counts about the file."""

    posts: dict[str, PostSummary] = field(default_factory=dict)
    signatures: dict[str, bytes] = field(default_factory=dict)  # only for posts long enough
    lines: int = 0
    bad_lines: int = 0  # lines that are not JSON objects (a torn or hand-edited file)
    ids: int = 0  # distinct posts in the file, before filters
    sites_seen: Counter[str] = field(default_factory=Counter)  # newest versions per site, before filters
    removed: set[str] = field(default_factory=set)  # posts whose newest line is a tombstone (404/410)
    # pages kept with --keep-non-articles (a page_type other than "article"): not posts, not counted
    non_articles: set[str] = field(default_factory=set)
    # verification.jsonl beside the archive, when there is one: where, its lines and unusable lines
    verification: str | None = None
    verification_lines: int = 0
    verification_bad_lines: int = 0


def archive_file(path: str | Path) -> Path:
    """``OUTPUT`` may be the archive directory or its ``articles.jsonl`` itself."""
    path = Path(path)
    return path / ARTICLES if path.is_dir() else path


def skipped_pages(path: str | Path, sites: Iterable[str] | None = None) -> Counter[str]:
    """Distinct URLs of ``skipped.jsonl`` beside the archive, by kind (``not_article``,
    ``listing``, ``duplicate_canonical``, ``before_since``): the fetched pages that are not posts."""
    file = archive_file(path).with_name(SKIPPED)
    if not file.exists():
        return Counter()
    wanted = {site_key(s) for s in sites} if sites else None
    kinds: dict[str, str] = {}
    for line in read_lines(file):
        if line is None or not isinstance(line.get("url"), str):
            continue
        if wanted is None or site_key(line["url"]) in wanted:
            kinds[line["url"]] = str(line.get("kind") or "not_article")
    return Counter(kinds.values())


def failed_sites(path: str | Path, sites: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The sites whose last crawl could not crawl them, from ``sites.jsonl`` beside the archive
    (and a distributed crawl's ``sites-*.jsonl``): site, status, reason, crawl. A site crawled
    fine since it failed is not listed."""
    directory = archive_file(path).parent
    wanted = {site_key(s) for s in sites} if sites else None
    last: dict[str, dict[str, Any]] = {}
    for file in sorted(directory.glob("sites*.jsonl")):
        if file.stem != "sites" and not file.stem.startswith("sites-"):
            continue
        for line in read_lines(file):
            if line is None or not isinstance(line.get("site"), str):
                continue
            site = site_key(line["site"])
            if wanted is None or site in wanted:
                last[site] = line  # lines are appended as crawls end: the last is the newest
    return [
        {
            "site": site,
            "status": line.get("status"),
            "reason": line.get("reason"),
            "crawl": line.get("crawl_id"),
        }
        for site, line in sorted(last.items())
        if line.get("status") not in (None, "ok")
    ]


def load_verification(path: str | Path) -> tuple[Path, VerificationIndex] | None:
    """The index of ``verification.jsonl`` beside the archive (``clinic-archive verify``), or None
    when there is none."""
    file = archive_file(path).with_name(VERIFICATION)
    if not file.is_file():
        return None
    index = VerificationIndex()
    for line in read_lines(file):
        index.add(line)
    return file, index


def site_key(value: str) -> str:
    """Compare sites the way people type them: case, ``www.`` and a scheme or path do not matter."""
    value = value.strip().lower()
    if "://" in value:
        value = urlsplit(value).netloc
    return value.split("/")[0].removeprefix("www.")


def read_lines(path: Path) -> Iterator[dict[str, Any] | None]:
    """Each line's JSON object, or None for a line that is not one; a torn last line and an
    over-long one are skipped (with a warning), in bounded memory."""
    with path.open("rb") as f:
        for line in iter_lines(f):
            if problem := line.problem():
                log.warning("%s:%d: skipping a %s", path, line.number, problem)
                continue
            if not line.raw or not line.raw.strip():
                continue
            try:
                record = json.loads(line.raw)
            except ValueError:
                yield None
                continue
            yield record if isinstance(record, dict) else None


def scan_records(
    records: Iterable[dict[str, Any] | None],
    sites: Iterable[str] | None = None,
    since: date | None = None,
    signer: Signer | None = None,
    workers: int = 0,
    verified: VerificationIndex | None = None,
) -> Scan:
    """Newest version per id; ``sites`` keeps only those sites, ``since`` only posts published
    on or after that date (undated posts are left out then). Signatures only with a ``signer``,
    computed by ``workers`` processes when there is more than one. ``verified``: the lines of
    verification.jsonl, matched to each post's newest version."""
    wanted = {site_key(s) for s in sites} if sites else None
    scan = Scan()
    if verified is not None:
        scan.verification = VERIFICATION
        scan.verification_lines, scan.verification_bad_lines = verified.lines, verified.bad_lines
    texts = _summarize_all(records, scan, wanted, verified)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # summaries hold no cycles; a full collection per 700 new objects only costs time
    try:
        if signer is None:
            for _ in texts:
                pass
        for post_id, signature in sign_all(texts, signer, workers) if signer else ():
            if signature is None:
                scan.signatures.pop(post_id, None)
            else:
                scan.signatures[post_id] = signature
    finally:
        if gc_was_enabled:
            gc.enable()
    _finish(scan, since)
    return scan


def _summarize_all(
    records: Iterable[dict[str, Any] | None],
    scan: Scan,
    wanted: set[str] | None,
    verified: VerificationIndex | None = None,
) -> Iterator[tuple[str, str]]:
    """Fill ``scan.posts`` line by line, yielding ``(id, text)`` of each kept line for signing."""
    seen_site: dict[str, str] = {}
    for record in records:
        scan.lines += 1
        if record is None or not record.get("id"):
            scan.bad_lines += 1
            continue
        post_id = str(record["id"])
        seen_site[post_id] = str(record.get("site") or "")
        if wanted is not None and site_key(seen_site[post_id]) not in wanted:
            scan.posts.pop(post_id, None)  # in case an older version was on a wanted site
            continue
        if "removed_at" in record:  # a tombstone: the post is gone from the site
            scan.posts.pop(post_id, None)
            scan.removed.add(post_id)
            continue
        scan.removed.discard(post_id)  # it came back
        if record.get("page_type", "article") != "article":
            scan.posts.pop(post_id, None)
            scan.non_articles.add(post_id)
            continue
        scan.non_articles.discard(post_id)
        scan.posts[post_id] = summarize(record, verified)
        text = record.get("text")
        yield post_id, text if isinstance(text, str) else ""
    scan.sites_seen = Counter(seen_site.values())
    scan.ids = len(seen_site)


def _finish(scan: Scan, since: date | None) -> None:
    if since is not None:
        _drop_before(scan, since.isoformat())
    for post_id in [k for k in scan.signatures if k not in scan.posts]:
        del scan.signatures[post_id]


def _drop_before(scan: Scan, since: str) -> None:
    for post_id in [k for k, p in scan.posts.items() if not p.published or p.published[:10] < since]:
        del scan.posts[post_id]


def scan_archive(
    path: str | Path,
    sites: Iterable[str] | None = None,
    since: date | None = None,
    signer: Signer | None = None,
    workers: int | None = None,
    verification: bool = True,
) -> Scan:
    """Scan an archive directory (or JSONL file) on disk; see ``scan_records``. By default a
    large archive is signed by one process per usable CPU, a small one in this process; the
    verification.jsonl beside it, if any, is read first (``verification=False``: never)."""
    file = archive_file(path)
    if workers is None:
        workers = usable_cpus() if file.stat().st_size >= PARALLEL_MIN_BYTES else 0
    loaded = load_verification(file) if verification else None
    scan = scan_records(read_lines(file), sites, since, signer, workers, loaded[1] if loaded else None)
    if loaded:
        scan.verification = str(loaded[0])
    return scan
