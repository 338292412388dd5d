"""The `akhbar` command as a user runs it: help, extract, seeds, demo, serve, ui."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import unquote

import pytest
from akhbar.flows.demo.site import build_site, load_articles
from conftest import FIXTURES, table_snapshot

COMMANDS = ("demo", "nightly", "backfill", "import-warc", "reextract", "extract", "eval", "db",
            "seeds", "serve", "deploy", "ui")


def akhbar(*args: str, env: dict | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "akhbar.flows.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=env or os.environ.copy())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_help_lists_every_command_with_a_description():
    result = akhbar("--help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for command in COMMANDS:
        at = next(i for i, ln in enumerate(lines) if ln.split()[:1] == [command])
        described = " ".join(lines[at].split()[1:]) or lines[at + 1].strip()
        assert len(described.split()) > 2, f"{command} has no description"
    for command in (*COMMANDS, "db migrate"):
        assert akhbar(*command.split(), "--help").returncode == 0


def test_extract_prints_the_article_as_json(tmp_path):
    article = load_articles()[0]
    page = tmp_path / "page.html"
    page.write_bytes(build_site("http://demo.akhbar.test")[unquote(article.path)].body)
    result = akhbar("extract", str(page), "--url", "http://demo.akhbar.test" + article.path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["url", "title", "subtitle", "authors", "published_at", "modified_at",
                          "section", "tags", "language", "text", "text_normalized", "word_count",
                          "agency", "lead_image", "canonical_url"]
    assert data["agency"] == "وكالات"  # "عواصم – وكالات:" opens the article
    assert data["title"] == article.title
    assert data["text"].split("\n") == article.paragraphs
    assert data["published_at"] == "2018-06-10T09:30:00+03:00"


def test_extract_of_a_missing_file_says_which():
    result = akhbar("extract", "no/such/page.html")
    assert result.returncode == 2
    assert "no/such/page.html" in result.stderr and "Traceback" not in result.stderr


def test_seeds_command_validates(tmp_path):
    assert "alseyassah" in akhbar("seeds", "--catalog").stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\nname = 3\n')
    result = akhbar("seeds", str(bad))
    assert result.returncode == 2
    assert f"{bad}: field `name`" in result.stderr and "Traceback" not in result.stderr


def test_demo_on_embedded_defaults_twice(tmp_path):
    """The quick start's main job: embedded PostgreSQL, temporary Prefect API, no setup."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AKHBAR_", "PREFECT_"))}
    env.update(AKHBAR_DATA_DIR=str(tmp_path / "data"), PREFECT_HOME=str(tmp_path / "prefect"))
    first = akhbar("demo", env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "demo: 5 pages, 5 articles, 0 rejects" in first.stdout
    assert load_articles()[0].paragraphs[-1] in first.stdout

    from akhbar.sql import embedded

    server = embedded.join(tmp_path / "data" / "pgdata")
    try:
        url = server.url("akhbar")
        before = table_snapshot(url)
        second = akhbar("demo", env=env)
        assert second.returncode == 0, second.stderr[-3000:]
        assert table_snapshot(url) == before
        # discovered, fetched, stored, new, updated, ... all zero: the feed and sitemap are 304.
        [row] = [line.split() for line in second.stdout.splitlines()
                 if line.startswith("  demo ")]
        assert row == ["demo", "completed"] + ["0"] * 9
    finally:
        server.leave()


def test_serve_registers_the_nightly_deployment(prefect_api, database_url):
    from prefect.client.orchestration import get_client

    env = dict(os.environ, PREFECT_API_URL=prefect_api)
    process = subprocess.Popen(
        [sys.executable, "-m", "akhbar.flows.cli", "serve", "--timezone", "Asia/Kuwait"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        deployment = None
        names = ("nightly/akhbar-nightly", "backfill/akhbar-backfill",
                 "reextract/akhbar-reextract", "import_warc/akhbar-import-warc")
        with get_client(sync_client=True) as client:
            while deployment is None and time.monotonic() < deadline:
                assert process.poll() is None, process.stdout.read()
                try:  # serve registers them one after the other
                    deployment = [client.read_deployment_by_name(n) for n in names][0]
                except Exception:  # not all registered yet
                    time.sleep(1)
        assert deployment is not None, "the deployment was not registered"
        [schedule] = deployment.schedules
        assert schedule.schedule.cron == "0 2 * * *"
        assert schedule.schedule.timezone == "Asia/Kuwait"
        assert schedule.active
        with get_client(sync_client=True) as client:
            for name in ("backfill/akhbar-backfill", "reextract/akhbar-reextract",
                         "import_warc/akhbar-import-warc"):
                assert client.read_deployment_by_name(name).schedules == []
        listed = subprocess.run([sys.executable, "-m", "prefect", "deployment", "ls"],
                                env=env | {"COLUMNS": "300"},
                                capture_output=True, text=True, timeout=120).stdout
        for name in ("akhbar-nightly", "akhbar-backfill", "akhbar-reextract",
                     "akhbar-import-warc"):
            assert name in listed
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_ui_starts_a_prefect_server_and_prints_its_address(tmp_path):
    port = free_port()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"))
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "akhbar.flows.cli", "ui", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.strip() == f"Prefect UI: http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert response.status == 200
            assert b"<html" in response.read().lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=30) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.mark.parametrize("args", [["db"], ["nightly", "--site", "nope"]])
def test_usage_errors_exit_non_zero(args, database_url):
    result = akhbar(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_extract_of_a_rejected_page_keeps_the_json_shape():
    page = FIXTURES / "pages" / "persian-on-arabic-site.html"
    result = akhbar("extract", str(page), "--url", "https://x.example/fa")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["text"] == "" and data["word_count"] == 0
    assert data["rejected"]["reason"] == "language"
    assert "no article (language" in result.stderr


def test_extract_of_an_image_says_it_is_not_html(tmp_path):
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    result = akhbar("extract", str(image))
    assert result.returncode == 0
    assert json.loads(result.stdout)["rejected"] == {"reason": "not_html",
                                                     "detail": "a PNG image, not HTML"}
    assert f"akhbar: {image}: no article (not_html: a PNG image" in result.stderr


def test_extract_refuses_a_file_over_the_page_limit_without_reading_it(tmp_path):
    from akhbar.extract.model import MAX_PAGE_BYTES

    huge = tmp_path / "huge.html"
    with huge.open("wb") as file:  # sparse: its size is all that is looked at
        file.truncate(MAX_PAGE_BYTES + 1)
    result = akhbar("extract", str(huge))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"akhbar: error: {huge}: {MAX_PAGE_BYTES + 1} bytes, over "
                                    f"the page limit of {MAX_PAGE_BYTES} bytes (10 MB)")
    assert "Traceback" not in result.stderr


def test_the_cli_module_imports_no_heavy_library():
    """`akhbar --help`, `export`, `search` … must start at once: Scrapy, Prefect, trafilatura,
    camel-tools, datasketch and pyarrow load only inside the commands that use them."""
    heavy = ("scrapy", "twisted", "prefect", "trafilatura", "camel_tools", "datasketch",
             "pyarrow", "pandas")
    code = ("import sys, akhbar.flows.cli; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_flows_on_the_temporary_api_send_no_heartbeats(tmp_path):
    """Heartbeats feed a long-lived server's crash detection; on akhbar's temporary server
    they only held each flow run's end for up to a second (Prefect joins the heartbeat
    thread, which sleeps in one-second steps)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    script = ("from akhbar.flows.serve import prefect_api\n"
              "from prefect.settings import get_current_settings\n"
              "print(get_current_settings().flows.heartbeat_frequency)\n"
              "with prefect_api():\n"
              "    print(get_current_settings().flows.heartbeat_frequency)\n")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["180", "None"]  # Prefect's default outside, none inside
