"""Reading WARC files back whatever state they are in: damage costs the damaged record only,
is reported, and never inflates a body past the crawl's size limit."""

from __future__ import annotations

import gzip
import random

import pytest
from conftest import run_cli

from pipelines.archive.captures import Damage, iter_captures
from pipelines.archive.warc import WarcCapture

PAGES = 30


def page(i: int) -> bytes:
    words = " ".join(f"word{(i * 7 + k) % 97}" for k in range(400))
    return (
        "<html><head><title>Post {i}</title><meta property='og:type' content='article'></head><body>"
        f"<article><h1>Post {i}</h1><p>{words}</p><p>Physiotherapy helps patient {i} recover.</p></article>"
        "</body></html>"
    ).encode()


def write_warc(directory, pages=PAGES, extra=()) -> tuple[WarcCapture, list[int]]:
    """A WARC of ``pages`` responses (and their requests), as the crawl writes it; the offsets."""
    warc = WarcCapture(directory, "20261206T000000Z-test")
    offsets = []
    for i in range(pages):
        pointer = warc.capture(
            f"https://clinic.example/blog/post-{i}/",
            method="GET",
            request_headers=[("Host", "clinic.example")],
            status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=page(i),
            date="2026-12-06T00:00:00Z",
        )
        offsets.append(pointer.offset)
    for url, headers, body in extra:
        offsets.append(
            warc.capture(
                url,
                method="GET",
                request_headers=[],
                status=200,
                response_headers=headers,
                body=body,
                date="2026-12-06T00:00:00Z",
            ).offset
        )
    warc.close()
    return warc, offsets


def read(path, **kwargs) -> tuple[list[str], list[Damage]]:
    damage: list[Damage] = []
    urls = [c.url for c in iter_captures(path, damage=damage, **kwargs)]
    return urls, damage


def url(i: int) -> str:
    return f"https://clinic.example/blog/post-{i}/"


def test_an_intact_file_reads_whole_with_no_damage(tmp_path):
    warc, _ = write_warc(tmp_path)
    assert read(warc.path) == ([url(i) for i in range(PAGES)], [])


@pytest.mark.parametrize("victim", [0, 1, 14, PAGES - 1])
def test_flipped_bytes_cost_the_damaged_record_only(tmp_path, victim):
    warc, offsets = write_warc(tmp_path)
    data = bytearray(warc.path.read_bytes())
    at = offsets[victim] + 60  # inside the response member's compressed data
    data[at : at + 16] = bytes(b ^ 0xFF for b in data[at : at + 16])
    warc.path.write_bytes(bytes(data))
    urls, damage = read(warc.path)
    assert urls == [url(i) for i in range(PAGES) if i != victim]
    assert len(damage) == 1 and damage[0].start <= at < damage[0].end  # resumed at the next record


def test_a_file_cut_anywhere_keeps_every_record_before_the_cut_and_says_so(tmp_path):
    warc, offsets = write_warc(tmp_path, pages=12)
    data = warc.path.read_bytes()
    rng = random.Random(7)
    cuts = sorted({rng.randrange(offsets[0], len(data)) for _ in range(40)} | {offsets[5] + 1, len(data) - 1})
    for cut in cuts:
        torn = tmp_path / f"torn-{cut}.warc.gz"
        torn.write_bytes(data[:cut])
        urls, damage = read(torn)
        ends = [*offsets[1:], len(data)]  # where each record (with its request) ends
        whole = [i for i, end in enumerate(ends) if end <= cut]
        # every record that ends before the cut is read; a cut inside one is one damaged region
        assert [url(i) for i in whole] == urls[: len(whole)], cut
        assert len(urls) in (len(whole), len(whole) + 1), cut  # the response may end before its request
        assert len(damage) <= 1, (cut, damage)
        if damage:
            assert damage[0].end is None


def test_a_zeroed_block_in_the_middle_is_skipped_and_reading_resumes(tmp_path):
    warc, offsets = write_warc(tmp_path)
    data = bytearray(warc.path.read_bytes())
    start, end = offsets[10] + 5, offsets[13]  # records 10, 11 and 12 zeroed
    data[start:end] = bytes(end - start)
    warc.path.write_bytes(bytes(data))
    urls, damage = read(warc.path)
    assert urls == [url(i) for i in range(PAGES) if i not in (10, 11, 12)]
    assert len(damage) == 1 and damage[0].end is not None and damage[0].end >= end


def test_a_zero_filled_file_is_one_damaged_region(tmp_path):
    path = tmp_path / "zeros.warc.gz"
    path.write_bytes(bytes(8 * 1024 * 1024))
    urls, damage = read(path)
    assert urls == [] and len(damage) == 1 and damage[0].start == 0 and damage[0].end is None


def test_an_empty_file_is_just_empty(tmp_path):
    path = tmp_path / "empty.warc.gz"
    path.write_bytes(b"")
    assert read(path) == ([], [])


def test_a_gzip_bomb_body_is_read_no_further_than_the_limit(tmp_path):
    bomb = gzip.compress(bytes(200 * 1024 * 1024), compresslevel=9)  # ~200 KB that inflates to 200 MB
    extra = [
        ("https://clinic.example/bomb/", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], bomb)
    ]
    warc, _ = write_warc(tmp_path, pages=2, extra=extra)
    captures = list(iter_captures(warc.path, max_body=1024 * 1024))
    bomb_capture = captures[-1]
    assert bomb_capture.url == "https://clinic.example/bomb/"
    assert bomb_capture.oversize and len(bomb_capture.body) == 1024 * 1024
    assert not any(c.oversize for c in captures[:-1])


def test_reextract_reports_damage_and_fails(tmp_path):
    warc, offsets = write_warc(tmp_path / "live")
    data = bytearray(warc.path.read_bytes())
    for victim in (3, 20):
        at = offsets[victim] + 60
        data[at : at + 16] = bytes(16)
    warc.path.write_bytes(bytes(data))
    proc = run_cli("reextract", str(warc.path), "-o", str(tmp_path / "re"), "--jobs", "1")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{2 * PAGES - 2} records read" not in proc.stderr  # counts responses, not members
    assert f"{PAGES - 2} records read, 2 damaged region(s) skipped" in proc.stderr
    assert proc.stderr.count("damaged record(s) skipped") == 2
    assert f"{PAGES - 2} article versions written" in proc.stdout


def streamed_gzip_of_zeros(size: int) -> bytes:
    """gzip of ``size`` zero bytes, made without ever holding them."""
    import zlib

    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join([*parts, compressor.flush()])


def test_reextract_of_a_gzip_bomb_stays_small(tmp_path):
    """A 2 GB bomb inside a capture: reextract refuses it at DOWNLOAD_MAXSIZE, in bounded memory
    (it inflated it whole before: 5.4 GB RSS and a MemoryError)."""
    bomb = streamed_gzip_of_zeros(2 * 1024**3)
    extra = [
        ("https://clinic.example/bomb/", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], bomb)
    ]
    warc, _ = write_warc(tmp_path / "live", pages=3, extra=extra)
    report = tmp_path / "rss.txt"
    prelude = (
        "import atexit, resource\n"
        f"atexit.register(lambda: open({str(report)!r}, 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))"
    )
    proc = run_cli("reextract", str(warc.path), "-o", str(tmp_path / "re"), "--jobs", "1", prelude=prelude)
    assert proc.returncode == 0, proc.stderr
    assert "1 bodies over the crawl's size limit not read" in proc.stdout
    assert "3 article versions written" in proc.stdout
    assert int(report.read_text()) * 1024 < 512 * 1024**2
