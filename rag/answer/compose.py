"""From the chosen candidate to the answer text: the figure asked for, a comparison, a change, a list.

Nothing computed is presented as a quote: a comparison or a difference says it was computed, and every figure
it used is quoted in the citations.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rag.answer.candidates import Candidate, candidates_of, is_lead_in
from rag.answer.question import QuestionAnalysis
from rag.figures import Figure, YEAR_RE
from rag.ingest.chunk import SECTION_SEPARATOR
from rag.lang import phrase_pattern, vocabulary
from rag.text import split_sentences, tokenize


@dataclass
class Composed:
    """The answer text and the candidates it rests on (the first is the main evidence)."""

    text: str
    used: list[Candidate]
    computed: bool = False


def _label_before(text: str, figure: Figure, figures: list[Figure]) -> str:
    """The words printed just before a figure since the previous figure or separator ("2023", "YoY (%)")."""
    start = 0
    for f in figures:
        if f.end <= figure.start and f is not figure and f.kind not in ("year",):
            start = max(start, f.end)
    chunk = text[start:figure.start]
    chunk = re.split(r"[;|—]", chunk)[-1]
    return chunk[-60:]


def _change_header_tokens() -> set[str]:
    headers = vocabulary("en", "question").get("change", {}).get("headers", [])
    return {t for h in headers for t in tokenize(h, keep_stopwords=True)}


def figure_score(qa: QuestionAnalysis, c: Candidate, f: Figure) -> float:
    """How well one figure of a candidate answers the question: its kind, the question's words and years printed
    just before (and after) it, a change asked for and a change printed."""
    if f.number in qa.given and f.kind != "year":
        return -10.0
    if f.kind in ("year",) and qa.kind not in ("year", "date"):
        return -10.0
    if qa.accepts and not qa.accepts.get(f.kind):
        return -10.0  # "And its area?": a date of the same sentence is no answer, whatever words it follows
    score = 3.0 * (qa.fit(f) if qa.accepts else (1.0 if f.kind in ("year", "date") else 0.0))
    text = c.text
    label = _label_before(text, f, c.figures)
    q = (set(qa.terms) | set(qa.borrowed)) - qa.generic - qa.years  # a follow-up's figure is the one asked before
    label_years = set(YEAR_RE.findall(label))
    own_words = label
    if c.structured:
        # in a row, what tells its cells apart is each cell's column label; the row label and title are shared
        label = label.rsplit(":", 1)[-1]
        label_years = set(YEAR_RE.findall(label))
        if qa.years:
            score += 2.5 if label_years & qa.years else -2.0 if label_years and not qa.years_borrowed else 0.0
    else:
        # the words between a figure and its neighbours are its own, split where a joiner or clause mark runs on to
        # the next: "a planned area of 1,901 km² and a directly administered area of 491 km²" — "directly
        # administered" belongs to 491; a share also owns the words after it, as survey language names what the
        # respondents did there: "44% ship through the port and 18% use the rail link" — "ship through the port"
        # belongs to 44% (a count's words after it are what it counts, below)
        previous_end = max((g.end for g in c.figures if g.end <= f.start), default=0)
        next_start = min((g.start for g in c.figures if g.start >= f.end and g is not f), default=len(text))
        preceding = text[max(previous_end, f.start - 50):f.start]
        if previous_end:
            preceding = _clause_break().split(preceding)[-1]
        before = set(tokenize(preceding))
        own_words = preceding
        after = set(tokenize(_clause_break().split(text[f.end:next_start], maxsplit=1)[0][:60]))
        if not before and not after:
            # "…clerical staff received the smallest, at 2.9%.": a figure set off after a comma, with no words of
            # its own, is of the clause before it ("…, and 16% expect a decline" has its own)
            clauses = [c for c in _clause_break().split(text[max(previous_end, f.start - 80):f.start]) if c.strip()]
            before = set(tokenize(clauses[-2])) if len(clauses) >= 2 else before
        own = q - set(qa.borrowed)  # a follow-up's own words tell its figure apart more than those it borrowed
        score += 0.6 * len(own & before) + 0.3 * len((q - own) & before)
        if f.kind in ("share", "points"):
            following = set(tokenize(_clause_break().split(text[f.end:next_start], maxsplit=1)[0][:60])) - before
            score += 0.6 * len(own & following) + 0.3 * len((q - own) & following)
        if f.kind in ("count", "quantity"):
            # a count names what it counts right after it ("26 data centers", "1.4 million planned racks")
            counted = set(tokenize(" ".join(re.findall(r"[\w’'-]+", text[f.end:])[:3])))
            score += 2.0 if counted & q else -0.5 if counted else 0.0
        if qa.years:
            # in running text a year holds for every figure after it until another year is named, unless the
            # figure's own clause names its year after it ("an average of 4.0% in 2025 and … 3.6% in 2026")
            said = YEAR_RE.findall(_clause_break().split(text[f.end:], maxsplit=1)[0])[:1] or \
                YEAR_RE.findall(text[:f.start])
            if said and said[-1] in qa.years:
                score += 2.0
            elif said and not qa.years_borrowed:
                score -= 2.0  # (a year the conversation gave is no condition: "… in 2030?" — "And its area?")
    # a figure's label: in a row its column header, in running text its own clause's words before it (not the
    # clause of the figure before: "33% expect little change and 16% expect a decline" — 16% is no change)
    label_tokens = set(tokenize(label if c.structured else own_words, keep_stopwords=True))
    change_headers = _change_header_tokens()
    if c.structured and label_tokens and label_tokens <= change_headers | {"percent"}:
        # "… Actual use of FDI (RMB bn) 25.1; YoY (%) -12.6": a change column belongs to the measure before it
        earlier = [g for g in c.figures if g.end <= f.start and g.kind != "year"]
        if earlier:
            earlier_label = _label_before(c.text, earlier[-1], c.figures).rsplit(":", 1)[-1]
            label_tokens |= set(tokenize(earlier_label, keep_stopwords=True))
    is_change = (f.kind == "points" or f.relative or bool(label_tokens & change_headers)
                 or f.text.startswith(("+", "-", "−")))
    wants_change = qa.operator == "delta" or (bool(qa.change_words) and qa.kind == "share")
    if is_change and wants_change:
        score += 1.5
    elif is_change and qa.kind in ("money", "area", "count", "length"):
        score -= 1.0
    if c.structured and label_tokens & q:
        score += 0.8 * len(label_tokens & q)  # the column header names what was asked
    if re.fullmatch(r"\d{1,2}", f.text) and f.kind == "count":
        score -= 0.5  # a bare small number is rarely the figure asked for
    return score


def figure_question(qa: QuestionAnalysis, c: Candidate) -> QuestionAnalysis:
    """A question that names no measure ("What was office vacancy in 2024?") asks for a figure when a table row
    or chart series answers it, or when it names a year: any kind of figure will do."""
    compares_items = qa.operator in ("max", "min", "order") and qa.selects
    if qa.accepts and not (compares_items and qa.kind in ("year", "date")):
        return qa
    if not compares_items and (qa.kind != "describe" or not (c.structured or qa.years)):
        return qa
    from dataclasses import replace

    return replace(qa, accepts=dict(vocabulary("en", "question")["kinds"]["figure"]["accepts"]))


def lead_figure(qa: QuestionAnalysis, c: Candidate) -> Figure | None:
    """The figure of the candidate that answers the question, as printed."""
    qa = figure_question(qa, c)
    if not qa.accepts and qa.kind not in ("year", "date", "rank"):
        return None
    scored = [(figure_score(qa, c, f), -i, f) for i, f in enumerate(c.figures)]
    scored = [s for s in scored if s[0] > 0]
    return max(scored, key=lambda s: (s[0], s[1]))[2] if scored else None


def record_label(c: Candidate) -> str:
    """What a table row, chart series or list item is about: the text before its first ":" (after the title)."""
    return label_of(c.text)


def record_title(c: Candidate) -> str:
    """The title of a record's table or chart ("Table 3 (…)"), as its text carries it before " — "."""
    return c.text.split(" — ", 1)[0] if " — " in c.text else "the table"


def label_of(text: str) -> str:
    """The label of a record's text ("Table 3 (…) — Guangzhou: 2021 33%; …" -> "Guangzhou")."""
    text = text.split(" — ", 1)[-1]
    if ":" in text[:90]:
        return text.split(":", 1)[0].strip()
    return text[:60].strip()


def label_named(qa: QuestionAnalysis, label: str) -> bool:
    """The question names a record by its label: one of the label's own words (not a generic one), typed in full,
    short ("admin" — "Administrative") or as an abbreviation the question spells out ("US" — "United States")."""
    words = set(tokenize(label)) - qa.generic
    asked = set(qa.terms) | set(qa.names) | set(qa.borrowed) | {t for _, long in qa.alternatives for t in long}
    return any(w.startswith(t) or t.startswith(w) for w in words for t in asked if min(len(w), len(t)) >= 3) or \
        bool(words & asked)


def siblings(c: Candidate, index) -> list[Candidate]:
    """The other records of the same table, chart or list (same source, page and section)."""
    meta = c.doc.metadata
    kind = meta.get("kind")
    if kind not in ("table_row", "chart_series", "list_item"):
        return []
    section = str(meta.get("section", ""))
    parent = section.rsplit(SECTION_SEPARATOR, 1)[0] if kind == "list_item" else section
    from rag.retrieve import chunk_document

    out = []
    for chunk in page_chunks(index, meta.get("source"), meta.get("page")):  # in reading order
        if chunk.kind != kind:
            continue
        own = chunk.section.rsplit(SECTION_SEPARATOR, 1)[0] if kind == "list_item" else chunk.section
        if own == parent:
            found = candidates_of([chunk_document(chunk, score=0.0, dense=0.0, lexical=0.0)])
            if found:
                out.append(found[0])
    return out


def _direction_word(a: Figure, b: Figure) -> str:
    """Which way a figure moved from ``a`` to ``b``; the size of the move is left to the quoted figures, so the
    answer holds no number the report does not print."""
    return "Up" if b.value > a.value else "Down" if b.value < a.value else "Unchanged"


def compare(qa: QuestionAnalysis, best: Candidate, index) -> Composed | None:
    """"Which X is highest/lowest": the asked figure of every record of the best one's table/chart/list,
    compared; or, for "which year", the points of the best record."""
    if qa.operator not in ("max", "min", "order") or not qa.selects:
        return None
    qa = figure_question(qa, best)
    pick = min if qa.operator == "min" else max
    if qa.kind in ("year", "date"):
        points = [(f, _label_years(best, f)) for f in best.figures if qa.accepts.get(f.kind, 0.0) > 0]
        points = [(f, y) for f, y in points if y]
        if len(points) < 2:
            return None
        chosen, year = pick(points, key=lambda p: p[0].value)
        ties = [y for f, y in points if f.value == chosen.value]
        listed = ", ".join(f"{y} {f.text}" for f, y in points)
        text = (f"{' and '.join(ties)} ({chosen.text}) — compared across {record_label(best)}: {listed}. "
                "(Compared from the quoted figures.)")
        return Composed(text, [best], computed=True)
    records = siblings(best, index) or (items_after(best, index) if is_lead_in(best) else []) or [best]
    if len(records) < 2:
        return _compare_inline(qa, best, pick)
    rows = []
    for r in records:
        f = lead_figure(qa, r) or lead_figure(_without_operator(qa), r)
        if f is not None:
            rows.append((r, f))
    if len(rows) < 2:
        return None
    # a record is named by the words that tell its label from the others' ("Mexico"; not the "Zone" of every zone)
    shared = Counter(t for r, _ in rows for t in set(tokenize(record_label(r))))
    named = [(r, f) for r, f in rows
             if label_named(qa, " ".join(t for t in tokenize(record_label(r)) if shared[t] == 1))]
    if len(named) >= 2:
        rows = named  # "Are more firms moving to Mexico or to the US?": those two, not every destination
    if qa.operator == "order":
        rows.sort(key=lambda x: -x[1].value)
        listed = "; ".join(f"{record_label(r)} {with_header_unit(r, f)}" for r, f in rows)
        return Composed(f"Highest first: {listed}. (Ranked from the quoted figures.)", [r for r, _ in rows],
                        computed=True)
    top_row, _ = pick(rows, key=lambda x: x[1].value)
    used = [top_row] + [r for r, _ in rows if r is not top_row]
    return Composed(_compared([(record_label(r), f) for r, f in rows], pick, qa.both_ends), used, computed=True)


def _compared(records: list[tuple[str, Figure]], pick, both_ends: bool = False) -> str:
    """"B (31%, the highest) — compared: A 12%; B 31%; C 8%." over labelled figures, ties named together; asked
    for both ends, "B (31%, the highest) and C (8%, the lowest) — compared: …"."""
    def end(pick) -> str:
        _, top = pick(records, key=lambda r: r[1].value)
        ties = [label for label, f in records if f.value == top.value]
        return f"{' and '.join(ties)} ({top.text}, the {'highest' if pick is max else 'lowest'})"

    listed = "; ".join(f"{label} {f.text}" for label, f in records)
    ends = [end(max), end(min)] if both_ends else [end(pick)]
    return f"{' and '.join(ends)} — compared: {listed}. (Compared from the quoted figures.)"


_BRACKETS = re.compile(r"[(（]([^()（）]*)[)）]")
_CLAUSE_MARKS = ",;:，；：、"  # clause punctuation of both scripts
_CLAUSE_MARK = re.compile(f"[{_CLAUSE_MARKS}]")


def inline_records(qa: QuestionAnalysis, c: Candidate) -> list[tuple[str, Figure]]:
    """The records one sentence lists inline, each a label with its figure in brackets: "three areas: Nanning
    (46.8 km²), the Qinzhou Port Area (58.19 km²) and …", "rules (62%), followed by data (48%)". A label is the text
    since the previous bracket or clause mark; only figures of an asked kind count; fewer than two: none."""
    out: list[tuple[str, Figure]] = []
    previous = 0
    for m in _BRACKETS.finditer(c.text):
        inside = [f for f in c.figures if m.start(1) <= f.start < m.end(1) and qa.accepts.get(f.kind, 0.0) > 0]
        label = _without_joiner(_CLAUSE_MARK.split(c.text[previous:m.start()])[-1].strip())
        if inside and label:
            out.append((label, inside[0]))
        previous = m.end()
    return out if len(out) >= 2 else []


@lru_cache(maxsize=1)
def _clause_break() -> re.Pattern[str]:
    """Where one figure's words end and the next one's begin: a clause mark, or an English joiner (a Chinese
    joiner such as 和 is also part of words: 和山)."""
    words = [w for w in vocabulary("en", "layout").get("joiners", []) if w.isascii()]
    joiners = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    marks = f"[{_CLAUSE_MARKS}。]"  # a sentence end too: a figure's words do not run past it
    return re.compile(rf"{marks}|\b(?:{joiners})\b" if joiners else marks, re.IGNORECASE)


def _joiners() -> re.Pattern[str] | None:
    return phrase_pattern(tuple(w for lang in ("en", "zh") for w in vocabulary(lang, "layout").get("joiners", [])))


def _without_joiner(label: str) -> str:
    """A label without the word that ran the list on to it ("and Xishan" → "Xishan"); joiners are data."""
    pattern = _joiners()
    if pattern is not None:
        m = pattern.match(label)
        if m and m.start() == 0 and m.end() < len(label):
            return label[m.end():].strip()
    return label


def _compare_inline(qa: QuestionAnalysis, best: Candidate, pick) -> Composed | None:
    records = inline_records(qa, best)
    return Composed(_compared(records, pick, qa.both_ends), [best], computed=True) if records else None


def _label_years(c: Candidate, f: Figure) -> str:
    years = YEAR_RE.findall(_label_before(c.text, f, c.figures))
    return years[-1] if years else ""


def _without_operator(qa: QuestionAnalysis) -> QuestionAnalysis:
    from dataclasses import replace

    return replace(qa, operator=None)


def moved_records(qa: QuestionAnalysis, best: Candidate, index) -> Composed | None:
    """"Which cities gained share in 2025 compared with 2024?": the records of the best one's table or chart whose
    figures for the two years asked moved the way asked, each with both figures; computed, and said to be."""
    if qa.operator != "delta" or not qa.selects or not best.structured or len(qa.years) != 2:
        return None
    way = _direction(qa.text)  # "gained", "fell" (rag/lang/en/question.toml [change])
    if way is None:
        return None
    early, late = sorted(qa.years)
    rows = []
    for r in siblings(best, index) or [best]:
        by_year = {_label_years(r, f): f for f in r.figures
                   if qa.accepts.get(f.kind, 0.0) > 0 or (not qa.accepts and f.kind != "year")}
        if early in by_year and late in by_year:
            rows.append((r, by_year[early], by_year[late]))
    if len(rows) < 2:
        return None
    moved = [(r, a, b) for r, a, b in rows if (b.value > a.value if way == "up" else b.value < a.value)]
    title = record_title(best)
    said = f"{'up' if way == 'up' else 'down'} from {early} to {late} in {title}"
    if not moved:
        return Composed(f"None of the {len(rows)} rows is {said}. (Compared from the quoted figures.)",
                        [r for r, _, _ in rows], computed=True)
    listed = "; ".join(f"{record_label(r)} ({a.text} → {b.text})" for r, a, b in moved)
    return Composed(f"{listed} — {said}. (Compared from the quoted figures.)",
                    [r for r, _, _ in moved], computed=True)


def summed_records(qa: QuestionAnalysis, best: Candidate, index) -> Composed | None:
    """"What was the total share of companies with falling revenue in 2022?": the records of the best one's table or
    chart that together make the asked total ("Decreased slightly", "Decreased significantly": the way asked, by the
    [change] words, or named by the question), each with its figure for the asked year. The report prints the parts,
    not their sum, so the answer quotes the parts and says they make the total; it prints no number of its own. A
    table with a total row of its own answers from that row instead."""
    if not qa.sums or not best.structured:
        return None
    records = siblings(best, index) or [best]
    totals = _total_rows()
    if totals is not None and any(totals.search(record_label(r).lower()) for r in records):
        return None  # "Total: …": the report prints the total
    way = _stem_direction(qa.text)
    parts = []
    for r in records:
        label = record_label(r)
        if not (_stem_direction(label) == way if way else label_named(qa, label)):
            continue
        held = [f for f in r.figures if f.kind != "year" and (not qa.accepts or qa.accepts.get(f.kind, 0.0) > 0)]
        if qa.years:
            held = [f for f in held if _label_years(r, f) in qa.years]
        if len(held) != 1:
            return None  # no one figure of the record is the asked one
        parts.append((r, held[0]))
    if len(parts) < 2 or len({f.kind for _, f in parts}) != 1 or not any(r.doc.id == best.doc.id for r, _ in parts):
        return None
    title = record_title(best)
    years = f" in {', '.join(sorted(qa.years))}" if qa.years else ""
    listed = " + ".join(f"{record_label(r)} {f.text}" for r, f in parts)
    # no count of the parts either: the answer prints no number the quoted records do not
    return Composed(f"{listed}{years} — the records of {title} that make up the total asked; the report prints "
                    "these parts, not their sum. (Read from the quoted figures.)",
                    [r for r, _ in parts], computed=True)


@lru_cache(maxsize=1)
def _total_rows() -> re.Pattern[str] | None:
    """A record label that is itself a total ("Total", "All companies"): ``sum`` and ``sum_rows`` of
    ``[operators]``, matched as whole phrases ("Fell by up to 10%" holds no "add up")."""
    ops = vocabulary("en", "question").get("operators", {})
    return phrase_pattern(tuple(ops.get("sum", []) + ops.get("sum_rows", [])))


def _stem_direction(text: str) -> str | None:
    """The way a text says something moved: its first word of a direction, read by word family ("falling" as
    "fall", "Decreased" as "decrease"; in "Fell by up to 10%" the verb comes first, "up to" is a bound):
    ``[change]`` of rag/lang/en/question.toml."""
    ways = _direction_stems()
    return next((ways[t] for t in tokenize(text, keep_stopwords=True) if t in ways), None)


@lru_cache(maxsize=1)
def _direction_stems() -> dict[str, str]:
    """Each ``[change]`` word's token and the way it says ("fall" -> "down")."""
    change = vocabulary("en", "question").get("change", {})
    return {t: way for way in ("up", "down") for w in change.get(way, []) for t in tokenize(w, keep_stopwords=True)}


def change(qa: QuestionAnalysis, best: Candidate) -> Composed | None:
    """"By how much did X change": the change the report states, else the difference of the two figures of the
    asked years (or the sentence's two figures of one kind), computed and said to be."""
    if qa.operator != "delta":
        return None
    stated = [f for f in best.figures if f.kind == "points"]
    if stated:
        return Composed(f"{stated[0].text} — {best.text}", [best])
    kinds = [k for k, w in sorted(qa.accepts.items(), key=lambda kv: -kv[1]) if w >= 0.5] or ["share"]
    pool = [f for f in best.figures if f.kind == kinds[0] and f.number not in qa.given]
    if best.structured and qa.years:
        by_year = {(_label_years(best, f)): f for f in pool if _label_years(best, f)}
        years = sorted(y for y in by_year if y in qa.years)
        if len(years) == 1 and len(by_year) >= 2:
            earlier = [y for y in sorted(by_year) if y < years[0]]
            later = [y for y in sorted(by_year) if y > years[0]]
            years = [years[0], later[-1]] if later and not earlier else [earlier[-1], years[0]] if earlier else years
        if len(years) >= 2:
            a, b = by_year[years[0]], by_year[years[-1]]
            return Composed(f"{_direction_word(a, b)}: from {a.text} in {years[0]} to {b.text} in {years[-1]} "
                            f"({record_label(best)}; compared from the quoted figures).", [best], computed=True)
    if len(pool) == 2 and not best.structured:
        first, second = pool
        # "68% …, compared with 64% a year earlier": the later figure is printed first
        earlier_first = bool(re.search(r"\bfrom\b", best.text[max(0, first.start - 12):first.start]))
        a, b = (first, second) if earlier_first else (second, first)
        return Composed(f"{_direction_word(a, b)}: {a.text} → {b.text} (compared from the quoted figures) — "
                        f"{best.text}", [best], computed=True)
    return None


def list_answer(qa: QuestionAnalysis, best: Candidate, index) -> Composed | None:
    """A list question answered by one item of a list: the whole list. A lead-in is answered by its list whatever
    was asked, as a reader reads on (unless it holds the asked figure itself)."""
    if qa.operator in ("max", "min", "order"):
        return None
    if best.kind == "list_item" and qa.wants_list:
        items = siblings(best, index)
        if names_item(qa, best, items):
            return None  # about this item, not the list
    elif (is_lead_in(best) and (qa.wants_list or lead_figure(qa, best) is None)) or (
            qa.wants_list and best.following):
        items = items_after(best, index)
    else:
        return None
    if len(items) < 2:
        return None
    return Composed(f"{'; '.join(_item_text(i) for i in items)}.", items)


def items_after(lead: Candidate, index) -> list[Candidate]:
    """The list items printed right after a lead-in, in order (a gap of more than a line ends the list)."""
    meta = lead.doc.metadata
    from rag.retrieve import chunk_document

    after = [c for c in page_chunks(index, meta.get("source"), meta.get("page"))
             if c.kind == "list_item" and c.start > int(meta.get("start", 0))]
    out, last_end = [], int(meta.get("end", 0))
    for chunk in after:
        if chunk.start - last_end > 40:
            break
        found = candidates_of([chunk_document(chunk, score=0.0, dense=0.0, lexical=0.0)])
        if found:
            out.append(found[0])
        last_end = chunk.end
    return out


_PAGES: dict[int, tuple[object, dict]] = {}


def page_chunks(index, source, page) -> list:
    """The chunks of one page in reading order, from a table built once per committed index state."""
    chunks = index.chunks
    cached = _PAGES.get(id(chunks))
    if cached is None or cached[0] is not chunks:
        table: dict = {}
        for chunk in chunks.values():
            table.setdefault((chunk.source, chunk.page), []).append(chunk)
        for items in table.values():
            items.sort(key=lambda c: c.start)
        _PAGES.clear()  # one index state at a time
        cached = _PAGES[id(chunks)] = (chunks, table)
    return cached[1].get((source, page), [])


def chunk_before(c: Candidate, index):
    """The chunk printed right before the candidate's chunk on its page (not a table row or chart series), or None."""
    meta = c.doc.metadata
    start = int(meta.get("start", 0))
    before = [ch for ch in page_chunks(index, meta.get("source"), meta.get("page"))
              if ch.end <= start and start - ch.end <= 40 and ch.kind not in ("table_row", "chart_series")]
    return max(before, key=lambda ch: ch.end) if before else None


def lead_in_of(item: Candidate, index) -> str:
    """The lead-in of the list a list item belongs to ("Asked about skills, companies in Nanquan answered:" before
    "Struggle to find engineers: 37%"): what a reader knows the item's figure measures, and of whom. "" when the
    list has none."""
    meta = item.doc.metadata
    start = int(meta.get("start", 0))
    for chunk in reversed([ch for ch in page_chunks(index, meta.get("source"), meta.get("page")) if ch.end <= start]):
        if start - chunk.end > 40:
            return ""  # a gap of more than a line: the list began without one
        if chunk.kind == "list_item":
            start = chunk.start  # an earlier item of the same list
            continue
        if chunk.kind in ("table_row", "chart_series"):
            return ""
        last = last_sentence(chunk.text).strip()
        return last if last.endswith((":", "：")) else ""
    return ""


def last_sentence(text: str) -> str:
    """A chunk's last sentence (the whole text when it splits into none)."""
    spans = split_sentences(text)
    return text[spans[-1][0]:spans[-1][1]].strip() if spans else text


def sentence_before(c: Candidate, index) -> str:
    """The sentence printed right before the candidate's chunk on its page (a lead-in's subject is often there:
    "Fewer companies reported problems with intellectual property. | Among those affected, the forms were:")."""
    chunk = chunk_before(c, index)
    return "" if chunk is None else last_sentence(chunk.text)


def _item_text(c: Candidate) -> str:
    text = c.text.strip().rstrip(".")
    return text if len(text) <= 90 else text[:87].rsplit(" ", 1)[0] + "…"


def trim(sentence: str, limit: int) -> str:
    """A sentence cut to ``limit`` characters at a word, marked with an ellipsis."""
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"


def with_header_unit(c: Candidate, f: Figure) -> str:
    """A table cell as a reader says it, with the unit its column header gives ("Actual use of FDI (RMB bn) 25.1"
    -> "RMB25.1 billion", "YoY (%) -12.6" -> "-12.6%"); a figure that carries its own unit is left as printed."""
    if not c.structured or not re.fullmatch(r"[-+−]?\d[\d,]*(?:\.\d+)?", f.text):
        return f.text  # it prints its own unit
    label = _label_before(c.text, f, c.figures)
    m = re.search(r"\(([^()]*)\)\s*$", label.strip())
    if not m:
        return f.text
    unit = m.group(1).strip()
    units = vocabulary("en", "units")
    number = c.text[f.start:f.end]
    if unit == "%":
        return f"{number}%"
    parts = unit.split()
    currency = next((p for p in parts if p in units["currency_prefix"]), "")
    names = units.get("scale_names", {})
    scale = next((names[p.lower()] for p in parts if p.lower() in names), "")
    rest = " ".join(p for p in parts if p != currency and p.lower() not in names)
    return " ".join(x for x in (f"{currency}{number}", scale, rest) if x)


def figure_answer(qa: QuestionAnalysis, best: Candidate, limit: int, lead: Figure | None = None) -> Composed:
    """The asked figure as printed (a table cell with its column's unit), then the sentence or row that holds it.
    ``lead``: the figure, when it is already known (the same figure found in the page's other language)."""
    lead = lead or lead_figure(qa, best)
    body = best.text
    if lead is None:
        return Composed(trim(body, limit), [best])
    head = with_header_unit(best, lead)
    room = limit - len(head) - 3
    if len(body) > room:
        # keep the part of a long sentence around the figure
        start = max(0, min(lead.start - room // 2, len(body) - room))
        snippet = body[start:start + room]
        if start > 0:
            snippet = "…" + snippet.split(" ", 1)[-1]
        if start + room < len(body):
            snippet = snippet.rsplit(" ", 1)[0] + "…"
        body = snippet
    return Composed(f"{head} — {body}", [best])


def _direction(text: str) -> str | None:
    change = vocabulary("en", "question").get("change", {})
    words = set(re.findall(r"[a-z]+", text.lower()))
    up = bool(words & set(change.get("up", [])))
    down = bool(words & set(change.get("down", [])))
    return "up" if up and not down else "down" if down and not up else None


def contradicted_premise(qa: QuestionAnalysis, best: Candidate) -> bool:
    """"Why did GDP fall…" where the report says it grew, or "Why did A get bigger raises than B?" where the
    passage gives A the smaller figure: the question presumes the opposite of the passage."""
    why = phrase_pattern(tuple(vocabulary("en", "question").get("change", {}).get("why", ())))
    if not why or not why.search(qa.text):
        return False
    asked, said = _direction(qa.text), _direction(best.text)
    if asked and said and asked != said:
        return True
    compared = _than_pair(qa)
    if compared is None:
        return False
    op, first, second = compared
    a, b = _figure_after(best, first, second), _figure_after(best, second, first)
    if a is None or b is None or a is b or a.kind != b.kind:
        return False
    return a.value < b.value if op == "max" else a.value > b.value


def _than_pair(qa: QuestionAnalysis) -> tuple[str, set[str], set[str]] | None:
    """"A … bigger … than B": (the operator, the words that name A, the words that name B), less the words both
    share ("staff") and the question's years; None when the question compares nothing with "than"."""
    ops = vocabulary("en", "question").get("operators", {})
    joins = "|".join(re.escape(w) for w in ops.get("than", ()))
    if not joins:
        return None
    for op in ("max", "min"):
        pattern = phrase_pattern(tuple(ops.get(op, ())))
        for m in pattern.finditer(qa.text) if pattern else ():
            than = re.match(rf"(?:\s+[\w’'-]+){{0,2}}?\s+(?:{joins})\s+", qa.text[m.end():], re.IGNORECASE)
            if than is None:
                continue
            first = set(tokenize(qa.text[:m.start()])) - qa.generic
            second = set(tokenize(qa.text[m.end() + than.end():])) - qa.generic
            shared = first & second
            first, second = ({t for t in side - shared if not t.isdigit()} for side in (first, second))
            if first and second:
                return op, first, second
    return None


def _figure_after(c: Candidate, own: set[str], other: set[str]) -> Figure | None:
    """The first figure (not a year) the candidate prints after it names ``own`` and before it names ``other``."""
    named = None
    for m in re.finditer(r"[\w’'-]+", c.text):
        words = set(tokenize(m.group(0)))
        if named is None and words & own:
            named = m.end()
        elif named is not None and words & other:
            return None
        if named is not None:
            figure = next((f for f in c.figures if f.start >= named and f.kind != "year" and f.start < m.end()),
                          None)
            if figure is not None:
                return figure
    return None


def names_item(qa: QuestionAnalysis, item: Candidate, items: list[Candidate]) -> bool:
    """The question names this list item by the words that tell it from the others ("the health care industry"):
    its label's words that neither its list's heading nor another item's label holds."""
    shared = set(tokenize(SECTION_SEPARATOR.join(item.section_path[:-1])))
    others = [o for o in items if o.doc.metadata.get("start") != item.doc.metadata.get("start")]
    for other in others:
        shared |= set(tokenize(record_label(other)))
    # the item's own heading, when it has one (a later sentence of it); a heading its siblings share is the list's
    head = item.section_path[-1] if item.section_path and all(o.section != item.section for o in others) else ""
    own = record_label(item) + " " + head
    label = set(tokenize(own)) - qa.generic - shared
    return bool(label) and len(label & set(qa.terms)) >= max(1, len(label) // 2)


def merged_scale(qa: QuestionAnalysis, best: Candidate) -> tuple[str, str] | None:
    """A survey figure of two points of a scale together ("57% were satisfied or very satisfied", "rated it good or
    very good") asked for the stronger point alone ("What share were *very satisfied*?"): (the pair as printed, the
    point asked). The stronger point is the weaker one with words before it; asked for the weaker one, or for the
    pair, the figure answers."""
    if not qa.wants_figure:
        return None
    asked = qa.text.lower()
    for m in re.finditer(r"\b([a-z-]+) or ((?:[a-z-]+ ){1,2}\1)\b", best.text.lower()):
        strong = m.group(2)
        if re.search(rf"(?<![\w-]){re.escape(strong)}(?![\w-])", asked) and m.group(0) not in asked:
            return best.text[m.start():m.end()], best.text[m.start(2):m.end(2)]
    return None


def planned_not_actual(qa: QuestionAnalysis, best: Candidate, lead: Figure | None) -> str | None:
    """The question asks what is already in place; the passage calls it planned. Returns what to say (the
    planned figure, or that it is described as planned), None otherwise."""
    status = vocabulary("en", "question").get("status", {})
    actual, planned = phrase_pattern(tuple(status.get("actual", ()))), phrase_pattern(tuple(status.get("planned", ())))
    guard = phrase_pattern(tuple(status.get("not_planned", ())))
    text = guard.sub(" ", qa.text) if guard else qa.text
    if not actual or not planned or not actual.search(text) or planned.search(text):
        return None
    if lead is not None:
        around = best.text[max(0, lead.start - 30): lead.end + 30]
        return f"it gives a planned figure ({lead.text})" if planned.search(around) else None
    if re.match(r"\s*(is|are|was|were|has|have|does|do|did)\b", qa.text, re.IGNORECASE) and planned.search(best.text):
        words = set(qa.terms) - qa.generic
        near = [m for m in planned.finditer(best.text)
                if words & set(tokenize(best.text[max(0, m.start() - 40): m.end() + 40]))]
        return "it describes it as planned" if near else None
    return None
