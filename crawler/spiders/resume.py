"""Resuming an interrupted crawl: the requests its job ledger (crawler/jobledger.py) says were
never finished are asked for again, before the seeds. A mixin of ``ClinicBlogSpider``."""

from __future__ import annotations

from collections.abc import Iterator

import scrapy

from pipelines.record import clean_url


class ResumeMixin:
    """The unfinished requests of an interrupted run of the same job."""

    def _unfinished_requests(self) -> Iterator[scrapy.Request]:
        """What an interrupted run of this job never finished, asked for again."""
        if not self.ledger or not self.ledger.resuming:
            return
        recovery = self.ledger.recovery
        how = "stopped" if recovery.clean_stop else "killed"
        self.logger.info("resuming a %s crawl: %d unfinished requests", how, len(recovery.requests))
        self._count("resumed_requests", len(recovery.requests))
        for event in recovery.requests:
            callback = getattr(self, event["cb"], None)
            if callback is None:
                continue
            if callback == self.parse_page:
                self._requested.add(clean_url(event["u"]) or event["u"])
            errback = getattr(self, event["eb"], None) if event.get("eb") else None
            yield scrapy.Request(
                event["u"],
                callback=callback,
                errback=errback,
                priority=event["p"],
                meta=dict(event["m"]),
                dont_filter=True,
            )
