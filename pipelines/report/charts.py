"""The report's charts as inline SVG strings, drawn with matplotlib (no pyplot, no global state).

SVG keeps the HTML self-contained and sharp at any zoom; text stays text (``svg.fonttype``
"none"), so the charts are small and searchable. The charts draw the same numbers the tables
and the JSON output give (the word-count boxes are drawn from the computed quantiles).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from matplotlib import rc_context
from matplotlib.dates import ConciseDateFormatter, DateLocator, MonthLocator, YearLocator
from matplotlib.figure import Figure

from pipelines.report.figures import SiteFigures, month_range

WIDTH_IN = 10.0  # inches; scaled to the page width by CSS
# Past this many sites, lines on one chart cannot be told apart: posts per month become a heatmap.
LINES_MAX_SITES = 8
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "clinic-archive",  # stable element ids: the same report renders the same SVG
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.axisbelow": True,
}


def colors(n: int) -> list[str]:
    """One colour per site, the same in every chart (tab10, or tab20 for many sites)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def to_svg(fig: Figure, label: str) -> str:
    """The figure as an ``<svg>`` element to inline (no XML prolog), labelled for screen readers."""
    buffer = io.StringIO()
    with rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(label)}" ', 1)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def month_locator(months: int) -> DateLocator:
    """Ticks on whole months (never mid-month days): every month, every quarter, or every year."""
    if months <= 18:
        return MonthLocator()
    if months <= 48:
        return MonthLocator(bymonth=(1, 4, 7, 10))
    return YearLocator(base=max(1, months // 120))


def posts_per_month_chart(sites: Sequence[SiteFigures]) -> str | None:
    """Posts per month on a shared time axis: one line per site, or a heatmap (one row per site)
    when there are too many sites for lines to be told apart. None when no post has a date."""
    palette = dict(zip((s.site for s in sites), colors(len(sites)), strict=True))
    dated = [s for s in sites if s.posts_per_month]
    if not dated:
        return None
    months = month_range(
        min(min(s.posts_per_month) for s in dated), max(max(s.posts_per_month) for s in dated)
    )
    counts = [[site.posts_per_month.get(m, 0) for m in months] for site in dated]
    with rc_context(STYLE):
        if len(dated) > LINES_MAX_SITES:
            fig = _month_heatmap([s.site for s in dated], months, counts)
        else:
            fig = _month_lines([s.site for s in dated], months, counts, palette)
        return to_svg(fig, "Posts per month per site")


def _month_lines(sites: list[str], months: list[str], counts: list[list[int]], palette: dict) -> Figure:
    x = [date(int(m[:4]), int(m[5:7]), 1) for m in months]
    fig = Figure(figsize=(WIDTH_IN, 2.8), layout="constrained")
    ax = fig.add_subplot()
    for site, y in zip(sites, counts, strict=True):
        if len(sites) == 1:
            ax.bar(x, y, width=20, color=palette[site], label=site)
        else:
            marker = "o" if len(months) <= 48 else None
            ax.plot(x, y, color=palette[site], marker=marker, ms=3, lw=1.5, label=site)
    locator = month_locator(len(months))
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylabel("posts")
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return fig


def _month_heatmap(sites: list[str], months: list[str], counts: list[list[int]]) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, 1.0 + 0.22 * len(sites)), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(counts, aspect="auto", interpolation="nearest", cmap="Blues", vmin=0)
    step = max(1, len(months) // 12)
    ax.set_xticks(range(0, len(months), step), [months[i] for i in range(0, len(months), step)])
    ax.set_yticks(range(len(sites)), sites)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(visible=False)
    fig.colorbar(image, ax=ax, label="posts", pad=0.01, fraction=0.03)
    return fig


def word_count_chart(sites: Sequence[SiteFigures]) -> str | None:
    """Word counts per site as box plots drawn from the computed quantiles: box = middle half of
    the posts, whiskers = 10th to 90th percentile, line = median, dot = mean."""
    rows = [
        (s, c) for s, c in zip(sites, colors(len(sites)), strict=False) if s.word_count.median is not None
    ]
    if not rows:
        return None
    stats = [
        {
            "label": s.site,
            "whislo": s.word_count.p10,
            "q1": s.word_count.q1,
            "med": s.word_count.median,
            "q3": s.word_count.q3,
            "whishi": s.word_count.p90,
            "mean": s.word_count.mean,
            "fliers": [],
        }
        for s, _ in reversed(rows)  # first site on top
    ]
    with rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, 0.9 + 0.42 * len(rows)), layout="constrained")
        ax = fig.add_subplot()
        boxes = ax.bxp(stats, orientation="horizontal", showmeans=True, patch_artist=True, widths=0.6)
        for patch, (_, color) in zip(boxes["boxes"], reversed(rows), strict=True):
            patch.set_facecolor(color)
            patch.set_alpha(0.55)
        ax.set_xlabel("words per post")
        ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)
        return to_svg(fig, "Word count distribution per site")
