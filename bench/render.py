"""What rendering costs: one mixed clinic blog crawled with ``--render never``, ``auto`` and ``always``.

    python bench/render.py                    # 100 posts, 10% JavaScript-only, 150 ms a response
    python bench/render.py --posts 200 --js-share 0.2
    python bench/render.py --fast             # politeness off (delay 0): the browser's own cost
    python bench/render.py --smoke            # CI: 10 posts, checks it works, no timing claims

The site (built in a temporary directory, served by ``crawler/siteserver.py`` with ``--latency``
seconds before each answer): a home page, a blog index and a sitemap listing every post; most
posts are ordinary server-rendered HTML, every ``1/js-share``-th one is a JavaScript shell whose
article a script fetches from a JSON endpoint. Each mode is one ``clinic-archive crawl``
subprocess with the crawler's default politeness (0.5 s delay, AutoThrottle) unless ``--fast``,
measured from outside as bench/crawl.py does (wall time, peak RSS of the whole process tree,
Chromium included). ``never`` cannot archive the JavaScript posts; the target (issue 20) is that
``auto`` archives every post at no more than 1.3x ``never``'s time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from crawl import become_subreaper, measure, usable_cpus  # noqa: E402

from crawler.fetch import render_support  # noqa: E402
from crawler.siteserver import SiteServer  # noqa: E402

TARGET = 1.3  # auto's wall time over never's
MODES = ("never", "auto", "always")
WORDS = (
    "physiotherapy exercise tendon load pain recovery strength muscle joint knee shoulder back "
    "patients research evidence gradual return running activity sleep posture desk movement "
    "treatment program weeks session clinician advice swelling balance mobility stretching"
).split()
APP = """
const slug = location.pathname.split('/').filter(Boolean).pop();
fetch('/api/' + slug + '.json').then(r => r.json()).then(post => {
  document.title = post.title + ' | Bench Physio';
  document.getElementById('root').innerHTML = post.html;
});
"""


def sentence(i: int, j: int) -> str:
    words = [WORDS[(i * 7 + j * 13 + k * 5) % len(WORDS)] for k in range(14)]
    return " ".join(words).capitalize() + "."


def article_html(i: int, title: str) -> str:
    paragraphs = "".join(f"<p>{' '.join(sentence(i, j * 5 + k) for k in range(5))}</p>" for j in range(6))
    refs = "".join(
        f"<li>Author A{i}, Writer B. Study {n} of {title.lower()}. J Physiother. "
        f"20{10 + n};{i + 1}:{n}-{n + 9}. doi:10.1016/j.jphys.20{10 + n}.{i:03d}{n}</li>"
        for n in range(1, 4)
    )
    return (
        f'<article><h1>{title}</h1><p class="byline">By Dr. Sam Lee, PT, DPT</p>'
        f'<time datetime="2024-0{1 + i % 9}-1{i % 10}">2024</time>{paragraphs}'
        f"<h2>References</h2><ol>{refs}</ol></article>"
    )


def page(title: str, body: str) -> str:
    head = f'<head><meta charset="utf-8"><title>{title}</title></head>'
    return f'<!doctype html><html lang="en">{head}<body>{body}</body></html>'


def build_site(root: Path, posts: int, js_share: float) -> tuple[int, int]:
    """The mixed site under ``root``; returns (posts, JavaScript-only posts)."""
    every = max(1, round(1 / js_share)) if js_share > 0 else 0
    nav = '<nav><a href="/">Home</a> <a href="/blog/">Blog</a></nav>'
    links, urls, js = [], [], 0
    for i in range(posts):
        slug, title = f"post-{i}", f"Post {i}: returning to activity after injury"
        target = root / "blog" / slug / "index.html"
        target.parent.mkdir(parents=True)
        if every and i % every == every - 1:
            js += 1
            shell = (
                nav
                + '<div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript>'
                '<script src="/static/app.js"></script>'
            )
            target.write_text(page("Bench Physio", shell))
            (root / "api").mkdir(exist_ok=True)
            (root / "api" / f"{slug}.json").write_text(
                json.dumps({"title": title, "html": article_html(i, title)})
            )
        else:
            target.write_text(page(f"{title} | Bench Physio", nav + article_html(i, title)))
        links.append(f'<li><a href="/blog/{slug}/">{title}</a></li>')
        urls.append(f"<url><loc>{{{{BASE}}}}/blog/{slug}/</loc><lastmod>2024-06-01</lastmod></url>")
    (root / "index.html").write_text(page("Bench Physio", nav + "<h1>Bench Physio</h1><p>Welcome.</p>"))
    (root / "blog" / "index.html").write_text(page("Blog | Bench Physio", nav + f"<ul>{''.join(links)}</ul>"))
    (root / "robots.txt").write_text("User-agent: *\nSitemap: {{BASE}}/sitemap.xml\n")
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(urls)}</urlset>'
    (root / "sitemap.xml").write_text(sitemap)
    (root / "static").mkdir()
    (root / "static" / "app.js").write_text(APP)
    routes = {"/static/app.js": {"file": "static/app.js", "content_type": "application/javascript"}}
    (root / "_routes.json").write_text(json.dumps(routes))
    return posts, js


@dataclass
class Result:
    mode: str
    archived: int
    rendered: int
    pages: int
    wall: float
    peak_rss: int


def crawl(url: str, mode: str, work: Path, fast: bool) -> Result:
    out = work / f"out-{mode}"
    settings = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"] if fast else []
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", url, "-o", str(out), "--render", mode, *settings]
    measured = measure(cmd, ROOT, usable_cpus(None)[0], work / f"{mode}.log")
    if measured.code != 0:
        raise SystemExit(f"bench/render.py: the {mode} crawl failed; see {work / f'{mode}.log'}")
    summary = json.loads((out / "crawls.jsonl").read_text().splitlines()[-1])
    archived = sum(1 for line in (out / "articles.jsonl").read_text().splitlines() if line.strip())
    return Result(
        mode, archived, summary["rendered"], summary["pages_html"], measured.wall, measured.peak_rss
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--js-share", type=float, default=0.1, help="share of posts only JavaScript shows")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds before each response")
    parser.add_argument("--fast", action="store_true", help="politeness off (delay 0, no AutoThrottle)")
    parser.add_argument("--smoke", action="store_true", help="10 posts, fast: checks it works")
    args = parser.parse_args(argv)
    if args.smoke:
        args.posts, args.latency, args.fast = 10, 0.0, True
    if missing := render_support():
        print(f"bench/render.py: cannot render here: {missing}", file=sys.stderr)
        return 2
    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        work = Path(tmp)
        posts, js = build_site(work / "site", args.posts, args.js_share)
        politeness = "politeness off" if args.fast else "default politeness (0.5 s delay, AutoThrottle)"
        print(f"{posts} posts, {js} only JavaScript shows; {args.latency:g} s a response; {politeness}")
        with SiteServer(work / "site", delay=args.latency) as server:
            results = [crawl(f"{server.url}/", mode, work, args.fast) for mode in MODES]
    print("\n| mode | posts archived | rendered | HTML pages | wall s | pages/s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.mode} | {r.archived}/{posts} | {r.rendered} | {r.pages} | {r.wall:.1f} | "
            f"{r.pages / r.wall:.1f} | {r.peak_rss / 2**20:.0f} |"
        )
    by = {r.mode: r for r in results}
    ratio = by["auto"].wall / by["never"].wall
    archived = by["auto"].archived
    print(f"\nauto over never: {ratio:.2f}x the time (target <= {TARGET}x), archiving {archived}/{posts}")
    if by["auto"].archived != posts or by["always"].archived != posts or by["never"].archived != posts - js:
        print("bench/render.py: a crawl did not archive the posts it should have", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
