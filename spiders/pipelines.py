"""Scrapy item pipeline that stores raw pages."""

from __future__ import annotations

from scrapy.crawler import Crawler


class StorePagePipeline:
    """Write each fetched page to PostgreSQL through the spider's PageStore."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePagePipeline:
        return cls(crawler)

    def process_item(self, item: dict) -> dict:
        stored = self.crawler.spider.store.add_page(item)
        self.crawler.stats.inc_value("akhbar/pages_stored" if stored else "akhbar/pages_same")
        return item
