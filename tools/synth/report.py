"""A corpus of pages of mixed kinds with their plain text and questions, deterministic by seed."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from types import ModuleType

from tools.synth import bilingual, bullets, chart, continued, profile, survey, table
from tools.synth.context import Ctx
from tools.synth.layout import render
from tools.synth.model import Question, norm
from tools.synth.vocab import load, pick

KINDS: dict[str, ModuleType] = {m.KIND: m for m in (survey, bullets, table, chart, profile, bilingual, continued)}


@dataclass
class Page:
    number: int
    kind: str
    text: str  # the export
    plain: str  # reading order (the answer key)


@dataclass
class Corpus:
    title: str
    pages: list[Page]
    questions: list[Question]
    dropped: int = 0  # near-miss questions dropped because their would-be answer happened to be printed
    by_number: dict[int, Page] = field(default_factory=dict)


def corpus_meta(seed: int) -> tuple[str, int, str]:
    """(report title, survey year, chamber) of a seed's corpus."""
    r = random.Random(f"meta:{seed}")
    rep = load("names")["report"]
    pub = pick(r, rep["years"])
    return pick(r, rep["titles"]).format(year=pub), pub - 1, pick(r, rep["chamber"])


def generate(n_pages: int, *, seed: int = 0, kinds: list[str] | tuple[str, ...] | None = None,
             start_page: int = 1) -> Corpus:
    """Pages start_page..start_page+n_pages-1; each page's kind and content come from (seed, page)."""
    kinds = list(kinds or KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown page kinds {unknown}; known: {', '.join(KINDS)}")
    title, year, chamber = corpus_meta(seed)
    last = start_page + n_pages - 1
    pages: list[Page] = []
    questions: list[Question] = []
    p = start_page
    while p <= last:
        rng = random.Random(f"page:{seed}:{p}")
        kind = pick(rng, kinds)
        if kind == "continued" and p == last:  # a continuation needs the next page
            others = [k for k in kinds if k != "continued"] or ["profile"]
            kind = pick(rng, others)
        ctx = Ctx(page=p, seed=seed, rng=rng, year=year, chamber=chamber, fn=max(1, (p * 4) // 5))
        out = KINDS[kind].build(ctx)
        for i, draft in enumerate(out.pages):
            text, plain = render(p + i, title, draft.sections, rng, codec=draft.codec, last_page=max(last, 11))
            pages.append(Page(p + i, kind, text, plain))
        for n, q in enumerate(out.questions, 1):
            q.id = f"syn-{kind}-{p:04d}-{n:02d}"
            q.kind = kind
            if q.gold_page is not None:
                q.gold_page += p
            q.absent = [(None if pg is None else pg + p, s) for pg, s in q.absent]
            questions.append(q)
        p += len(out.pages)
    corpus = Corpus(title, pages, questions)
    corpus.by_number = {pg.number: pg for pg in pages}
    _drop_spoiled(corpus)
    return corpus


def _drop_spoiled(corpus: Corpus) -> None:
    """A near miss whose would-be answer is printed after all (a random figure collided) is dropped."""
    plains = {n: norm(pg.plain) for n, pg in corpus.by_number.items()}
    everything: str | None = None
    keep = []
    for q in corpus.questions:
        ok = True
        for page, strings in q.absent:
            if page is None:
                if everything is None:
                    everything = " ".join(plains.values())
                hay = everything
            else:
                hay = plains.get(page, "")
            if any(norm(s) in hay for s in strings):
                ok = False
        if ok:
            keep.append(q)
        else:
            corpus.dropped += 1
    corpus.questions = keep
