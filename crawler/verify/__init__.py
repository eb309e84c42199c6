"""Online verification of references (``clinic-archive verify``): the HTTP client with its rate
limit and retries, the on-disk cache of answers, and the run that checks every reference of the
archive's newest versions against Crossref and PubMed into ``OUTPUT/verification.jsonl``. What a
reference is compared on, and how, is ``pipelines.verify``."""

from crawler.verify.cache import CACHE_DIR, ResponseCache, cache_key
from crawler.verify.client import HttpClient, RateLimiter, retry_after
from crawler.verify.run import (
    DEFAULT_CONCURRENCY,
    DEFAULT_CROSSREF_URL,
    DEFAULT_PUBMED_URL,
    DEFAULT_RATE,
    DEFAULT_TIMEOUT,
    OFFLINE_MISS,
    VERIFICATION,
    VerifyOptions,
    VerifyReport,
    request_url,
    run_verify,
    user_agent,
)

__all__ = [
    "CACHE_DIR",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_CROSSREF_URL",
    "DEFAULT_PUBMED_URL",
    "DEFAULT_RATE",
    "DEFAULT_TIMEOUT",
    "OFFLINE_MISS",
    "VERIFICATION",
    "HttpClient",
    "RateLimiter",
    "ResponseCache",
    "VerifyOptions",
    "VerifyReport",
    "cache_key",
    "request_url",
    "retry_after",
    "run_verify",
    "user_agent",
]
