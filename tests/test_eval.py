"""`akhbar eval` on a small annotated corpus laid out like shared/corpus."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from akhbar.extract.scoring import score_page, tokens
from golden import GOLDEN_DIR

LEVANTINE_BODY = [
    "أطلقت بلدية بيروت أمس خطة لإعادة تأهيل الحدائق العامة في العاصمة، تشمل زراعة الأشجار "
    "وتجديد الممرات والإنارة وإنشاء ملاعب للأطفال في عدد من الأحياء.",
    "وقال رئيس البلدية في مؤتمر صحافي إن الخطة تمتد على ثلاث سنوات، وإن المرحلة الأولى ستشمل "
    "حديقة الصنائع وحرج بيروت وحديقة اليسوعية.",
    "وأضاف أن تمويل المشروع يأتي من موازنة البلدية ومن هبات قدمتها جهات دولية، مؤكداً أن "
    "الأعمال ستنفذ بالتعاون مع جمعيات المجتمع المدني.",
    "ورحب سكان الأحياء المجاورة بالخطة، مطالبين بالحفاظ على الحدائق مفتوحة مجاناً أمام الجميع "
    "طوال أيام الأسبوع.",
]


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "annot").mkdir()
    shutil.copy(GOLDEN_DIR / "levantine-daily.html", tmp_path / "pages" / "levantine.html")
    (tmp_path / "annot" / "levantine.json").write_text(json.dumps({
        "id": "levantine", "url": "https://almadina.example/lebanon/2020/parks",
        "title": "بلدية بيروت تطلق خطة لتأهيل الحدائق العامة", "published": "2020-01-12",
        "authors": ["ريما الحاج"], "body": LEVANTINE_BODY,
        "must_not_contain": ["ارتفاع أسعار المحروقات في لبنان", "التعليق على الصورة",
                             "Leave a Reply"],
    }, ensure_ascii=False))
    return tmp_path


def test_measure_matches_the_corpus_readme():
    assert tokens("قالَ الـوزيرُ: «نعم»") == tokens("قال الوزير نعم")
    gold = {"body": ["ذهب الطلاب إلى المدرسة"], "title": "عنوان", "published": "2020-01-02",
            "must_not_contain": ["اقرأ أيضا"]}
    perfect = score_page("ذهب الطلاب إلى المدرسة", "عنوان", "2020-01-02", gold)
    assert (perfect.f1, perfect.leaks, perfect.title_ok, perfect.date_ok) == (1.0, [], True, True)
    leaky = score_page("ذهب الطلاب إلى المدرسة اقرأ أيضا", None, None, gold)
    assert leaky.precision == pytest.approx(4 / 6) and leaky.leaks == ["اقرأ أيضا"]


def test_eval_command_prints_every_extractor(corpus):
    result = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", "eval", str(corpus)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.split("\nsummary\n")[1]
    rows = {line.split()[0]: line.split() for line in summary.splitlines()[1:]}
    assert set(rows) == {"akhbar", "trafilatura", "readability-lxml", "jusText"}
    assert rows["akhbar"][1:7] == ["1.000", "1.000", "0", "1/1", "1/1", "1/1"]
    assert re.search(r"levantine\s+1\.000\s+1\.000\s+1\.000\s+0\s+yes\s+yes\s+yes", result.stdout)


def test_eval_names_a_broken_corpus(tmp_path):
    (tmp_path / "annot").mkdir()
    (tmp_path / "annot" / "x.json").write_text("{}")
    result = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", "eval", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert "x.json: its page" in result.stderr and "Traceback" not in result.stderr


def test_leaks_are_grouped_by_kind_and_decks_scored():
    gold = {"body": ["ذهب الطلاب إلى المدرسة صباحا."], "title": "عنوان الخبر الرئيسي",
            "subtitle": "موجز الخبر", "authors": ["ريما الحاج"],
            "must_not_contain": ["عنوان الخبر الرئيسي", "كتبت ريما الحاج", "قراءة 3 دقائق",
                                 "واحد × أربعة =", "الوسوم: مدارس",
                                 "وزير يفتتح مستشفى جديدا في المدينة", "السابق",
                                 "12 مارس 2024"]}
    text = "\n".join(["ذهب الطلاب إلى المدرسة صباحا.", *gold["must_not_contain"]])
    score = score_page(text, None, None, gold, [], "موجز الخبر")
    assert score.leak_classes(gold) == {
        "headline": ["عنوان الخبر الرئيسي"], "byline": ["كتبت ريما الحاج"],
        "furniture line": ["قراءة 3 دقائق"], "captcha": ["واحد × أربعة ="],
        "tags": ["الوسوم: مدارس"], "related headline": ["وزير يفتتح مستشفى جديدا في المدينة"],
        "next/previous": ["السابق"], "date": ["12 مارس 2024"]}
    assert score.deck_ok is True and score.authors_ok is False
    assert score_page(text, None, None, gold, [], None).deck_ok is False
    assert score_page(text, None, None, {**gold, "subtitle": None}, [], None).deck_ok is True


def test_eval_report_lists_what_leaked(corpus):
    from akhbar.flows.evaluate import evaluate, format_report, load_corpus

    def leaky(html, url):
        return "\n".join(LEVANTINE_BODY + ["Leave a Reply"]), None, None, ["ريما الحاج"], None

    report = format_report(evaluate(load_corpus(corpus), {"leaky": leaky}))
    assert "leaked boilerplate, by kind:" in report
    assert re.search(r"furniture line:\n\s+levantine: 'Leave a Reply'", report)
