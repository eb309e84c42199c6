"""Competitor audit report over an archive: figures per site, near-duplicate clusters, HTML/JSON/CSV.

    from pipelines.report import build_report, render
    report = build_report("output/", sites=["a.com", "b.com"])
    html = render(report, "html")

Everything here is a pure function of the archive's records except ``build_report``, which
streams the file. See ``figures`` for what each number means and ``neardup`` for the clustering.
"""

from pipelines.report.build import Report, build_report, cluster_rows, report_from_scan
from pipelines.report.neardup import DEFAULT_THRESHOLD, Signer
from pipelines.report.render import FORMATS, render
from pipelines.report.scan import archive_file, scan_archive

__all__ = [
    "DEFAULT_THRESHOLD",
    "FORMATS",
    "Report",
    "Signer",
    "archive_file",
    "build_report",
    "cluster_rows",
    "render",
    "report_from_scan",
    "scan_archive",
]
