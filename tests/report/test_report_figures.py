"""Every figure of the competitor report on the hand-made archive, against answers worked out by
hand (tests/fixtures/report/README.md), plus the pure helpers on edge cases."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from pipelines.references import journal_key
from pipelines.report.build import ALL_SITES, Report, report_from_scan
from pipelines.report.figures import (
    Count,
    grouped_counts,
    month_range,
    posts_per_month,
    share,
    word_counts,
    word_histogram,
)
from pipelines.report.neardup import Signer
from pipelines.report.scan import scan_archive
from pipelines.report.summary import summarize

FIXTURE = FIXTURES / "report"


@pytest.fixture(scope="module")
def report() -> Report:
    return report_from_scan(scan_archive(FIXTURE, signer=Signer(), workers=0))


def figures(report: Report, site: str):
    return report.total if site == ALL_SITES else next(f for f in report.sites if f.site == site)


def test_sites_come_most_posts_first(report):
    assert [f.site for f in report.sites] == ["alpha.example", "beta.example", "gamma.example"]
    assert [f.site_name for f in report.sites] == ["Alpha Physio", "Beta Chiropractic", "Gamma Dental"]
    assert report.total.site_name is None
    assert (report.lines, report.posts, report.bad_lines) == (10, 9, 0)


@pytest.mark.parametrize(
    ("site", "posts", "dated", "first", "last"),
    [
        ("alpha.example", 4, 4, "2024-01-10", "2024-03-20"),
        ("beta.example", 3, 3, "2023-12-02", "2024-02-28"),
        ("gamma.example", 2, 1, "2024-02-01", "2024-02-01"),
        (ALL_SITES, 9, 8, "2023-12-02", "2024-03-20"),
    ],
)
def test_posts_and_dates(report, site, posts, dated, first, last):
    fig = figures(report, site)
    assert (fig.posts, fig.dated_posts, fig.first_post, fig.last_post) == (posts, dated, first, last)


@pytest.mark.parametrize(
    ("site", "months", "mean"),
    [
        ("alpha.example", {"2024-01": 2, "2024-02": 0, "2024-03": 2}, 1.33),
        ("beta.example", {"2023-12": 1, "2024-01": 0, "2024-02": 2}, 1.0),
        ("gamma.example", {"2024-02": 1}, 1.0),
        (ALL_SITES, {"2023-12": 1, "2024-01": 2, "2024-02": 3, "2024-03": 2}, 2.0),
    ],
)
def test_posts_per_month_counts_the_newest_version_and_fills_empty_months(report, site, months, mean):
    fig = figures(report, site)
    assert fig.posts_per_month == months  # the knee post's old date (2023-11) is history
    assert fig.mean_posts_per_month == mean


def test_topics_count_posts_per_category_and_tag(report):
    alpha, beta = figures(report, "alpha.example"), figures(report, "beta.example")
    assert [(c.name, c.count) for c in alpha.categories] == [
        ("Back Pain", 1),
        ("Knee", 1),
        ("News", 1),
        ("Shoulder", 1),
        ("Sports Injuries", 1),
    ]  # "Old Category" belonged to the knee post's first version only
    assert [(t.name, t.count) for t in alpha.tags] == [("exercise", 2), ("running", 1)]
    assert [(c.name, c.count) for c in beta.categories] == [("Back Pain", 2), ("Nerve Pain", 2)]
    assert [(c.name, c.count) for c in report.total.categories][:2] == [("Back Pain", 3), ("Nerve Pain", 2)]


def test_title_words_skip_stopwords_and_count_posts(report):
    words = figures(report, "alpha.example").title_words
    assert words[0] == Count("pain", 2)  # "Knee Pain: What Helps", "Five Back Pain Myths"
    names = [w.name for w in words]
    assert len(names) == 10 and "knee" in names and "myths" in names
    assert not {"what", "our", "new"} & set(names)


def test_word_count_quantiles(report):
    # alpha's posts have 19, 60, 82 and 192 words; quantiles interpolate between them
    # ("inclusive" method): p10 = 19 + 0.3 * (60 - 19) = 31.3, q1 = 19 + 0.75 * 41 = 49.75,
    # q3 = 82 + 0.25 * 110 = 109.5, p90 = 82 + 0.7 * 110 = 159.
    alpha = figures(report, "alpha.example").word_count
    assert (alpha.min, alpha.p10, alpha.q1, alpha.median, alpha.q3, alpha.p90, alpha.max) == (
        19,
        31.3,
        49.8,
        71.0,
        109.5,
        159.0,
        192,
    )
    assert alpha.mean == 88.2  # 353 / 4 = 88.25
    assert alpha.histogram == {"0-99": 3, "100-199": 1}
    beta = figures(report, "beta.example").word_count
    assert (beta.min, beta.median, beta.max, beta.mean) == (141, 141.0, 192, 158.0)
    assert beta.histogram == {"0-99": 0, "100-199": 3}
    assert figures(report, "gamma.example").word_count.median == 136.5


def test_authors_and_credentials(report):
    alpha = figures(report, "alpha.example")
    assert [(a.name, a.credentials, a.posts) for a in alpha.authors] == [
        ("Jane Doe", ["PT", "DPT"], 2),
        ("Tom Lee", [], 1),
    ]
    assert (alpha.posts_without_author, alpha.posts_with_credentials) == (1, 2)
    assert [(c.name, c.count) for c in alpha.credentials] == [("DPT", 2), ("PT", 2)]
    beta = figures(report, "beta.example")
    assert [(a.name, a.credentials, a.posts) for a in beta.authors] == [
        ("Sam Roe", ["DC"], 3),
        ("Ann Kim", ["DC", "MS"], 1),
    ]
    total = {a.name: (sorted(a.credentials), a.posts) for a in report.total.authors}
    assert total["Ann Kim"] == (["DC", "DDS", "MS"], 3)  # a dentist on one site, a chiropractor on another
    assert report.total.posts_with_credentials == 7


@pytest.mark.parametrize(
    ("site", "refs", "with_refs", "share_with", "mean"),
    [
        ("alpha.example", 5, 3, 0.75, 1.25),
        ("beta.example", 2, 1, 0.3333, 0.67),
        ("gamma.example", 1, 1, 0.5, 0.5),
        (ALL_SITES, 8, 5, 0.5556, 0.89),
    ],
)
def test_references_per_post(report, site, refs, with_refs, share_with, mean):
    fig = figures(report, site)
    assert (fig.references, fig.posts_with_references) == (refs, with_refs)
    assert (fig.share_with_references, fig.mean_references) == (share_with, mean)


@pytest.mark.parametrize(
    ("site", "counts", "shares"),
    [
        ("alpha.example", (3, 1, 1, 4), (0.6, 0.2, 0.2, 0.8)),
        ("beta.example", (1, 1, 0, 2), (0.5, 0.5, 0.0, 1.0)),
        ("gamma.example", (1, 0, 0, 1), (1.0, 0.0, 0.0, 1.0)),
        (ALL_SITES, (5, 2, 1, 7), (0.625, 0.25, 0.125, 0.875)),
    ],
)
def test_identifier_coverage(report, site, counts, shares):
    fig = figures(report, site)
    assert (
        fig.references_with_doi,
        fig.references_with_pmid,
        fig.references_with_pmcid,
        fig.references_with_identifier,
    ) == counts
    assert (fig.share_doi, fig.share_pmid, fig.share_pmcid, fig.share_identifier) == shares


def test_most_cited_journals_group_spellings(report):
    alpha = figures(report, "alpha.example")
    # "Br J Sports Med" and "Br. J. Sports Med." are one journal
    assert [(j.name, j.count) for j in alpha.journals] == [
        ("Br J Sports Med", 2),
        ("BMJ", 1),
        ("J Orthop Sports Phys Ther", 1),
        ("Lancet", 1),
    ]
    assert [(j.name, j.count) for j in report.total.journals][:2] == [("Br J Sports Med", 2), ("Lancet", 2)]


@pytest.mark.parametrize(
    ("site", "problems"),
    [
        ("alpha.example", (1, 1, 1, 3)),
        ("beta.example", (0, 0, 0, 0)),
        # gamma's whitening post lists one entry and cites nothing: further reading, no problem
        ("gamma.example", (0, 0, 0, 0)),
        (ALL_SITES, (1, 1, 1, 3)),
    ],
)
def test_citation_problems(report, site, problems):
    fig = figures(report, site)
    assert (
        fig.markers_without_entries,
        fig.unused_entries,
        fig.contradictions,
        fig.posts_with_citation_problems,
    ) == problems
    assert len(fig.problem_posts) == problems[3]


def test_problem_posts_link_to_the_posts(report):
    posts = {p.title: p for p in figures(report, "alpha.example").problem_posts}
    assert set(posts) == {"Knee Pain: What Helps", "Five Back Pain Myths", "Shoulder Impingement Explained"}
    assert posts["Shoulder Impingement Explained"].contradictions == 1
    assert posts["Knee Pain: What Helps"].url == "https://alpha.example/blog/knee-pain/"


def test_newest_posts_newest_first_with_links(report):
    alpha = figures(report, "alpha.example")
    assert [p.published for p in alpha.newest] == ["2024-03-20", "2024-03-05", "2024-01-25", "2024-01-10"]
    assert alpha.newest[0].url == "https://alpha.example/blog/clinic-news/"
    assert [p.title for p in figures(report, "gamma.example").newest] == ["Back Pain Myths at the Dentist"]


@pytest.mark.parametrize(
    ("site", "in_cluster", "on_other_sites"),
    [("alpha.example", 1, 1), ("beta.example", 3, 1), ("gamma.example", 1, 1), (ALL_SITES, 5, 3)],
)
def test_duplicate_counts_per_site(report, site, in_cluster, on_other_sites):
    fig = figures(report, site)
    assert (fig.posts_in_duplicate_clusters, fig.posts_duplicated_on_other_sites) == (
        in_cluster,
        on_other_sites,
    )


def test_clusters_in_the_report(report):
    assert [(c.size, c.sites) for c in report.clusters] == [
        (3, ["alpha.example", "beta.example", "gamma.example"]),
        (2, ["beta.example"]),
    ]
    syndicated = report.clusters[0]
    assert [p.published for p in syndicated.posts] == [
        "2023-12-02",
        "2024-01-25",
        "2024-02-01",
    ]  # oldest first
    assert syndicated.id == "dup-" + min(p.id for p in syndicated.posts)
    assert 0.8 <= syndicated.similarity <= 1.0


# --- helpers on edge cases ----------------------------------------------------------------


def test_month_range_crosses_years():
    assert month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert month_range("2024-05", "2024-05") == ["2024-05"]


def test_posts_per_month_ignores_undated_posts():
    posts = [
        summarize({"id": str(i), "site": "s", "published": d}) for i, d in enumerate(["2024-01-31", None])
    ]
    assert posts_per_month(posts) == {"2024-01": 1}
    assert posts_per_month([]) == {}


def test_grouped_counts_merge_case_and_dots_and_keep_the_common_spelling():
    rows = grouped_counts(["J. Pain", "J Pain", "J Pain", "j pain", "Spine"])
    assert rows == [Count("J Pain", 4), Count("Spine", 1)]
    assert grouped_counts(["b", "a", "c"], top=2) == [Count("a", 1), Count("b", 1)]


def test_one_journal_is_one_row_and_sites_are_not_journals():
    """Journal names are grouped through the abbreviation table (full title, NLM abbreviation,
    dotted ISO form, acronym); a web page's site and a host name given as a container are not
    journals."""
    refs = [
        {"container": "N Engl J Med", "style": "vancouver"},
        {"container": "The New England Journal of Medicine", "style": "apa"},
        {"container": "NEJM", "style": "other"},
        {"container": "N. Engl. J. Med.", "style": "vancouver"},
        {"container": "J.Biomech", "style": "other"},
        {"container": "Mayo Clinic", "style": "url"},
        {"container": "www.ncbi.nlm.nih.gov", "style": "other"},
    ]
    post = summarize({"id": "x", "references": refs})
    assert post.journals == (
        "N Engl J Med",
        "The New England Journal of Medicine",
        "NEJM",
        "N. Engl. J. Med.",
        "J.Biomech",
    )
    rows = grouped_counts(post.journals, key=journal_key)
    assert rows == [Count("N Engl J Med", 4), Count("J.Biomech", 1)]
    # the web page is counted as a site; so is a page whose container is a host name
    assert post.cited_sites == ("Mayo Clinic", "www.ncbi.nlm.nih.gov")


def test_word_histogram_has_an_open_last_bin():
    assert word_histogram([0, 99, 100, 5000]) == {
        **{f"{b}-{b + 99}": 0 for b in range(0, 3000, 100)},
        "0-99": 2,
        "100-199": 1,
        "3000+": 1,
    }


def test_word_counts_of_one_post_and_of_none():
    one = word_counts([summarize({"id": "x", "word_count": 250})])
    assert (one.min, one.p10, one.median, one.p90, one.max, one.mean) == (250, 250, 250.0, 250, 250, 250.0)
    assert word_counts([]).median is None


def test_share_of_nothing_is_unknown():
    assert share(0, 0) is None and share(1, 3) == 0.3333


def test_summarize_tolerates_missing_and_odd_fields():
    post = summarize({"id": "x", "authors": [{"name": " "}, "junk", {"name": "A", "credentials": None}]})
    assert post.authors[0].name == "A" and post.authors[0].credentials == ()
    assert (post.site, post.word_count, post.references, post.published) == ("", 0, 0, None)
