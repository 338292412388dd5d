"""Scrapy item pipeline that stores raw pages."""

from __future__ import annotations

import psycopg
from akhbar.spiders.outcomes import Outcome
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class StorePagePipeline:
    """Write each fetched page to PostgreSQL through the spider's PageStore."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePagePipeline:
        return cls(crawler)

    def process_item(self, item: dict) -> dict:
        spider = self.crawler.spider
        try:
            stored = spider.store.add_page(item)
        except psycopg.Error as exc:
            spider.database_lost(exc)
            raise DropItem(f"{item['url']} not stored: the database is unavailable") from None
        spider.succeed("article", item["url"], Outcome.STORED if stored else Outcome.SAME)
        return item
