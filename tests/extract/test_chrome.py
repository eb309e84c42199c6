"""The chrome line filter removes widget lines but never words inside real sentences."""

import pytest

from pipelines.extract.chrome import ChromeFilter

CHROME = ChromeFilter()


@pytest.mark.parametrize(
    "line",
    [
        "Skip to content",
        "Text Us",
        "Text Us Book Now",
        "Call Now: (555) 123-4567",
        "📞 Call Now",
        "Book Now »",
        "Request an Appointment",
        "Let’s Chat!",
        "Share this:",
        "Facebook Twitter Email",
        "We use cookies to improve your experience on our website. By browsing this website, you agree to our use of cookies.",
        "© 2024 Harbourview Physiotherapy. All rights reserved.",
    ],
)
def test_chrome_lines_are_removed(line):
    assert CHROME.is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "If your pain persists beyond two weeks, book now with one of our physiotherapists for a full assessment.",
        "Text us a photo of your brace and we will check the fit before your next visit.",
        "Skip to the exercises below if you already know the anatomy.",
        "Cookies and other sugary snacks raise the risk of tooth decay. " * 6,
        "Share your progress with your physiotherapist at each visit.",
    ],
)
def test_sentences_with_chrome_words_are_kept(line):
    assert not CHROME.is_chrome(line)


def test_phrases_are_configurable():
    custom = ChromeFilter(phrases=["Free Consultation"], markers=[])
    assert custom.is_chrome("Free consultation!")
    assert not custom.is_chrome("Text Us")
