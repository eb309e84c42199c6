"""Fetch policy: the downloader middlewares between Scrapy and the network. Retries that honour
Retry-After (``retry``), redirects that cannot trap the crawl (``redirects``), conditional requests
on a recrawl (``conditional``), every response kept as WARC (``capture``), and the error kind and
message of a failed request (``failures``). Scrapy loads the middlewares by their dotted paths in
crawler/settings.py."""
