"""The commands the README and docs show still work, so the docs cannot drift from the code.

Every ``clinic-archive`` line in a shell block of README.md, CONTRIBUTING.md or docs/*.md is
parsed by the real command-line parser (an unknown command or option fails here); every
``python bench/X.py`` line names a script that exists and options its ``--help`` lists; every
``scrapy crawl`` names the spider. The README's two set-up commands are run for real elsewhere:
the test command by CI itself (.ci/run runs exactly that line, checked below), the demo by
tests/crawler/test_crawl_sites.py.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import cache

import pytest
from conftest import ROOT

from crawler.cli import build_parser

DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```", re.M | re.S)


def shell_commands() -> list[tuple[str, str]]:
    """(doc name, command) for every command of every shell block."""
    found = []
    for doc in DOCS:
        for lang, block in FENCE.findall(doc.read_text("utf-8")):
            if lang not in ("", "bash", "sh", "console"):
                continue
            for line in block.replace("\\\n", " ").splitlines():
                for command in line.split("&&"):
                    command = command.strip()
                    if command:
                        found.append((doc.name, command))
    return found


def words(command: str) -> list[str]:
    """The command's words without a trailing comment or a redirection."""
    parts = shlex.split(command, comments=True)
    for i, part in enumerate(parts):
        if part in (">", "|", ">>"):
            return parts[:i]
    return parts


COMMANDS = shell_commands()
CLI = [(doc, c) for doc, c in COMMANDS if re.match(r"^(\.venv/bin/)?clinic-archive\s", c)]
BENCH = [(doc, c) for doc, c in COMMANDS if re.match(r"^(\.venv/bin/)?python3? bench/", c)]


def test_the_docs_show_commands():
    assert len(CLI) >= 20 and len(BENCH) >= 10


@pytest.mark.parametrize(("doc", "command"), CLI, ids=[f"{d}: {c[:60]}" for d, c in CLI])
def test_documented_clinic_archive_command_parses(doc, command):
    args = words(command)[1:]
    try:
        build_parser().parse_args(args)
    except SystemExit as exc:
        pytest.fail(f"{doc}: `{command}` is not accepted by the parser (exit {exc.code})")


@cache
def bench_help(script: str) -> str:
    proc = subprocess.run(
        [sys.executable, script, "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize(("doc", "command"), BENCH, ids=[f"{d}: {c[:60]}" for d, c in BENCH])
def test_documented_benchmark_command_exists(doc, command):
    args = words(command)[1:]
    script = args[0]
    assert (ROOT / script).is_file(), f"{doc}: no {script}"
    options = [a.split("=")[0] for a in args[1:] if a.startswith("--")]
    help_text = bench_help(script)
    for option in options:
        assert option in help_text, f"{doc}: {script} has no {option}"


def test_documented_scrapy_commands_name_the_spider():
    scrapy = [c for _, c in COMMANDS if c.startswith("scrapy crawl")]
    assert scrapy
    for command in scrapy:
        assert words(command)[2] == "clinic_blog"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text("utf-8")
    test_line = next(
        block.strip()
        for _, block in FENCE.findall(readme)
        if "pytest" in block and block.strip().startswith("python3 -m venv")
    )
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert test_line in ci.splitlines()
