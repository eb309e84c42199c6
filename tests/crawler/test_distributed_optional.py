"""scrapy-redis is an optional extra: without it a single-machine crawl works as ever, and the
distributed commands say how to get it (no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import FAST, ROOT, read_jsonl

# Run the CLI with scrapy_redis and redis unimportable, as on an install without the extra.
WITHOUT_REDIS = (
    "import sys; sys.modules['scrapy_redis'] = None; sys.modules['redis'] = None; "
    "from crawler.cli import main; sys.exit(main(sys.argv[1:]))"
)


def run_without_redis(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_REDIS, *args], capture_output=True, text=True, timeout=180, cwd=ROOT
    )


def test_a_single_machine_crawl_needs_no_redis(serve: Any, tmp_path: Path) -> None:
    site = serve("wp-physio")
    proc = run_without_redis("crawl", f"{site.url}/", "-o", str(tmp_path), *FAST)
    assert proc.returncode == 0, proc.stderr
    assert len(read_jsonl(tmp_path / "articles.jsonl")) >= 8


def test_distributed_commands_explain_the_missing_extra(tmp_path: Path) -> None:
    for args in (
        ["worker", "--redis", "redis://127.0.0.1:6379/0", "--crawl", "x", "-o", str(tmp_path)],
        ["crawl", "http://127.0.0.1:9/", "--redis", "redis://127.0.0.1:6379/0", "--crawl", "x"],
        ["crawl-status", "--redis", "redis://127.0.0.1:6379/0"],
    ):
        proc = run_without_redis(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "pip install 'clinic-archive[distributed]'" in proc.stderr
        assert "Traceback" not in proc.stderr
