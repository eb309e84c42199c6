"""The naive baseline for ``bench/crawl.py``: Scrapy's SitemapSpider + ``trafilatura.extract`` inline.

What a first attempt looks like: read the site's sitemaps from robots.txt, extract every
``/blog/`` page in the callback (on the reactor thread) and let Scrapy's feed exporter write
JSON Lines. It asks trafilatura for metadata too, as our records carry title, author, date,
categories and tags::

    scrapy runspider bench/baseline_spider.py -a site=http://127.0.0.1:8000 -O out.jsonl:jsonlines

Run it outside the repository (or with ``SCRAPY_SETTINGS_MODULE`` unset) so that the
project's own settings and pipelines in ``scrapy.cfg`` do not apply.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import trafilatura
from scrapy.http import Response
from scrapy.spiders import SitemapSpider


class BaselineSpider(SitemapSpider):
    name = "baseline"
    sitemap_rules = [("/blog/", "parse")]  # noqa: RUF012 (Scrapy's own class-attribute API)

    def __init__(self, site: str, **kwargs: Any) -> None:
        self.sitemap_urls = [site.rstrip("/") + "/robots.txt"]
        super().__init__(**kwargs)

    def parse(self, response: Response) -> Iterator[dict[str, Any]]:
        doc = trafilatura.extract(response.text, url=response.url, output_format="json", with_metadata=True)
        yield {"url": response.url, **(json.loads(doc) if doc else {})}
