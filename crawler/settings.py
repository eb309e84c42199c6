"""Scrapy settings for clinic-archive: the single switchboard.

Every tunable lives here with its default; override any of them with ``-s NAME=VALUE``
(``scrapy crawl`` and ``clinic-archive crawl`` both accept it).
"""

from crawler import TOOL
from pipelines.extract import (
    DEFAULT_CHROME_MARKERS,
    DEFAULT_CHROME_PHRASES,
    DEFAULT_EXTRACT_TIMEOUT,
    DEFAULT_MARKER_MAX_WORDS,
)

BOT_NAME = "clinic_archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Politeness -------------------------------------------------------------------------
# Identify ourselves and give site owners a way to reach us.
USER_AGENT = f"{TOOL} (+https://github.com/clinic-archive/clinic-archive; research archiving crawler)"
ROBOTSTXT_OBEY = True
# Small clinic sites run on shared hosting: one request at a time per site, adaptive delay.
# CONCURRENT_REQUESTS is the whole crawl's cap: `clinic-archive crawl` raises it with the number of
# seeds (each site's CONCURRENT_REQUESTS_PER_DOMAIN), up to CLINIC_MAX_CONCURRENT_REQUESTS, so that
# a broad crawl of hundreds of sites is bounded by each site's politeness, not by 16 (Scrapy's
# "Broad Crawls" advice); a -s CONCURRENT_REQUESTS=N of your own is kept as it is.
CONCURRENT_REQUESTS = 16
CLINIC_MAX_CONCURRENT_REQUESTS = 256
# A seeds file longer than this is read as sites finish: at most this many sites have requests
# waiting or under way at once (crawler/spiders/window.py; 0: all seeds at the start)
CLINIC_ACTIVE_SITES = 1000
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# The scheduler hands the downloader a request of the site with the fewest downloads under way,
# not one that must wait for its site's delay while others could go (Scrapy's broad-crawl queue)
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
DOWNLOAD_DELAY = 0.5
# --delay is a minimum: no jitter (Scrapy's default draws each delay from 0.5x-1.5x, so two
# requests to one site came half the delay apart, and in a broad crawl the slowest of many sites
# drew long delays: 120 sites x 20 posts took 1.31-1.34x the floor with it, 1.01x without)
DOWNLOAD_DELAY_JITTER = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening control port on a research machine

# --- Fetching ---------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # a clinic blog post is ~50-300 KB; 20 MB is clearly not one
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Retries wait (crawler/fetch/retry.py): for the server's Retry-After, but at most this many seconds
# (an answer of "come back in an hour" would hold the crawl open; the page is logged instead
# once the attempts run out), else this base doubled per attempt (1 s, 2 s, ...). A 429, or
# any Retry-After, also slows that site to one request per wait until it answers normally again.
CLINIC_RETRY_AFTER_MAX = 60.0
CLINIC_RETRY_BACKOFF = 1.0
REDIRECT_MAX_TIMES = 10  # longer chains end as too_many_redirects; loops as redirect_loop
# Let 4xx/5xx reach the spider's errback as HttpError so each one is logged and counted.
HTTPERROR_ALLOWED_CODES: list[int] = []
DEPTH_LIMIT = 0  # pagination can be deep; page and URL limits bound the crawl instead
CLOSESPIDER_PAGECOUNT = 0  # 0 = no limit; `--max-pages` sets it
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy reads each callback's source file the first time it runs, to warn about generators that
# return a value: out of file descriptors that read fails and the response is lost as a "spider
# error". Our callbacks are tested; the check is off.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Scrapy's caching resolver, refusing internal addresses when the seeds are public sites
# (crawler/fetch/addresses.py): the check is on the address the connection goes to.
TWISTED_DNS_RESOLVER = "crawler.fetch.addresses.GuardedResolver"
# auto: private, loopback, link-local and reserved addresses are refused unless a seed is itself
# one (an intranet, a local test server); allow / block decide explicitly.
CLINIC_PRIVATE_ADDRESSES = "auto"
# Tests only: host names resolved to chosen (loopback) addresses, and which of those addresses
# count as public, so that the guard above can be exercised against local servers.
CLINIC_TEST_HOSTS: dict[str, str] = {}
CLINIC_TEST_PUBLIC_ADDRESSES: list[str] = []
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# --- Rendering pages that need JavaScript (crawler/fetch/render.py, browser.py, shell.py) -------
# auto: a page whose plain HTML looks like an unrendered JavaScript shell (an empty app root, a
# <noscript> asking for JavaScript, little text and much script, a post URL with no text) is
# fetched again by headless Chromium; always: every page through the browser; never: none (shells
# are listed in skipped.jsonl as needs_javascript). Needs the render extra and a Chromium binary.
CLINIC_RENDER = "auto"
CLINIC_CHROMIUM = None  # the browser binary; None: $CHROMIUM, /usr/bin/chromium, then the PATH
CLINIC_RENDER_TIMEOUT = 30.0  # seconds a page may take in the browser, waits and clicks included
CLINIC_RENDER_WAIT = 5.0  # seconds to wait for a quiet network or an article, after load and each click
CLINIC_RENDER_MAX_CLICKS = 20  # "Load more" clicks (or infinite-scroll steps) per page
CLINIC_RENDER_PAGES = 2  # browser pages open at once (each is ~50-100 MB of Chromium)
CLINIC_RENDER_RECYCLE = 200  # a fresh browser context after this many pages (bounds its memory)
# Plain requests go to Scrapy's own HTTP/1.1 handler; rendered ones to the browser (RenderHandler)
DOWNLOAD_HANDLERS = {
    "http": "crawler.fetch.render.RenderHandler",
    "https": "crawler.fetch.render.RenderHandler",
}

# --- Discovery (crawler/discovery/) ----------------------------------------------------
CLINIC_PROBE_SITEMAPS = ["/sitemap_index.xml", "/sitemap.xml", "/wp-sitemap.xml"]
CLINIC_PROBE_FEEDS = ["/feed/", "/rss", "/blog-feed.xml"]
CLINIC_MAX_SITEMAP_URLS = 50_000  # per sitemap file, the protocol's own limit
# Per-site discovery budgets (crawler/discovery/budgets.py): no site can hold a crawl. A site that
# reaches one gets one line in errors.jsonl (sitemap_budget, sitemap_url_budget, page_budget,
# listing_budget, url_trap); what is refused after it is counted in the crawl summary. 0: no limit.
CLINIC_MAX_SITEMAPS_PER_SITE = 500  # sitemap files fetched; a clinic site has 1-20
CLINIC_MAX_SITEMAP_URLS_PER_SITE = 200_000  # URLs taken from a site's sitemaps altogether
CLINIC_MAX_PAGES_PER_SITE = 20_000  # page requests; a clinic blog has 100-1,000 posts
# Link traps, judged by the URL's shape: longer, deeper, or with one path segment repeated more
# often than this ("/a/a/a/a/") is generated, not written.
CLINIC_MAX_URL_LENGTH = 1024
CLINIC_MAX_PATH_DEPTH = 16
CLINIC_MAX_SEGMENT_REPEATS = 3
CLINIC_MAX_PAGINATION = 500  # /page/N/ beyond this is a trap, not a blog
# Scope (--include, --exclude, --allow-host, --max-articles-per-site): page URLs must match one of
# CLINIC_INCLUDE (when given) and none of CLINIC_EXCLUDE (regular expressions, searched in the
# URL); CLINIC_ALLOW_HOSTS are other hosts of the seeds' clinics whose pages count as on the site;
# a site whose archived articles reach CLINIC_MAX_ARTICLES_PER_SITE gets no more page requests.
CLINIC_INCLUDE: list[str] = []
CLINIC_EXCLUDE: list[str] = []
CLINIC_ALLOW_HOSTS: list[str] = []
CLINIC_MAX_ARTICLES_PER_SITE = 0  # 0 = no limit
# Tag, category, author, date-archive and pagination pages fetched per site (0 = no limit).
# They only lead to posts, which sitemaps and feeds list anyway; a site with 10,000 tag pages
# (a link farm) or an endless date archive is a trap, not a bigger blog.
CLINIC_MAX_LISTING_PAGES = 1000
# On a recrawl, an archived post whose sitemap lastmod predates our last fetch is not requested.
# False: ask the server about every archived post (conditional requests; 304s are cheap), which
# also notices posts deleted while a stale sitemap still lists them.
CLINIC_TRUST_LASTMOD = True

# --- Extraction (pipelines/extract/article.py) ---------------------------------------------------
# Whole lines made only of these phrases (plus phone numbers/punctuation) are page chrome;
# the same words inside a sentence are kept. See pipelines/extract/chrome.py for the full default lists.
CLINIC_CHROME_PHRASES = list(DEFAULT_CHROME_PHRASES)
# A short line (<= CLINIC_CHROME_MARKER_MAX_WORDS words) containing one of these is chrome.
CLINIC_CHROME_MARKERS = list(DEFAULT_CHROME_MARKERS)
CLINIC_CHROME_MARKER_MAX_WORDS = DEFAULT_MARKER_MAX_WORDS
# Archive the pages the classifier judges not articles too (home, service, listing pages), each
# record saying what it is in ``page_type`` and why in ``classification`` (--keep-non-articles)
CLINIC_KEEP_NON_ARTICLES = False
# CPU seconds one page's extraction may use (pipelines/extract/budget.py): a page over it is an
# ``extract_timeout`` line in errors.jsonl, its raw capture kept for a later reextract, and the
# crawl goes on. 0 = no budget.
CLINIC_EXTRACT_TIMEOUT = DEFAULT_EXTRACT_TIMEOUT
# Extraction is CPU-bound (~8-10 ms a post, bench/stages.py) and would stall the reactor: it runs
# in this many worker processes, kept for the whole crawl. None = one per usable CPU (affinity
# mask and cgroup quota), none with a single CPU (a worker there only takes turns with the
# crawl); 0 = inline in the reactor thread.
# bench/crawl.py measures the difference (README "Performance").
CLINIC_EXTRACT_WORKERS: int | None = None
# forkserver: workers fork from a clean process that has imported the extractor, not from the
# running reactor (fork) and without re-importing everything per worker (spawn).
CLINIC_EXTRACT_START_METHOD = "forkserver"

# --- Raw captures (crawler/fetch/capture.py, pipelines/archive/warc.py) --------------------------------
CLINIC_RAW_CAPTURE = True  # every response to OUTPUT/raw/<crawl-id>.warc.gz; --no-raw turns it off
CLINIC_RAW_MAX_BYTES = 5 * 1024 * 1024  # larger bodies (binaries) are fetched but not kept

# --- Archive (pipelines/archive/jsonl.py) ------------------------------------------------------
CLINIC_OUTPUT_DIR = "output"
CLINIC_CRAWL_ID = None  # set per crawl; generated when empty

DOWNLOADER_MIDDLEWARES = {
    # first of all: a request taken from the scheduler leaves its site's count of waiting requests,
    # by which a broad crawl releases the next seed (crawler/spiders/window.py)
    "crawler.spiders.window.WindowMiddleware": 1,
    # Retry-After and back-off instead of immediate retries (crawler/fetch/retry.py)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetch.retry.RetryAfterMiddleware": 550,
    # redirect loops, endless chains and redirects off the site end as errors (crawler/fetch/redirects.py)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.fetch.redirects.SafeMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.fetch.redirects.SafeRedirectMiddleware": 600,
    # conditional requests for archived pages, redirects included (after RedirectMiddleware's 600)
    "crawler.fetch.conditional.ConditionalRequestMiddleware": 650,
    # a distributed crawl's per-site interval across all workers (crawler/distributed/);
    # switched off on a single machine
    "crawler.distributed.politeness.SitePoliteness": 940,
    # a sitemap or feed the per-site budgets or --max-pages no longer allow is not downloaded
    # (crawler/fetch/budget.py)
    "crawler.fetch.budget.DiscoveryBudgetMiddleware": 660,
    # no request inside the network from a public crawl: address literals before the download,
    # the address a response came from after it, before anything is captured (crawler/fetch/addresses.py)
    "crawler.fetch.addresses.AddressGuardMiddleware": 960,
    # next to the downloader: sees raw (still encoded) bodies, redirects, robots.txt and sitemaps
    "crawler.fetch.capture.WarcCaptureMiddleware": 950,
}
ITEM_PIPELINES = {
    "pipelines.scrapy_adapters.ExtractPipeline": 300,
    "pipelines.scrapy_adapters.ArchivePipeline": 800,
}
EXTENSIONS = {
    "crawler.extensions.CrawlSummary": 500,
    # OUTPUT/sites.jsonl: one line per site per crawl, how each seed's crawl went (crawler/sites.py)
    "crawler.sites.SitesReport": 505,
    "crawler.extensions.Progress": 510,
    "crawler.extensions.ScraperBacklog": 520,
}
CLINIC_PROGRESS = False  # the CLI turns this on: a live status line on a terminal
CLINIC_PROGRESS_INTERVAL = 0.5

# --- Throughput (measured by bench/crawl.py; README "Performance") ------------------------
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for the output of every response (default 100:
# ~1-2 ms of the reactor thread per page). The spider yields at most one item per response,
# so more than one never runs in parallel anyway.
CONCURRENT_ITEMS = 1
# Each response waiting for its callback, extraction and the archive counts at least this many
# bytes against SCRAPER_SLOT_MAX_ACTIVE_SIZE (Scrapy: 1 KB): a waiting 2 KB page holds ~40 KB,
# so Scrapy's 5 MB let ~3,000 of them pile up in a broad crawl (crawler/extensions.py; 0: off)
CLINIC_SCRAPER_RESPONSE_COST = 32 * 1024
# Scrapy's disk queue (JOBDIR) with cheaper request serialisation (crawler/queues.py): same
# pickled requests, without reading every attribute of the spider twice per request.
SCHEDULER_DISK_QUEUE = "crawler.queues.PickleLifoDiskQueue"
SCHEDULER_START_DISK_QUEUE = "crawler.queues.PickleFifoDiskQueue"  # the same, for start requests
# Compression level of each raw WARC record (pipelines/archive/warc.py; warcio's own is zlib 9). Levels
# 0-3 use ISA-L: per 100 KB page in the reactor thread, level 1 0.24 ms; zlib 6 2.1 ms, 9 3.5 ms;
# files are ~20% larger than at 9.
CLINIC_RAW_COMPRESS_LEVEL = 1

# --- Distributed crawling (clinic-archive worker; crawler/distributed/, README "Scaling out") ----
CLINIC_REDIS_CRAWL = None  # the crawl's name on Redis; set by `clinic-archive worker`
CLINIC_SHARD = None  # the worker's name: articles-<shard>.jsonl, raw/<crawl-id>-<shard>.warc.gz
CLINIC_REDIS_HEARTBEAT = 1.0  # seconds between heartbeats (and polls of the shared queue)
# A worker silent this long is taken for dead: its in-flight requests go back to the queue.
# Longer than any pause a live worker makes (a long page in the reactor, a GC pause).
CLINIC_WORKER_TIMEOUT = 30.0
# Politeness per site for the whole crawl, whatever the number of workers (leases on Redis):
# at most CLINIC_SITE_CONCURRENCY requests in flight to one site (empty:
# CONCURRENT_REQUESTS_PER_DOMAIN), and CLINIC_SITE_INTERVAL seconds from a response to the next
# request's start (empty: DOWNLOAD_DELAY). Each worker's own AutoThrottle still applies on top.
CLINIC_SITE_CONCURRENCY = None
CLINIC_SITE_INTERVAL = None
