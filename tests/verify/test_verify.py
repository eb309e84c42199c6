"""``clinic-archive verify`` on a real crawl of the wp-physio fixture site, against stand-ins of
Crossref and PubMed on 127.0.0.1 (tests/verify/standin.py) answering in the services' documented
JSON for that site's references (tests/fixtures/verify/). Real HTTP, real cache, the real CLI in
a subprocess; the server counts what it is asked."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from crawler.siteserver import SiteServer
from pipelines import TOOL
from tests.conftest import FIXTURES, SITES, crawl, read_jsonl, run_cli
from tests.faultserver import Reply
from tests.verify.standin import StandIn

KEYS = [
    "article_id",
    "version",
    "url",
    "n",
    "status",
    "source",
    "matched",
    "differences",
    "score",
    "reason",
    "retraction",
    "cited_after_retraction",
    "checked_at",
]
RETRY_AFTER_DOI = "10.1136/bjsports-2016-096178"  # 429 with Retry-After: 1, then 200
FLAKY_DOI = "10.2519/jospt.2017.7096"  # 500, then 200
RETRACTIONS = FIXTURES / "verify" / "retraction_watch.csv"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wp-physio fixture site crawled once: 19 references over 7 posts."""
    out = tmp_path_factory.mktemp("verify") / "crawled"
    with SiteServer(SITES / "wp-physio") as site:
        result = crawl([f"{site.url}/"], out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def archive(crawled: Path, tmp_path: Path) -> Path:
    """A copy of the crawl's archive, with no cache yet."""
    out = tmp_path / "archive"
    out.mkdir()
    shutil.copy(crawled / "articles.jsonl", out / "articles.jsonl")
    return out


def verify(archive: Path, server: StandIn | None, *extra: str) -> Any:
    options = server.options() if server else []
    return run_cli("verify", str(archive), *options, *extra)


def results(archive: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """verification.jsonl by (post path, reference number)."""
    lines = read_jsonl(archive / "verification.jsonl")
    return {(re.sub(r"^https?://[^/]+", "", line["url"]), line["n"]): line for line in lines}


def faults() -> dict[str, list[Reply]]:
    return {
        RETRY_AFTER_DOI: [Reply(status=429, headers={"Retry-After": "1"}, body=b"Too many requests")],
        FLAKY_DOI: [Reply(status=500, body=b"Internal Server Error")],
    }


LOW_BACK = "/blog/exercises-for-low-back-pain/"
KNEE_OA = "/blog/knee-osteoarthritis-exercise/"
ANKLE = "/blog/ankle-sprain-recovery/"
FIBRO = "/blog/dry-needling-fibromyalgia/"
PLANTAR = "/blog/plantar-heel-pain/"


def test_verify_against_the_stand_in_services_then_again_from_the_cache(archive: Path):
    before = (archive / "articles.jsonl").read_bytes()
    with StandIn(faults()) as server:
        proc = verify(archive, server, "--mailto", "tester@example.org", "--rate", "20")
        assert proc.returncode == 0, proc.stderr
        first = results(archive)
        asked = server.targets()

        # every line has exactly the documented keys, one per reference of each newest version
        assert len(first) == 19
        assert all(list(line) == KEYS for line in first.values())
        assert all(
            re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line["checked_at"]) for line in first.values()
        )
        ids = {json.loads(raw)["id"]: json.loads(raw)["version"] for raw in before.splitlines()}
        assert all(ids[line["article_id"]] == line["version"] for line in first.values())

        # one exact match: DOI at Crossref, journal abbreviated, pages as printed
        assert first[(KNEE_OA, 4)] | {"checked_at": None} == {
            "article_id": first[(KNEE_OA, 4)]["article_id"],
            "version": 1,
            "url": first[(KNEE_OA, 4)]["url"],
            "n": 4,
            "status": "verified",
            "source": "crossref",
            "matched": {"doi": "10.1056/nejmoa1505467", "pmid": None},
            "differences": [],
            "score": None,
            "reason": None,
            "retraction": None,
            "cited_after_retraction": None,
            "checked_at": None,
        }
        # a mismatch: another year and volume
        assert first[(KNEE_OA, 1)]["status"] == "mismatch"
        assert first[(KNEE_OA, 1)]["differences"] == [
            {"field": "year", "ours": 2019, "theirs": 2020},
            {"field": "volume", "ours": "27", "theirs": "28"},
        ]
        # not found: Crossref answers 404
        assert (first[(LOW_BACK, 5)]["status"], first[(LOW_BACK, 5)]["source"]) == ("not_found", "crossref")
        assert first[(LOW_BACK, 5)]["reason"] == "Crossref does not know DOI 10.1016/s0140-6736(18)30489-6"
        assert first[(LOW_BACK, 5)]["matched"] == {}
        # retracted (Crossref's updated-by), and the post was published after the notice
        lamb = first[(ANKLE, 2)]
        assert lamb["status"] == "verified"
        assert lamb["retraction"] == {
            "nature": "retraction",
            "date": "2023-05-10",
            "notice_doi": "10.1016/s0140-6736(23)00999-9",
            "source": "crossref",
        }
        assert lamb["cited_after_retraction"] is True
        # the 429 and the 500 were retried, and verified
        assert first[(ANKLE, 1)]["status"] == first[(FIBRO, 3)]["status"] == "verified"
        retried = server.hits(f"/crossref/works/{RETRY_AFTER_DOI}")
        assert len(retried) == 2 and retried[1] - retried[0] >= 0.95  # Retry-After: 1 honoured
        assert len(server.hits(f"/crossref/works/{FLAKY_DOI}")) == 2
        # a PMID without a DOI: PubMed's esummary
        qaseem = first[(LOW_BACK, 3)]
        assert (qaseem["status"], qaseem["source"]) == ("verified", "pubmed")
        assert qaseem["matched"] == {"doi": "10.7326/m16-2367", "pmid": "28192789"}
        # no identifier: a bibliographic search, accepted on score, title and year/author
        salazar = first[(FIBRO, 1)]
        assert (salazar["status"], salazar["source"], salazar["score"]) == (
            "verified",
            "crossref-search",
            112.4,
        )
        assert salazar["matched"] == {"doi": "10.36076/ppj.2017.1.15", "pmid": None}
        # ... and refused: a guideline with a high-scoring other work, one scoring under the floor
        nice = first[(LOW_BACK, 4)]
        assert (nice["status"], nice["source"], nice["score"]) == ("not_found", "crossref-search", 58.2)
        assert "agrees on the title" in nice["reason"]
        assert (
            first[(KNEE_OA, 2)]["status"] == "not_found"
            and "scores 40 or more" in first[(KNEE_OA, 2)]["reason"]
        )
        statuses = [line["status"] for line in first.values()]
        assert (statuses.count("verified"), statuses.count("mismatch"), statuses.count("not_found")) == (
            15,
            1,
            3,
        )

        # polite: the tool and the address in the User-Agent; mailto to Crossref, tool and email to NCBI
        assert server.user_agents == {
            f"{TOOL} (+https://github.com/clinic-archive/clinic-archive; reference verification; "
            "mailto:tester@example.org)"
        }
        assert all("mailto=tester%40example.org" in t for t in asked if t.startswith("/crossref/"))
        pubmed = [t for t in asked if t.startswith("/pubmed/")]
        assert pubmed == [
            "/pubmed/esummary.fcgi?db=pubmed&id=28192789&retmode=json&tool=clinic-archive&email=tester%40example.org"
        ]
        assert len(asked) == 19 + 2  # one per distinct lookup, and the two retries
        # --rate 20: requests start 50 ms apart (measured where they arrive, so give or take)
        arrivals = sorted(t for t, _ in server.requests)
        gaps = sorted(b - a for a, b in itertools.pairwise(arrivals))
        assert arrivals[-1] - arrivals[0] >= 0.9 * 0.05 * (len(arrivals) - 1)
        assert gaps[len(gaps) // 2] >= 0.045
        assert (
            "Verified 19 references: 15 verified, 1 mismatch, 3 not_found, 0 unchecked; 1 retracted"
            in proc.stdout
        )
        assert "21 requests, 0 cache hits" in proc.stdout

        # the second run asks nothing and writes the same lines
        again = verify(archive, server, "--mailto", "another@example.org")
        assert again.returncode == 0, again.stderr
        assert len(server.requests) == len(asked)
        assert "0 requests, 19 cache hits" in again.stdout
    second = results(archive)
    strip = lambda lines: {k: v | {"checked_at": None} for k, v in lines.items()}  # noqa: E731
    assert strip(second) == strip(first)
    # never a new version of an article
    assert (archive / "articles.jsonl").read_bytes() == before
    cached = list((archive / ".cache" / "verify").rglob("*.json"))
    assert len(cached) == 19


def test_offline_on_an_empty_cache_checks_nothing(archive: Path):
    with StandIn() as server:
        proc = verify(archive, server, "--offline")
        assert proc.returncode == 0, proc.stderr
        assert server.requests == []
    lines = results(archive)
    assert len(lines) == 19
    assert {line["status"] for line in lines.values()} == {"unchecked"}
    assert {line["reason"] for line in lines.values()} == {"offline: not cached"}
    assert lines[(LOW_BACK, 3)]["source"] == "pubmed" and lines[(FIBRO, 1)]["source"] == "crossref-search"
    assert "0 requests, 0 cache hits" in proc.stdout


def test_the_retraction_watch_csv_flags_references_offline(archive: Path):
    proc = verify(archive, None, "--offline", "--retractions", str(RETRACTIONS))
    assert proc.returncode == 0, proc.stderr
    lines = results(archive)
    flagged = {
        key: (line["retraction"], line["cited_after_retraction"])
        for key, line in lines.items()
        if line["retraction"]
    }
    assert flagged == {
        # by the original paper's DOI
        (PLANTAR, 1): (
            {
                "nature": "retraction",
                "date": "2019-01-31",
                "notice_doi": "10.1111/sms.99999",
                "source": "retraction-watch",
            },
            True,
        ),
        # by its PMID (no DOI in the row); the post came before the notice
        (LOW_BACK, 3): (
            {
                "nature": "expression_of_concern",
                "date": "2024-06-15",
                "notice_doi": "10.7326/example-eoc",
                "source": "retraction-watch",
            },
            False,
        ),
        # a reference with no identifier: by title, first author and year
        (FIBRO, 1): (
            {"nature": "retraction", "date": "2020-03-01", "notice_doi": None, "source": "retraction-watch"},
            True,
        ),
    }
    assert lines[(KNEE_OA, 4)]["retraction"] is None  # a correction is not flagged
    assert "3 retracted (2 cited after the retraction)" in proc.stdout


def test_a_service_that_stays_down_leaves_its_references_unchecked(archive: Path):
    down = [Reply(status=503, body=b"Service Unavailable")] * 4
    with StandIn({FLAKY_DOI: down}) as server:
        proc = verify(archive, server, "--rate", "0")
        assert proc.returncode == 0, proc.stderr
        assert len(server.hits(f"/crossref/works/{FLAKY_DOI}")) == 4  # bounded tries
        line = results(archive)[(FIBRO, 3)]
        assert (line["status"], line["source"]) == ("unchecked", "crossref")
        assert line["reason"] == "service error: HTTP 503 after 4 tries"
        # not cached: the next run asks again, that alone, and the service is back
        server.faults, asked = {}, len(server.requests)
        assert verify(archive, server).returncode == 0
        assert [t.split("?")[0] for t in server.targets()[asked:]] == [f"/crossref/works/{FLAKY_DOI}"]
    assert results(archive)[(FIBRO, 3)]["status"] == "verified"


def one_line_error(proc: Any, code: int = 2) -> str:
    assert proc.returncode == code, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clinic-archive: error: "), proc.stderr
    return lines[0]


def test_bad_input_is_a_one_line_error(archive: Path, tmp_path: Path):
    assert "no archive in" in one_line_error(verify(tmp_path / "nowhere", None, "--offline"))
    missing = one_line_error(verify(archive, None, "--offline", "--retractions", str(tmp_path / "none.csv")))
    assert "--retractions" in missing and "No such file" in missing
    not_csv = tmp_path / "retractions.csv"
    not_csv.write_bytes(b"\x1f\x8b\x08\x00 binary, not the CSV \xff\xfe")
    assert "not the Retraction Watch CSV layout" in one_line_error(
        verify(archive, None, "--offline", "--retractions", str(not_csv))
    )
    assert "is a directory" in one_line_error(
        verify(archive, None, "--offline", "--retractions", str(tmp_path))
    )
    assert "expected an http" in one_line_error(verify(archive, None, "--crossref-url", "api.crossref.org"))
    assert not (archive / "verification.jsonl").exists()


def test_crawl_verify_checks_the_references_after_the_crawl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with StandIn() as services, SiteServer(SITES / "wp-physio") as site:
        # the defaults of verify's options, as a user sets them for crawl --verify
        monkeypatch.setenv("CLINIC_CROSSREF_URL", services.crossref_url)
        monkeypatch.setenv("CLINIC_PUBMED_URL", services.pubmed_url)
        monkeypatch.setenv("CLINIC_MAILTO", "crawler@example.org")
        result = crawl([f"{site.url}/"], tmp_path / "out", "--verify")
        assert result.returncode == 0, result.stderr
        assert len(services.requests) == 19
    lines = read_jsonl(tmp_path / "out" / "verification.jsonl")
    assert len(lines) == 19 and "Verified 19 references" in result.stdout
    assert all("mailto=crawler%40example.org" in t for t in services.targets() if t.startswith("/crossref/"))
