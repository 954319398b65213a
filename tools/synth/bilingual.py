"""Bilingual pages: an English column beside a Chinese column saying the same (clean UTF-8)."""
from __future__ import annotations

from tools.synth.context import Ctx
from tools.synth.layout import Block, Section
from tools.synth.model import KindOutput, PageDraft, Question, pct_alts
from tools.synth.survey import _distinct_shares, scoped
from tools.synth.vocab import load, pick, template

KIND = "bilingual"


def build(ctx: Ctx) -> KindOutput:
    rng, y = ctx.rng, ctx.year
    sv, bv = load("survey"), load("bilingual")
    topic = pick(rng, sv["topic"])
    where = ctx.names(4)[3]
    pop = scoped(pick(rng, sv["population"]), where)
    items = rng.sample(topic["items"], 3)
    vals = _distinct_shares(ctx, 6)
    no = rng.randint(1, 10)
    en = [Block("h", f"Chapter {no}  {topic['heading'][0]}")]
    zh = [Block("h", f"第{bv['chapter_zh'][no - 1]}章  {topic['zh_heading']}")]
    qs: list[Question] = []
    for k, it in enumerate(items):
        v = vals[2 * k]
        v0 = max(3, v + rng.choice((-1, 1)) * rng.randint(1, 8))
        te, tz = pick(rng, bv["pairs"])
        f = dict(v=v, v0=v0, year=y, prev=y - 1, pop=pop["says"], pop_zh=pop["zh"], says=it["says"], zh=it["zh"])
        se, sz = te.format(**f), tz.format(**f)
        if k == 0:
            se = se[0].upper() + se[1:]
        close = pick(rng, bv["closers"]) if rng.random() < 0.5 else None
        en.append(Block("p", se + (" " + close[0] if close else "")))
        zh.append(Block("zh", sz + (close[1] if close else "")))
        if k == 0:
            qs.append(Question("crosslingual", template(rng, "crosslingual", "share", year=y, pop=pop["zh"],
                                                        zh=it["zh"]),
                               [pct_alts(f"{v}%")], sz, "Chinese question; both columns give the figure."))
            qs.append(Question("figure", template(rng, "survey", "share", pop=pick(rng, pop["asks"]),
                                                  ask=it["asks"][0], year=y),
                               [pct_alts(f"{v}%")], se, f"English question on a bilingual page; {v0}% is {y - 1}."))
        elif k == 1:
            qs.append(Question("crosslingual", template(rng, "crosslingual", "prev", prev=y - 1, pop=pop["zh"],
                                                        zh=it["zh"]),
                               [pct_alts(f"{v0}%")], sz, f"Chinese question about {y - 1}; {v}% is {y}."))
        else:
            qs.append(Question("paraphrase", template(rng, "survey", "paraphrase", pop=pick(rng, pop["asks"]),
                                                      ask=it["asks"][-1]), [pct_alts(f"{v}%")], se,
                               "Worded away from the English sentence."))
    gone = y - rng.randint(6, 9)
    qs.append(Question("unanswerable", template(rng, "crosslingual", "prev", prev=gone, pop=pop["zh"],
                                                zh=items[0]["zh"]),
                       [], None, f"Chinese question about a year not covered ({gone}).", answerable=False,
                       absent=[(0, [str(gone)])]))
    for q in qs:
        q.gold_page = 0 if q.answerable else None
    return KindOutput([PageDraft("bilingual", [Section("cols", en, zh)], codec=None)], qs)
