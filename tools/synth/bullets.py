"""Survey results as bullet lists: a lead-in sentence, then "Label: 37%" bullets, in both columns."""
from __future__ import annotations

from tools.synth.context import Ctx
from tools.synth.layout import Block, Section
from tools.synth.model import KindOutput, PageDraft, Question, pct_alts
from tools.synth.survey import _distinct_shares
from tools.synth.vocab import cap, load, pick, template

KIND = "bullets"


def _list(ctx: Ctx, topic: dict, qs: list[Question], first: bool) -> list[Block]:
    rng = ctx.rng
    items = list(topic["items"])
    rng.shuffle(items)
    items = items[: rng.randint(3, len(items))]
    vals = sorted(_distinct_shares(ctx, len(items), 6, 72), reverse=True)
    where = ctx.names(4)[3]
    lead = f"{topic['lead'].replace('companies', f'companies in {where.en}', 1)} (multiple answers allowed):"
    blocks = [Block("h2" if rng.random() < 0.5 else "h", pick(rng, topic["heading"])), Block("p", lead)]
    lines = []
    for it, v in zip(items, vals):
        line = f"{cap(it['says'])}: {v}%"
        lines.append(line)
        blocks.append(Block("b", line, gap=1 if rng.random() < 0.8 else 2))
    # list: every label is a group
    qs.append(Question("list", template(rng, "bullets", "list", list_noun=topic["list_noun"], where=where.en),
                       [[it["says"]] for it in items], lead, f"{len(items)} bullets follow the lead-in."))
    k = rng.randrange(len(items))
    qs.append(Question("figure", template(rng, "bullets", "share", ask=items[k]["asks"][0], where=where.en),
                       [pct_alts(f"{vals[k]}%")], f"{BULLET_PLAIN}{lines[k]}", "One bullet's figure."))
    if first:
        i, j = rng.sample(range(len(items)), 2)
        w = min(i, j)
        qs.append(Question("comparison", template(rng, "bullets", "compare", a=items[i]["asks"][0],
                                                  b=items[j]["asks"][0], where=where.en),
                           [[items[w]["says"], items[w]["asks"][0]], pct_alts(f"{vals[w]}%")],
                           f"{BULLET_PLAIN}{lines[w]}",
                           f"{vals[i]}% against {vals[j]}%."))
        qs.append(Question("paraphrase", template(rng, "bullets", "share", ask=items[k]["asks"][-1], where=where.en),
                           [pct_alts(f"{vals[k]}%")], f"{BULLET_PLAIN}{lines[k]}",
                           f"Worded away from the label '{items[k]['says']}'."))
        qs.append(Question("crosslingual", template(rng, "crosslingual", "share", year=ctx.year,
                                                    pop=f"{where.zh}企业", zh=items[k]["zh"]),
                           [pct_alts(f"{vals[k]}%")], f"{BULLET_PLAIN}{lines[k]}",
                           "Chinese question about an English bullet."))
    else:
        qs.append(Question("comparison", template(rng, "bullets", "top", list_noun=topic["list_noun"], where=where.en),
                           [[items[0]["says"], items[0]["asks"][0]], pct_alts(f"{vals[0]}%")],
                           f"{BULLET_PLAIN}{lines[0]}",
                           "The first bullet has the largest share."))
    return blocks


BULLET_PLAIN = "• "


def build(ctx: Ctx) -> KindOutput:
    rng = ctx.rng
    sv = load("survey")
    t1, t2 = rng.sample(sv["topic"], 2)
    qs: list[Question] = []
    left = _list(ctx, t1, qs, True) + [Block("p", " ".join(ctx.filler(rng.randint(1, 3))))]
    right = _list(ctx, t2, qs, False) + [Block("p", " ".join(ctx.filler(rng.randint(1, 2))))]
    # near miss: an answer from a topic that is not on the page
    printed = {it["says"] for t in (t1, t2) for it in t["items"]}
    other = pick(rng, [it for t in sv["topic"] if t not in (t1, t2) for it in t["items"] if it["says"] not in printed])
    qs.append(Question("unanswerable", template(rng, "bullets", "not_listed", ask=other["asks"][0],
                                                where=ctx.names(4)[3].en), [], None,
                       f"'{other['says']}' is not among the listed answers.", answerable=False,
                       absent=[(0, [other["says"]])]))
    for q in qs:
        q.gold_page = 0 if q.answerable else None
    sections = [Section("cols", left, right)]
    if rng.random() < 0.5:
        sections = [Section("flow", left + right)]
    return KindOutput([PageDraft(t1["heading"][0], sections)], qs)
