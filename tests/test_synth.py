"""Tests of the synthetic report generator (rag.synth)."""
from __future__ import annotations

import json
import random
import re
import time
from collections import defaultdict
from pathlib import Path

import pytest
from pypdf import PdfReader

from rag import synth
from rag.synth import Fact, generate_report, make_facts, page_label, render_pdf, render_text_page

_GAP = re.compile(r" {3}(?=\S)")
_SUP = re.compile(r" *2( +2)* *")
_NOTE = re.compile(r" *\d+  .*https?://.*")


def _squash(s: str) -> str:
    """Text without whitespace, as printed (² dropped, ’ mis-decoded)."""
    return re.sub(r"\s+", "", s.replace("²", "").replace("’", synth.MOJIBAKE_QUOTE))


def _columns(page: str) -> tuple[list[str], list[str]]:
    """Split an export page's body (footnotes dropped) into its left and right column lines."""
    rows = page.split("\n")[3:-3]
    while rows and _NOTE.fullmatch(rows[-1]):
        rows.pop()
    left: list[str] = []
    right: list[str] = []
    for i, row in enumerate(rows):
        if row and _SUP.fullmatch(row):
            continue  # superscript row
        if i == 0 and row and not row.startswith(" "):
            row = " " * (synth.LEFT_COL + 2) + row  # pdftotext dropped the first row's indent
        cut = next((m.end() for m in _GAP.finditer(row) if m.end() >= 60), len(row))
        left.append(row[:cut])
        right.append(row[cut:])
    return left, right


def _reading_order(page: str) -> str:
    left, right = _columns(page)
    return _squash(" ".join(left + right))


@pytest.fixture(scope="module")
def report() -> tuple[list[str], list[Fact]]:
    return generate_report(300, seed=7)


def test_deterministic_by_seed() -> None:
    a = generate_report(12, seed=3)
    assert a == generate_report(12, seed=3)
    assert a[0] != generate_report(12, seed=4)[0]
    facts = make_facts(1, seed=3, start_page=5)[0]
    one = render_text_page(5, facts, rng=random.Random(1))
    assert one == render_text_page(5, facts, rng=random.Random(1))
    # a page does not depend on where the report starts
    assert generate_report(3, seed=3, start_page=10)[1] == [f for f in a[1] if 10 <= f.page <= 12]


def test_fact_model(report: tuple[list[str], list[Fact]]) -> None:
    texts, facts = report
    per_page: dict[int, list[Fact]] = defaultdict(list)
    for f in facts:
        per_page[f.page].append(f)
        assert f.answer in f.sentence
        assert f.place in f.question and f.place in f.sentence
        assert f.question.endswith("?")
    assert sorted(per_page) == list(range(1, 301))
    assert all(3 <= len(v) <= 6 for v in per_page.values())
    assert len({f.question for f in facts}) == len(facts)  # every question has one answer
    # places are unique to a page
    pages_of: dict[str, set[int]] = defaultdict(set)
    for f in facts:
        pages_of[f.place].add(f.page)
    assert all(len(p) == 1 for p in pages_of.values())
    assert any("’" in p for p in pages_of)
    # similar figures on other pages: same kind, other place, other number
    by_kind: dict[str, set[str]] = defaultdict(set)
    for f in facts:
        by_kind[f.kind].add(f.answer)
    assert len(by_kind) >= 12
    assert all(len(v) >= 10 for v in by_kind.values())
    assert any(f.answer.endswith("km²") for f in facts)
    assert any(f.answer.startswith("RMB") and f.answer.endswith("billion") for f in facts)


def test_place_names_unique() -> None:
    names = [synth.place_for(p, s)[0] for p in range(1, synth.max_pages() + 1) for s in range(3)]
    assert len(set(names)) == len(names) >= 30000


def test_answers_in_raw_text(report: tuple[list[str], list[Fact]]) -> None:
    texts, facts = report
    for f in facts:
        raw = texts[f.page - 1]
        flat = _squash(raw)
        for tok in f.answer.replace("²", "").split():
            assert _squash(tok) in flat, (f, tok)
        # once the two columns are read in order, the whole sentence is there
        assert _squash(f.sentence) in _reading_order(raw), f


def test_export_style(report: tuple[list[str], list[Fact]]) -> None:
    texts, facts = report
    page = texts[155]
    lines = page.split("\n")
    assert lines[0] == f"Page 156 - {synth.DEFAULT_TITLE}"
    assert lines[1] == "P. 156" and lines[2] == ""
    assert re.fullmatch(r" {7}156 +157", lines[-2]) and len(lines[-2]) == synth.FOOTER_WIDTH
    assert lines[-1] == "".join(f"\xa0\xa0\xa0{n}" for n in range(151, 162))
    assert lines[-3] == ""
    joined = "\n".join(texts)
    assert synth.MOJIBAKE_QUOTE in joined and "’" not in joined and "²" not in joined
    assert re.search(r"\n {13}\?    [A-Z]", joined)  # left bullets
    assert re.search(r"\S {3,8}\?    [A-Z]", joined)  # right bullets
    assert re.search(r"km  ?\S.*\n *2\n", joined)  # superscript row under km
    assert re.search(r"\n {11}\d+  \S+.* {3,}\d+  \S+", joined)  # footnotes in both columns
    assert re.search(r"\n {13}\S.*\S {5,6}\d+\n", joined)  # heading with footnote marker
    assert re.search(r"\S {2,5}\S.* {3,}\S", joined)  # justified text
    assert max(len(ln) for t in texts for ln in t.split("\n")[3:-2]) < 140
    starts = {len(r) - len(r.lstrip()) for t in texts for r in t.split("\n")[3:-3]
              if r.startswith(" " * 55) and not _SUP.fullmatch(r)}
    assert min(starts) >= 60 and max(starts) >= 66  # right column drifts


def test_sentences_flow_across_columns(report: tuple[list[str], list[Fact]]) -> None:
    texts, facts = report
    spanning = 0
    for f in facts:
        left, right = _columns(texts[f.page - 1])
        s = _squash(f.sentence)
        if s not in _squash(" ".join(left)) and s not in _squash(" ".join(right)):
            spanning += 1
    assert spanning >= 3


def test_page_labels() -> None:
    assert [page_label(p, 10) for p in (1, 2)] == ["11", "12"]
    assert [page_label(p, -2) for p in (1, 2, 3)] == ["i", "ii", "1"]
    texts, _ = generate_report(2, seed=1, label_offset=4)
    assert texts[0].split("\n")[1] == "P. 5" and texts[0].split("\n")[0].startswith("Page 1 - ")


@pytest.mark.parametrize("offset,first,labels", [
    (10, 1, ["11", "12", "13", "14"]),
    (-2, 1, ["i", "ii", "1", "2"]),
    (-3, 2, ["ii", "iii", "1", "2"]),
])
def test_pdf(tmp_path: Path, offset: int, first: int, labels: list[str]) -> None:
    pages = make_facts(4, seed=5, start_page=first)
    assert [page_label(first + i, offset) for i in range(4)] == labels
    out = tmp_path / "r.pdf"
    render_pdf(out, pages, label_offset=offset, first_page=first)
    reader = PdfReader(out)
    assert len(reader.pages) == 4
    assert list(reader.page_labels) == labels
    for phys, facts in enumerate(pages):
        text = reader.pages[phys].extract_text()
        flat = re.sub(r"\s+", "", text)
        assert labels[phys] in text.split()
        for f in facts:
            assert re.sub(r"\s+", "", f.answer.replace("²", "2")) in flat, (phys, f)
            assert re.sub(r"\s+", "", f.place) in flat


def test_cli(tmp_path: Path) -> None:
    assert synth.main(["--pages", "3", "--out", str(tmp_path), "--pdf", "--seed", "2",
                       "--pages-per-file", "2", "--label-offset", "100"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "facts.jsonl", "synth-0001.txt", "synth-0003.txt", "synth.pdf"]
    first = (tmp_path / "synth-0001.txt").read_text(encoding="utf-8").split("\f")
    assert [p.split("\n")[0][:7] for p in first] == ["Page 1 ", "Page 2 "]
    rows = [json.loads(ln) for ln in (tmp_path / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["page"] for r in rows} == {1, 2, 3}
    assert all(r["page_label"] == str(r["page"] + 100) for r in rows)
    assert all(set(r) >= {"page", "page_label", "place", "kind", "question", "answer", "sentence"} for r in rows)
    assert PdfReader(tmp_path / "synth.pdf").page_labels == ["101", "102", "103"]


def test_cli_start_page(tmp_path: Path) -> None:
    synth.main(["--pages", "2", "--out", str(tmp_path), "--pdf", "--no-text", "--start-page", "40",
                "--label-offset", "-1"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.jsonl", "synth.pdf"]
    rows = [json.loads(ln) for ln in (tmp_path / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {(r["page"], r["pdf_page"], r["page_label"]) for r in rows} == {(40, 1, "39"), (41, 2, "40")}
    assert PdfReader(tmp_path / "synth.pdf").page_labels == ["39", "40"]


def test_speed() -> None:
    t = time.perf_counter()
    texts, facts = generate_report(2000, seed=11)
    assert len(texts) == 2000 and len(facts) > 6000
    assert time.perf_counter() - t < 8.0
