"""Assemble the report: scan the archive, compute each site's figures, cluster near-duplicates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipelines import TOOL
from pipelines.record import utc_now
from pipelines.report.figures import SiteFigures, site_figures
from pipelines.report.listing import (
    ContradictionRow,
    FindingRow,
    MismatchRow,
    PostRow,
    RetractionRow,
    contradiction_rows,
    finding_rows,
    mismatch_rows,
    post_rows,
    retraction_rows,
)
from pipelines.report.neardup import DEFAULT_THRESHOLD, Cluster, Signer, find_clusters
from pipelines.report.scan import Scan, archive_file, failed_sites, scan_archive, site_key, skipped_pages
from pipelines.report.summary import PostSummary

ALL_SITES = "all sites"


@dataclass(frozen=True)
class ClusterPost:
    id: str
    site: str
    title: str | None
    url: str
    published: str | None


@dataclass(frozen=True)
class DuplicateCluster:
    """Near-identical posts, e.g. one ghost-written article published by five clinics."""

    id: str
    size: int
    sites: list[str]
    similarity: float  # lowest estimated Jaccard similarity among the pairs that link it
    posts: list[ClusterPost]


@dataclass
class Report:
    archive: str
    generated_at: str
    tool: str
    sites_filter: list[str] | None
    since: str | None
    threshold: float
    lines: int
    bad_lines: int
    posts: int
    removed: int  # posts that were archived but are gone from their site (newest line a tombstone)
    sites: list[SiteFigures]
    total: SiteFigures
    clusters: list[DuplicateCluster] = field(default_factory=list)
    missing_sites: list[str] = field(default_factory=list)  # asked for with --sites, not in the archive
    # fetched pages that are not posts, from skipped.jsonl, by kind; and non-articles kept in the archive
    skipped: dict[str, int] = field(default_factory=dict)
    kept_non_articles: int = 0
    # sites whose last crawl could not crawl them (sites.jsonl): site, status, reason, crawl
    failed_sites: list[dict[str, Any]] = field(default_factory=list)
    # verification.jsonl beside the archive (clinic-archive verify): None when there is none
    verification: str | None = None
    verification_lines: int = 0
    verification_bad_lines: int = 0
    # what to fix, one row per item with its post: check findings (by code), contradicted
    # citations, cited works with a retraction notice; and one row per post
    findings: list[FindingRow] = field(default_factory=list)
    contradictions: list[ContradictionRow] = field(default_factory=list)
    retractions: list[RetractionRow] = field(default_factory=list)
    mismatches: list[MismatchRow] = field(default_factory=list)  # references verify found different
    post_table: list[PostRow] = field(default_factory=list)


def build_report(
    path: str | Path,
    sites: Sequence[str] | None = None,
    since: date | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Report:
    """Read the archive once (streaming) and compute every figure of the audit."""
    scan = scan_archive(path, sites, since, Signer())
    report = report_from_scan(scan, sites, since, threshold)
    report.archive = str(archive_file(path))
    report.skipped = dict(skipped_pages(path, sites).most_common())
    report.failed_sites = failed_sites(path, sites)
    return report


def report_from_scan(
    scan: Scan,
    sites: Sequence[str] | None = None,
    since: date | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Report:
    """The report of an already scanned archive (pure: tests build one from plain records)."""
    by_site = group_by_site(scan.posts.values(), sites)
    clusters = find_clusters(scan.signatures, threshold) if scan.signatures else []
    figures = [site_figures(site, posts) for site, posts in by_site.items()]
    total = site_figures(ALL_SITES, list(scan.posts.values()))
    _add_duplicate_counts([*figures, total], clusters, scan.posts)
    present = {site_key(s) for s in scan.sites_seen}
    order = [f.site for f in figures]
    return Report(
        archive="",
        generated_at=utc_now(),
        tool=TOOL,
        sites_filter=list(sites) if sites else None,
        since=since.isoformat() if since else None,
        threshold=threshold,
        lines=scan.lines,
        bad_lines=scan.bad_lines,
        posts=len(scan.posts),
        removed=len(scan.removed),
        sites=figures,
        total=total,
        clusters=[_describe(c, scan.posts) for c in _by_reach(clusters, scan.posts)],
        missing_sites=[s for s in (sites or []) if site_key(s) not in present],
        kept_non_articles=len(scan.non_articles),
        verification=scan.verification,
        verification_lines=scan.verification_lines,
        verification_bad_lines=scan.verification_bad_lines,
        findings=finding_rows(scan.posts.values(), order),
        contradictions=contradiction_rows(scan.posts.values(), order),
        retractions=retraction_rows(scan.posts.values(), order),
        mismatches=mismatch_rows(scan.posts.values(), order),
        post_table=post_rows(scan.posts.values()),
    )


def group_by_site(
    posts: Iterable[PostSummary], order: Sequence[str] | None = None
) -> dict[str, list[PostSummary]]:
    """Posts per site: in the order asked for, else the sites with most posts first."""
    groups: dict[str, list[PostSummary]] = {}
    for post in posts:
        groups.setdefault(post.site, []).append(post)
    if order:
        rank = {site_key(s): i for i, s in enumerate(order)}
        return dict(sorted(groups.items(), key=lambda kv: (rank.get(site_key(kv[0]), len(rank)), kv[0])))
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def _by_reach(clusters: list[Cluster], posts: dict[str, PostSummary]) -> list[Cluster]:
    """Clusters spread over most sites first: syndicated copies matter more than in-site repeats."""
    return sorted(clusters, key=lambda c: (-len({posts[m].site for m in c.members}), -len(c.members), c.id))


def _describe(cluster: Cluster, posts: dict[str, PostSummary]) -> DuplicateCluster:
    members = sorted((posts[m] for m in cluster.members), key=lambda p: (p.published or "9999", p.site, p.id))
    return DuplicateCluster(
        id=cluster.id,
        size=len(members),
        sites=sorted({p.site for p in members}),
        similarity=cluster.similarity,
        posts=[ClusterPost(p.id, p.site, p.title, p.url, p.published) for p in members],
    )


def _add_duplicate_counts(
    figures: list[SiteFigures], clusters: list[Cluster], posts: dict[str, PostSummary]
) -> None:
    in_cluster: Counter[str] = Counter()  # site -> its posts that are in a cluster
    on_other_sites: Counter[str] = Counter()  # site -> its posts whose cluster spans another site
    for cluster in clusters:
        sites = [posts[m].site for m in cluster.members]
        in_cluster.update(sites)
        if len(set(sites)) > 1:
            on_other_sites.update(sites)
    for fig in figures:
        everything = fig.site == ALL_SITES
        fig.posts_in_duplicate_clusters = in_cluster.total() if everything else in_cluster[fig.site]
        fig.posts_duplicated_on_other_sites = (
            on_other_sites.total() if everything else on_other_sites[fig.site]
        )


def cluster_rows(
    scan: Scan, threshold: float = DEFAULT_THRESHOLD, clustered_only: bool = False
) -> Iterator[dict[str, Any]]:
    """One row per post (newest version) with its near-duplicate cluster id, or None."""
    clusters = find_clusters(scan.signatures, threshold) if scan.signatures else []
    membership = {m: c for c in clusters for m in c.members}
    for post in sorted(scan.posts.values(), key=lambda p: (p.site, p.published or "", p.id)):
        cluster = membership.get(post.id)
        if clustered_only and cluster is None:
            continue
        yield {
            "id": post.id,
            "site": post.site,
            "url": post.url,
            "title": post.title,
            "published": post.published,
            "cluster": cluster.id if cluster else None,
            "cluster_size": len(cluster.members) if cluster else 1,
            "cluster_sites": len({scan.posts[m].site for m in cluster.members}) if cluster else 1,
            "compared": post.id in scan.signatures,
        }
