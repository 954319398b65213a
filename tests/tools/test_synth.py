"""Tests of the training-page generator (tools.synth): every page kind renders in the export layout,
its plain text and questions agree (the self-check), and the output is deterministic by seed."""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from tools.synth import KINDS, check, facts_of, generate, generate_report
from tools.synth.__main__ import main
from tools.synth.layout import FOOTER_WIDTH
from tools.synth.model import CATEGORIES, KEYS, norm

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def corpus():
    return generate(120, seed=1)


def test_deterministic_by_seed() -> None:
    a, b, c = generate(30, seed=3), generate(30, seed=3), generate(30, seed=4)
    assert [p.text for p in a.pages] == [p.text for p in b.pages]
    assert [p.plain for p in a.pages] == [p.plain for p in b.pages]
    assert [q.row() for q in a.questions] == [q.row() for q in b.questions]
    assert [p.text for p in a.pages] != [p.text for p in c.pages]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders(kind: str) -> None:
    corpus = generate(6, seed=2, kinds=[kind], start_page=40)
    assert [p.number for p in corpus.pages] == list(range(40, 46))
    assert {p.kind for p in corpus.pages} == {kind}
    for page in corpus.pages:
        lines = page.text.split("\n")
        assert lines[0].startswith(f"Page {page.number} - ") and lines[1] == f"P. {page.number}" and lines[2] == ""
        assert lines[3].strip() and lines[3] == lines[3].lstrip()  # the first body row has lost its indent
        assert lines[-3] == "" and len(lines[-2]) == FOOTER_WIDTH
        assert re.fullmatch(rf" {{7}}{page.number} +{page.number + 1}", lines[-2])
        assert lines[-1].startswith("\xa0\xa0\xa0") and f"\xa0{page.number}" in lines[-1]
        assert max(len(r) for r in lines[3:-2]) < 140
        assert page.plain.strip()
    assert corpus.questions and {q.kind for q in corpus.questions} == {kind}
    assert not check({p.number: p.plain for p in corpus.pages}, corpus.questions)


def test_self_check_passes_and_can_fail() -> None:
    corpus = generate(80, seed=5)
    plain = {p.number: p.plain for p in corpus.pages}
    assert check(plain, corpus.questions) == []
    answerable = next(q for q in corpus.questions if q.answerable)
    answerable.gold_facts = [["99,999.9 km²"]]
    unanswerable = next(q for q in corpus.questions if not q.answerable and q.absent[0][0] is not None)
    page, strings = unanswerable.absent[0]
    plain[page] += f"\n{strings[0]}"  # the would-be answer is printed after all
    errors = check(plain, corpus.questions)
    assert any(e.startswith(answerable.id) and "99,999.9" in e for e in errors)
    assert any(e.startswith(unanswerable.id) and "would-be answer" in e for e in errors)


def test_table_page_text_holds_the_table_values(corpus) -> None:
    tables = [q for q in corpus.questions if q.category == "table"]
    assert len(tables) >= 10
    for q in tables:
        label, *values = q.gold_quote.split(" | ")
        raw = corpus.by_number[q.gold_page].text
        row = next((r for r in raw.split("\n") if re.search(rf"(^|\s){re.escape(label.split()[0])}(\s|$)", r)
                    and all(v in r for v in values)), None)
        if row is None:  # a wrapped label: the first word starts the row that holds the values
            row = next(r for r in raw.split("\n") if all(v in r for v in values))
        at = 0
        for v in values:  # the values in column order, each right-aligned in its column
            at = row.index(v, at) + len(v)
            assert at == len(row) or row[at] == " ", (q.id, row)
        assert q.gold_facts[0][0] in values


def test_questions_schema(corpus, tmp_path: Path) -> None:
    rows = [json.loads(json.dumps(q.row(), ensure_ascii=False)) for q in corpus.questions]
    assert all(tuple(r) == KEYS for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)
    counts = Counter(r["category"] for r in rows)
    assert set(counts) == set(CATEGORIES), counts
    for r in rows:
        assert isinstance(r["question"], str) and r["question"].strip() and r["notes"].strip()
        assert isinstance(r["history"], list) and all(isinstance(h, str) for h in r["history"])
        if r["category"] == "followup":
            assert r["history"]
        if r["answerable"]:
            assert isinstance(r["gold_page"], int) and r["gold_quote"] and r["gold_facts"]
            assert all(isinstance(g, list) and g and all(isinstance(a, str) for a in g) for g in r["gold_facts"])
        else:
            assert r["gold_facts"] == [] and r["gold_page"] is None and r["gold_quote"] is None
        if r["category"] == "crosslingual":
            assert CJK.search(r["question"])
    # paraphrases are not the page's sentence with a question mark
    para = [q for q in corpus.questions if q.category == "paraphrase"]
    assert all(norm(q.question.rstrip("?.")) not in norm(q.gold_quote) for q in para)


def test_export_quirks(corpus) -> None:
    by_kind: dict[str, list[str]] = {}
    for p in corpus.pages:
        by_kind.setdefault(p.kind, []).append(p.text)
    joined = "\n".join(p.text for p in corpus.pages)
    assert "ĄŻ" in joined and "¡¯" in joined  # both mis-decodings of ’
    assert "²" not in joined and re.search(r"km  ?\S.*\n *2\n", joined)  # superscript row under km
    assert re.search(r"\n {13}\?    [A-Z]", joined) and re.search(r"\S {3,8}\?    [A-Z]", joined)  # "?" bullets
    assert re.search(r"\n {11}\d+  https?://", joined)  # footnotes with URLs
    assert re.search(r"\S {5,6}\d+\n", joined)  # heading with footnote marker
    bilingual = "\n".join(by_kind["bilingual"])
    assert CJK.search(bilingual) and "Ą" not in bilingual and "¡" not in bilingual
    assert not any(CJK.search(t) for k, ts in by_kind.items() if k != "bilingual" for t in ts)
    charts = "\n".join(by_kind["chart"])
    assert re.search(r" 100%\s", charts) and re.search(r" 0%\s", charts)  # axis ticks
    assert re.search(r"\d{4} {6}\d{4} {6}\d{4}", charts)  # years on one line


def test_continued_pages_cut_a_sentence(corpus) -> None:
    items = [q for q in corpus.questions if q.category == "continuation"]
    assert items
    for q in items:
        before = corpus.by_number[q.gold_page - 1].plain.split("\n\n")
        after = corpus.by_number[q.gold_page].plain
        body = [b for b in before if not re.match(r"\[\d+\] ", b)]
        assert not body[-1].endswith(".")  # page N ends mid-sentence
        first_row = corpus.by_number[q.gold_page].text.split("\n")[3]
        assert first_row == first_row.lstrip() and first_row.split()[0] in q.gold_quote  # mid-sentence, no indent
        assert norm(q.gold_quote[:25]) in norm(body[-1]) and norm(q.gold_quote[-25:]) in norm(after)
        assert norm(q.gold_quote) not in norm(after) and norm(q.gold_quote) not in norm(" ".join(before))
        assert norm(q.gold_facts[0][0]) in norm(after)


def test_kinds_can_be_held_out() -> None:
    corpus = generate(40, seed=6, kinds=["survey", "table"])
    assert {p.kind for p in corpus.pages} == {"survey", "table"}
    with pytest.raises(ValueError, match="unknown page kinds"):
        generate(3, kinds=["nonsense"])


def test_near_miss_places_are_nowhere(corpus) -> None:
    everything = norm(" ".join(p.plain for p in corpus.pages))
    ghosts = [s for q in corpus.questions for page, ss in q.absent if page is None for s in ss]
    assert ghosts and not any(norm(g) in everything for g in ghosts)


def test_compat_generate_report() -> None:
    texts, facts = generate_report(12, seed=11, start_page=150)
    assert len(texts) == 12 and texts[0].startswith("Page 150 - ")
    assert facts and {f.page for f in facts} <= set(range(150, 162))
    assert all(f.answer and f.question.strip() for f in facts)
    assert len(facts_of(generate(12, seed=11, start_page=150))) == len(facts)


def test_cli(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0 and "--kinds" in capsys.readouterr().out
    assert main(["--pages", "9", "--seed", "1", "--out", str(tmp_path), "--kinds", "profile,chart", "--check"]) == 0
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == sorted(f"page-{n}.txt" for n in range(1, 10))
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == sorted(f"page-{n}.txt" for n in range(1, 10))
    rows = [json.loads(l) for l in (tmp_path / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows and all(tuple(r) == KEYS for r in rows)
    facts = [json.loads(l) for l in (tmp_path / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert facts and all({"page", "question", "answer"} <= set(f) for f in facts)
    err = capsys.readouterr().err
    assert "self-check: 0 errors" in err


def test_pdf(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    from pypdf import PdfReader

    assert main(["--pages", "6", "--seed", "4", "--out", str(tmp_path), "--start-page", "30", "--pdf"]) == 0
    reader = PdfReader(tmp_path / "report.pdf")
    assert list(reader.page_labels) == [str(n) for n in range(30, 36)]
    corpus = generate(6, seed=4, start_page=30)
    for phys, page in enumerate(corpus.pages):
        flat = re.sub(r"\s+", "", reader.pages[phys].extract_text()).lower()
        q = next(q for q in corpus.questions if q.answerable and q.gold_page == page.number
                 and not CJK.search(q.gold_facts[0][0]))
        assert re.sub(r"\s+", "", q.gold_facts[0][0].replace("²", "2").lower()) in flat, (page.number, q.gold_facts[0])


def test_speed() -> None:
    t = time.perf_counter()
    corpus = generate(2000, seed=11)
    assert len(corpus.pages) == 2000 and len(corpus.questions) > 10000
    assert time.perf_counter() - t < 20.0
