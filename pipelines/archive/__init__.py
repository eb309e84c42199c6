"""The archive: the append-only JSONL files (articles, errors, crawls) with their lock and torn-tail
repair, WARC captures, version history and changes, exports, and merging shards.
Imports only ``pipelines.record``.
"""

from typing import TYPE_CHECKING

from pipelines._exports import lazy_exports

# public name -> the module that defines it, loaded on first use (pipelines/_exports.py)
_EXPORTS = {
    "export_lines": "history",
    "export_records": "history",
    "write_replacing": "files",
    "find_changes": "history",
    "format_changes": "history",
    "ARTICLES": "jsonl",
    "Archive": "jsonl",
    "ArchiveError": "jsonl",
    "CRAWLS": "jsonl",
    "SKIPPED": "jsonl",
    "SITES": "jsonl",
    "ERRORS": "jsonl",
    "KnownPage": "jsonl",
    "append_crawl_summary": "jsonl",
    "append_site_lines": "jsonl",
    "article_record": "jsonl",
    "by_url": "jsonl",
    "hold_lock": "jsonl",
    "iter_records": "jsonl",
    "load_known_pages": "jsonl",
    "known_across_shards": "merge",
    "new_crawl_id": "jsonl",
    "repair_torn_tail": "lines",
    "iter_lines": "lines",
    "Line": "lines",
    "BadLine": "validate",
    "validate_file": "validate",
    "parse_checked": "lines",
    "shard_file": "jsonl",
    "merge_archives": "merge",
    "shard_files": "merge",
    "Capture": "captures",
    "Damage": "captures",
    "read_capture": "captures",
    "DEFAULT_COMPRESS_LEVEL": "warc",
    "WarcCapture": "warc",
    "iter_captures": "captures",
    "warc_started": "captures",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pipelines.archive.captures import Capture, Damage, iter_captures, read_capture, warc_started
    from pipelines.archive.files import write_replacing
    from pipelines.archive.history import export_lines, export_records, find_changes, format_changes
    from pipelines.archive.jsonl import (
        ARTICLES,
        CRAWLS,
        ERRORS,
        SITES,
        SKIPPED,
        Archive,
        ArchiveError,
        KnownPage,
        append_crawl_summary,
        append_site_lines,
        article_record,
        by_url,
        hold_lock,
        iter_records,
        load_known_pages,
        new_crawl_id,
        shard_file,
    )
    from pipelines.archive.lines import Line, iter_lines, parse_checked, repair_torn_tail
    from pipelines.archive.merge import known_across_shards, merge_archives, shard_files
    from pipelines.archive.validate import BadLine, validate_file
    from pipelines.archive.warc import DEFAULT_COMPRESS_LEVEL, WarcCapture
