"""Every stage that reads page text runs in time linear in its input.

Each check runs a stage on a text of size n and of size 4n and compares CPU times: linear work
grows ~4x, quadratic ~16x, exponential past any cap. A check fails when the larger run took
more than ``RATIO`` times the smaller one *and* more than ``FLOOR`` seconds, so timer noise on
small runs cannot fail it; a run stopped by the cap fails it too. The families are the ones
bench/pathological.py times at 100 KB (service-area lists, hyphenated names, capitalised runs,
markers glued to full stops, endless words...); hypothesis adds units made of the tokens
regexes trip over.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

spec = importlib.util.spec_from_file_location("bench_pathological", ROOT / "bench" / "pathological.py")
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench
spec.loader.exec_module(bench)

RATIO = 10.0  # linear is ~4x; quadratic ~16x
FLOOR = 0.05  # CPU seconds under which a 4n run passes whatever the ratio (noise)
CAP = 3.0  # CPU seconds a single run may take before it counts as runaway
# The reference parser reads at most references.parse.MAX_PARSE_CHARS (4,000): it is measured below that.
SIZES = {"parse_reference": 700}
DEFAULT_SIZE = 3000


def cpu(stage_name: str, text: str) -> float:
    stage = bench.STAGES[stage_name]
    return min(bench.cpu_seconds(stage, text, CAP) for _ in range(2))


def assert_linear(stage_name: str, unit: str) -> None:
    n = SIZES.get(stage_name, DEFAULT_SIZE)
    small = cpu(stage_name, bench.page_text(unit, n))
    large = cpu(stage_name, bench.page_text(unit, 4 * n))
    assert large < CAP, f"{stage_name} on {unit!r}: stopped at the {CAP} s cap at {4 * n} characters"
    assert large < FLOOR or large <= RATIO * max(small, FLOOR / RATIO), (
        f"{stage_name} on {unit!r}: {small:.4f} s at {n} characters, {large:.4f} s at {4 * n}"
    )


@pytest.fixture(scope="module", autouse=True)
def warm_up():
    bench.extract_article(bench.POST.format(text="warm-up"), "https://a.example/")


@pytest.mark.parametrize("family", list(bench.FAMILIES))
@pytest.mark.parametrize("stage_name", list(bench.STAGES))
def test_stage_is_linear_on_family(stage_name: str, family: str):
    assert_linear(stage_name, bench.FAMILIES[family])


TOKENS = [
    "Aa", "Abcdef", "abc", " ", ",", ", ", "-", ".", ". ", "and ", "& ", "1", "2020", "(", ")",
    "[1]", "'", ":", ";", "et al. ", "A", "AB", "A. ", "doi", "/", "http://", "é", "\n", "In ",
    "J ", " pp ", "_", "?", "In: ", "Journal ", "of ", "published in ", "the ", "(2019)", "Aa-",
    "vol. ", "Jr", "www.", "A.B.", "“", '"', "<sup>1</sup>", "van ", "O'", "’s ", "#", "=",
]  # fmt: skip
UNITS = st.one_of(
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map("".join),
    st.text(alphabet="Aa -.,;:()[]&'1", min_size=1, max_size=12),
)


@pytest.mark.parametrize("stage_name", list(bench.STAGES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=UNITS)
def test_stage_is_linear_on_generated_units(stage_name: str, unit: str):
    assert_linear(stage_name, unit)


def test_the_issue_examples_are_fast():
    """The strings that took seconds to hours before (issue: no page can stall a crawl)."""
    service_area = (
        "We treat patients from Richmond, Hawthorn, Camberwell, Balwyn, Doncaster, Burwood, "
        "Malvern, Toorak, Kooyong, Kew, Ivanhoe, Brighton, Elwood, Prahran and surrounding suburbs "
        "since 2009 [1]."
    )
    assert cpu("link_citations", service_area) < 0.5
    assert cpu("parse_reference", "Aa-Bb" * 12) < 0.5
    assert cpu("parse_reference", "Aa-" * 30) < 0.5
