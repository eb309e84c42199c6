"""A synthetic WordPress-style clinic blog of N posts, built in memory, deterministic from a seed.

Pages are lists of byte chunks: the theme's inline CSS, scripts and SVG sprites are shared
between pages (as on a real site, and so that 10,000 posts of 60-150 KB cost ~300 MB, not
1 GB), while the title, metadata, body, reference list and related links are unique per post.
Every post carries Yoast-style JSON-LD (``BlogPosting``), a byline with credentials, 1-2
categories, tags, 600-2,200 words with numbered citation markers and 5-15 Vancouver-style
references (DOIs, PMIDs), share bar, related posts, comment form, sidebar, footer, cookie
banner and chat widget.

Site map: ``/robots.txt`` -> ``/sitemap_index.xml`` -> ``/post-sitemap{,2,3...}.xml`` (1,000 posts
each, as Yoast does) and ``/page-sitemap.xml``; ``/blog/`` paginated 10 posts a page
(``/blog/page/N/``, ``rel="next"``); ``/feed/``; category, tag and author pages; four static pages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

import _site_templates as tpl

POSTS_PER_LISTING = 10
POSTS_PER_SITEMAP = 1000  # Yoast's limit per child sitemap
PAGE_SIZE_RANGE = (60_000, 146_000)  # bytes of HTML per post, uniform
CHUNK_SIZE = 4_000  # shared inline CSS/JS/SVG blocks pad each post to its size
STATIC_PAGES = ("about", "services", "contact", "privacy-policy")
HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"

CONDITIONS = (
    "Plantar Fasciitis|Low Back Pain|Neck Pain|Rotator Cuff Tears|Tennis Elbow|Achilles Tendinopathy|"
    "Knee Osteoarthritis|Hip Bursitis|Sciatica|Whiplash|Frozen Shoulder|Ankle Sprains|Shin Splints|"
    "Patellofemoral Pain|Carpal Tunnel Syndrome|Fibromyalgia|Concussion|Osteoporosis|Pelvic Floor "
    "Dysfunction|TMJ Disorders|Headaches|Scoliosis|ACL Reconstruction|Hamstring Strains"
).split("|")
ANGLES = (
    "What the Evidence Says|A Practical Guide|Myths and Facts|When to See a Physio|Exercises That Help|"
    "Recovery Timeline Explained|Is Surgery Needed?|Dry Needling and Manual Therapy|Returning to Sport|"
    "Advice for Desk Workers|What to Expect at Your First Visit|Loading Programmes That Work"
).split("|")
AUTHORS = (
    ("Maria Lopez", "PT, DPT, OCS", "maria-lopez"),
    ("Liam Chen", "PT", "liam-chen"),
    ("Aisha Rahman", "DC", "aisha-rahman"),
    ("Megan O'Brien", "MSc, MCSP", "megan-obrien"),
)
CATEGORIES = (
    "Back Pain|Neck & Shoulder|Sports Injuries|Tendon Pain|Healthy Ageing|Women's Health|"
    "Chiropractic|Rehabilitation"
).split("|")
TAGS = (
    "exercise running posture strength mobility pain-science manual-therapy dry-needling ergonomics "
    "balance stretching surgery imaging rest ice heat massage footwear sleep stress yoga pilates "
    "walking cycling swimming golf tennis office-work pregnancy seniors"
).split()
SURNAMES = (
    "Smith Jones Hartvigsen Hancock Kongsted Alfredson Beyer Magnusson Kjaer Maher Buchbinder Foster "
    "Koes Underwood Cook Rio Silbernagel Crossley Vicenzino Bisset Coombes Sluka Clauw Moseley Butler "
    "Nijs Louw Lewis Littlewood Holmes"
).split()
JOURNALS = (
    "Br J Sports Med|J Orthop Sports Phys Ther|Lancet|BMJ|Phys Ther|Spine (Phila Pa 1976)|"
    "Am J Sports Med|Pain|Man Ther|J Physiother|Clin J Pain|Arthritis Rheumatol|JAMA|Cochrane "
    "Database Syst Rev|Musculoskelet Sci Pract"
).split("|")
WORDS = (
    "pain exercise tendon muscle load joint recovery patients treatment physiotherapy strength "
    "movement evidence trial function injury symptoms weeks therapy programme activity stiffness "
    "rest research clinicians improvement outcome progressive gradual daily running walking sleep "
    "posture mobility swelling inflammation tissue healing confidence flare routine guidance "
    "assessment education manual hands-on supervised home plan goals sport work"
).split()


def _make_sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 24))]
    return " ".join(words).capitalize() + "."


# Posts draw their sentences from a fixed bank: building 10,000 posts word by word takes ~10 s.
_BANK_RNG = random.Random(0)
SENTENCES = tuple(_make_sentence(_BANK_RNG) for _ in range(5000))


def _sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES)


@dataclass(frozen=True, slots=True)
class Post:
    n: int
    slug: str
    title: str
    published: date
    author: tuple[str, str, str]
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    size: int  # target bytes of HTML


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def make_posts(n: int, rng: random.Random) -> list[Post]:
    """N posts, newest first, one a day back from 2026-01-01."""
    posts = []
    for i in range(n):
        title = f"{rng.choice(CONDITIONS)}: {rng.choice(ANGLES)}"
        posts.append(
            Post(
                n=i,
                slug=f"{_slug(title)}-{i + 1}",
                title=title,
                published=date(2026, 1, 1) - timedelta(days=i),
                author=rng.choice(AUTHORS),
                categories=tuple(rng.sample(CATEGORIES, rng.randint(1, 2))),
                tags=tuple(rng.sample(TAGS, rng.randint(2, 4))),
                size=rng.randint(*PAGE_SIZE_RANGE),
            )
        )
    return posts


# --- shared theme chunks -----------------------------------------------------------------------


def _css_chunk(rng: random.Random, i: int) -> bytes:
    rules = []
    while sum(map(len, rules)) < CHUNK_SIZE - 200:
        rules.append(
            f".wp-block-{rng.choice(WORDS)}-{rng.randint(1, 999)}{{margin:0 0 {rng.randint(1, 40) / 10}em;"
            f"padding:{rng.randint(0, 32)}px;color:#{rng.randint(0, 0xFFFFFF):06x};"
            f"font-size:var(--wp--preset--font-size--{rng.choice(WORDS)})}}"
        )
    return f'<style id="theme-inline-css-{i}">{"".join(rules)}</style>\n'.encode()


def _js_chunk(rng: random.Random, i: int) -> bytes:
    entries = []
    while sum(map(len, entries)) < CHUNK_SIZE - 300:
        entries.append(
            f'"{rng.choice(WORDS)}_{rng.randint(1, 99)}":{{"enabled":{rng.choice(["true", "false"])},'
            f'"ver":"{rng.randint(1, 9)}.{rng.randint(0, 20)}","nonce":"{rng.getrandbits(40):010x}"}}'
        )
    code = f"(function(w,d){{w.wpPlugin{i}={{{','.join(entries)}}};d.documentElement.className+=' js';}})"
    return f'<script id="plugin-{i}-js-extra">\n{code}(window,document);\n</script>\n'.encode()


def _svg_sprite(rng: random.Random) -> bytes:
    def path() -> str:
        steps = "".join(f"l{rng.randint(-9, 9)} {rng.randint(-9, 9)}" for _ in range(20))
        return f"M{rng.randint(0, 24)} {rng.randint(0, 24)}{steps}z"

    symbols = "".join(
        f'<symbol id="icon-{w}" viewBox="0 0 24 24"><path d="{path()}"/></symbol>' for w in WORDS[:24]
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none">{symbols}</svg>\n'.encode()


@dataclass
class Theme:
    """Chrome shared by every page of the site."""

    css: list[bytes]
    js: list[bytes]
    header: bytes
    sidebar: bytes
    footer: bytes


def make_theme(base: str, posts: list[Post], rng: random.Random) -> Theme:
    menu = "".join(
        f'<li class="menu-item"><a href="{base}/{p}/">{p.replace("-", " ").title()}</a></li>'
        for p in (*STATIC_PAGES, "blog")
    )
    menu = f'<li class="menu-item"><a href="{base}/">Home</a></li>{menu}'
    sidebar = tpl.SIDEBAR.format(
        base=base,
        recent="".join(f'<li><a href="{base}/blog/{p.slug}/">{escape(p.title)}</a></li>' for p in posts[:5]),
        categories="".join(
            f'<li><a href="{base}/category/{_slug(c)}/">{escape(c)}</a></li>' for c in CATEGORIES
        ),
        tags=" ".join(f'<a href="{base}/tag/{t}/" class="tag-cloud-link">{t}</a>' for t in TAGS),
    )
    css = [_css_chunk(rng, i) for i in range(16)]
    js = [_js_chunk(rng, i) for i in range(16)] + [_svg_sprite(rng)]
    header = tpl.HEADER.format(base=base, menu=menu)
    return Theme(css, js, header.encode(), sidebar.encode(), tpl.FOOTER.format(base=base).encode())


# --- pages ------------------------------------------------------------------------------------


def _head(base: str, path: str, title: str, json_ld: str, article: bool) -> bytes:
    og_type = "article" if article else "website"
    return tpl.HEAD.format(
        base=base, path=path, title=escape(title), og_type=og_type, json_ld=json_ld
    ).encode()


def _references(rng: random.Random, count: int) -> list[str]:
    refs = []
    for _ in range(count):
        authors = (
            f"{rng.choice(SURNAMES)} {rng.choice('ABCDJKLMRS')}{rng.choice(['', 'J', 'M'])}"
            for _ in range(rng.randint(1, 6))
        )
        year = rng.randint(1995, 2025)
        first = rng.randint(1, 900)
        refs.append(
            tpl.REFERENCE.format(
                authors=", ".join(authors),
                title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize(),
                journal=escape(rng.choice(JOURNALS)),
                year=year,
                volume=rng.randint(1, 80),
                issue=rng.randint(1, 12),
                first=first,
                last=first + rng.randint(5, 20),
                doi=f"10.{rng.randint(1000, 9999)}/{rng.choice(WORDS)}.{year}.{rng.randint(100, 9999)}",
                pmid=rng.randint(10_000_000, 39_999_999),
            )
        )
    return refs


def _body(rng: random.Random, n_refs: int) -> str:
    """600-2,200 words: paragraphs ending in a citation marker, some headings and lists."""
    parts: list[str] = []
    words, target = 0, rng.randint(600, 2200)
    while words < target:
        if parts and rng.random() < 0.15:
            parts.append(f'<h2 class="wp-block-heading">{escape(rng.choice(ANGLES))}</h2>')
        elif rng.random() < 0.1:
            parts.append(
                "<ul>" + "".join(f"<li>{_sentence(rng)}</li>" for _ in range(rng.randint(3, 6))) + "</ul>"
            )
            words += 60
        else:
            sentences = [_sentence(rng) for _ in range(rng.randint(3, 6))]
            sentences[-1] = sentences[-1][:-1] + f" ({rng.randint(1, n_refs)})."
            text = " ".join(sentences)
            words += text.count(" ") + 1
            parts.append(f"<p>{text}</p>")
    return "\n".join(parts)


def _links(base: str, items: list[Post], rel: str = "") -> str:
    return "".join(f'<li><a href="{base}/blog/{p.slug}/"{rel}>{escape(p.title)}</a></li>' for p in items)


def post_page(base: str, post: Post, posts: list[Post], theme: Theme, seed: int) -> list[bytes]:
    """One post's HTML as chunks; the same seed and post always give the same bytes."""
    rng = random.Random(f"{seed}:{post.n}")
    path = f"/blog/{post.slug}/"
    name, credentials, author_slug = post.author
    refs = _references(rng, rng.randint(5, 15))
    json_ld = tpl.POST_JSON_LD.format(
        base=base,
        path=path,
        headline=_json(post.title),
        date=post.published,
        author=_json(f"{name}, {credentials}"),
        sections=_jlist(post.categories),
        keywords=_jlist(post.tags),
    )
    newer, older = posts[post.n - 1 : post.n] if post.n else [], posts[post.n + 1 : post.n + 2]
    article = tpl.POST.format(
        base=base,
        title=escape(post.title),
        author_slug=author_slug,
        author=escape(f"{name}, {credentials}"),
        date=post.published,
        date_text=f"{post.published:%B %d, %Y}",
        categories=", ".join(
            f'<a href="{base}/category/{_slug(c)}/" rel="category tag">{escape(c)}</a>'
            for c in post.categories
        ),
        body=_body(rng, len(refs)),
        references="".join(f"<li>{escape(r)}</li>" for r in refs),
        related=_links(base, rng.sample(posts, min(3, len(posts)))),
        tags=", ".join(f'<a href="{base}/tag/{t}/" rel="tag">{t}</a>' for t in post.tags),
        neighbours=_links(base, older, ' rel="prev"') + _links(base, newer, ' rel="next"'),
    ).encode()
    head = _head(base, path, post.title, json_ld, article=True)
    chunks = [head, b"", b"</head>\n", theme.header, article, theme.sidebar, b"</div>\n", theme.footer]
    return [*_pad(chunks, post, theme), b"</body>\n</html>\n"]


def _pad(chunks: list[bytes], post: Post, theme: Theme) -> list[bytes]:
    """Add shared style blocks (in the head, at chunks[1]) and scripts (at the end) up to the post's size."""
    css: list[bytes] = []
    js: list[bytes] = []
    size = sum(map(len, chunks))
    while size < post.size:
        pool, out = (theme.css, css) if len(css) <= len(js) else (theme.js, js)
        out.append(pool[(post.n + len(out)) % len(pool)])
        size += len(out[-1])
    return [chunks[0], *css, *chunks[2:], *js]


def _json(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _jlist(items: tuple[str, ...]) -> str:
    return "[" + ",".join(_json(i) for i in items) + "]"


def listing_page(
    base: str, path: str, title: str, items: list[Post], next_path: str | None, theme: Theme
) -> list[bytes]:
    """A blog index, category, tag or author page: excerpts and links, never a record."""
    entries = "".join(
        tpl.LISTING_ENTRY.format(
            base=base,
            slug=p.slug,
            title=escape(p.title),
            date=p.published,
            date_text=f"{p.published:%B %d, %Y}",
            author=escape(p.author[0]),
        )
        for p in items
    )
    nav = tpl.NEXT_LINK.format(base=base, path=next_path) if next_path else ""
    body = tpl.LISTING.format(title=escape(title), entries=entries, next=nav).encode()
    json_ld = tpl.PAGE_JSON_LD.format(kind="CollectionPage", base=base, path=path, name=_json(title))
    head = _head(base, path, title, json_ld, article=False)
    return [
        head,
        *theme.css[:4],
        b"</head>\n",
        theme.header,
        body,
        theme.sidebar,
        b"</div>\n",
        theme.footer,
        *theme.js[:4],
        b"</body></html>\n",
    ]


def static_page(base: str, name: str, theme: Theme) -> list[bytes]:
    path = f"/{name}/" if name else "/"
    title = name.replace("-", " ").title() or "Home"
    extra = "" if name else f'<a href="{base}/blog/">Read our blog</a>'
    json_ld = tpl.PAGE_JSON_LD.format(kind="WebPage", base=base, path=path, name=_json(title))
    body = tpl.STATIC.format(title=title, extra=extra).encode()
    head = _head(base, path, title, json_ld, article=False)
    return [head, *theme.css[:2], b"</head>\n", theme.header, body, theme.footer, b"</body></html>\n"]


@dataclass
class SyntheticSite:
    """Every URL of the site mapped to (content type, body chunks)."""

    base: str
    posts: list[Post]
    routes: dict[str, tuple[str, list[bytes]]] = field(default_factory=dict)

    @property
    def post_paths(self) -> list[str]:
        return [f"/blog/{p.slug}/" for p in self.posts]


def build_site(base: str, n_posts: int, seed: int = 1) -> SyntheticSite:
    """The whole site for ``base`` (``http://127.0.0.1:PORT``), deterministic from ``seed``."""
    rng = random.Random(seed)
    posts = make_posts(n_posts, rng)
    theme = make_theme(base, posts, rng)
    site = SyntheticSite(base, posts)
    for post in posts:
        site.routes[f"/blog/{post.slug}/"] = (HTML, post_page(base, post, posts, theme, seed))
    for name in ("", *STATIC_PAGES):
        site.routes[f"/{name}/" if name else "/"] = (HTML, static_page(base, name, theme))
    _add_listings(site, theme)
    _add_maps(site)
    return site


def _add_listings(site: SyntheticSite, theme: Theme) -> None:
    """/blog/ paginated; one page per category, tag and author with its 10 newest posts."""
    base, posts = site.base, site.posts
    pages = max(1, -(-len(posts) // POSTS_PER_LISTING))
    for i in range(pages):
        path = "/blog/" if i == 0 else f"/blog/page/{i + 1}/"
        items = posts[i * POSTS_PER_LISTING : (i + 1) * POSTS_PER_LISTING]
        next_path = f"/blog/page/{i + 2}/" if i + 1 < pages else None
        site.routes[path] = (HTML, listing_page(base, path, "Blog", items, next_path, theme))
    groups: dict[str, list[Post]] = {f"/category/{_slug(c)}/": [] for c in CATEGORIES}
    groups.update({f"/tag/{t}/": [] for t in TAGS})
    for post in posts:
        keys = [f"/category/{_slug(c)}/" for c in post.categories] + [f"/tag/{t}/" for t in post.tags]
        for key in [*keys, f"/author/{post.author[2]}/"]:
            groups.setdefault(key, []).append(post)
    for path, items in groups.items():
        title = path.strip("/").split("/")[-1]
        site.routes[path] = (HTML, listing_page(base, path, title, items[:POSTS_PER_LISTING], None, theme))


def _add_maps(site: SyntheticSite) -> None:
    """robots.txt, a Yoast-style sitemap index with 1,000 posts per child sitemap, an RSS feed."""
    base, posts, routes = site.base, site.posts, site.routes
    children = []
    for i in range(0, len(posts), POSTS_PER_SITEMAP):
        name = f"/post-sitemap{i // POSTS_PER_SITEMAP + 1 if i else ''}.xml"
        children.append(name)
        urls = "".join(
            f"<url><loc>{base}/blog/{p.slug}/</loc><lastmod>{p.published}</lastmod></url>"
            for p in posts[i : i + POSTS_PER_SITEMAP]
        )
        routes[name] = (XML, [tpl.URLSET.format(urls=urls).encode()])
    pages = "".join(f"<url><loc>{base}/{p}/</loc></url>" for p in ("", *STATIC_PAGES))
    routes["/page-sitemap.xml"] = (
        XML,
        [tpl.URLSET.format(urls=pages.replace("//</loc>", "/</loc>")).encode()],
    )
    categories = "".join(f"<url><loc>{base}/category/{_slug(c)}/</loc></url>" for c in CATEGORIES)
    routes["/category-sitemap.xml"] = (XML, [tpl.URLSET.format(urls=categories).encode()])
    children += ["/page-sitemap.xml", "/category-sitemap.xml"]
    maps = "".join(f"<sitemap><loc>{base}{c}</loc></sitemap>" for c in children)
    routes["/sitemap_index.xml"] = (XML, [tpl.SITEMAP_INDEX.format(maps=maps).encode()])
    routes["/robots.txt"] = ("text/plain; charset=utf-8", [tpl.ROBOTS.format(base=base).encode()])
    items = "".join(
        tpl.RSS_ITEM.format(title=escape(p.title), base=base, slug=p.slug, date=f"{p.published:%a, %d %b %Y}")
        for p in posts[:10]
    )
    routes["/feed/"] = (
        "application/rss+xml; charset=UTF-8",
        [tpl.RSS.format(base=base, items=items).encode()],
    )
