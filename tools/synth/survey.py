"""Survey findings in prose: shares of respondents, year-on-year changes in percentage points,
group comparisons ("American companies" against "European companies"), ranks ("followed by") and medians."""
from __future__ import annotations

from tools.synth.context import Ctx, share_phrase
from tools.synth.layout import Block, Section
from tools.synth.names import Name
from tools.synth.model import KindOutput, PageDraft, Question, pct_alts, points_alts
from tools.synth.vocab import cap, load, pick, template

KIND = "survey"


def _distinct_shares(ctx: Ctx, n: int, lo: int = 8, hi: int = 79) -> list[int]:
    out: list[int] = []
    while len(out) < n:
        v = ctx.rng.randint(lo, hi)
        if all(abs(v - o) > 1 for o in out):
            out.append(v)
    return out


def scoped(pop: dict, where: Name) -> dict:
    """A population of one city's survey: "participating companies in Lanqiao", "岚桥受访企业"."""
    return {"says": f"{pop['says']} in {where.en}", "asks": [f"{a} in {where.en}" for a in pop["asks"]],
            "zh": f"{where.zh}{pop['zh']}"}


def build(ctx: Ctx) -> KindOutput:
    rng, y = ctx.rng, ctx.year
    sv = load("survey")
    topic = pick(rng, sv["topic"])
    base_pop = pick(rng, sv["population"])
    where = ctx.names(4)[3]  # the survey's city: a figure is about companies in one place, unique to the page
    pop = scoped(base_pop, where)
    items = list(topic["items"])
    rng.shuffle(items)
    main, second, third = items[0], items[1], items[2]
    v1, v0, va, vb, r1, r2, r3, vmed, v3 = _distinct_shares(ctx, 9)
    r1, r2, r3 = sorted((r1, r2, r3), reverse=True)
    words = sv["number_words"]
    qs: list[Question] = []
    pop_q = pick(rng, pop["asks"])
    ask = main["asks"][0]

    # headline: a share and its change on the year before (in points, or both figures printed)
    d = ctx.rng.randint(1, 9)
    v0 = max(3, v1 - d) if rng.random() < 0.5 else v1 + d
    d = abs(v1 - v0)
    more = "more" if v1 > v0 else "fewer"
    both_printed = rng.random() < 0.5
    if both_printed:
        s1 = (f"{cap(share_phrase(v1, sv['share_words']))} of {pop['says']} {main['says']} in {y}, "
              f"compared with {v0}% in {y - 1}.")
    else:
        dw = words[d] if d < len(words) else str(d)
        s1 = (f"{cap(share_phrase(v1, sv['share_words']))} of {pop['says']} {main['says']} in {y}, "
              f"{dw} percentage point{'s' if d != 1 else ''} {more} than in {y - 1}.")
    fig_q = template(rng, "survey", "share", pop=pop_q, ask=ask, year=y)
    qs.append(Question("figure", fig_q, [pct_alts(f"{v1}%")], s1,
                       f"Headline share for {y}; the {y - 1} level is the distractor."))
    if both_printed:
        qs.append(Question("change", template(rng, "survey", "change", pop=pop_q, ask=ask, year=y, prev=y - 1),
                           [pct_alts(f"{v0}%"), pct_alts(f"{v1}%")], s1,
                           f"Both figures are printed; expected delta {'up' if v1 > v0 else 'down'} {d} "
                           "percentage points."))
        qs.append(Question("followup", template(rng, "survey", "prev", prev=y - 1), [pct_alts(f"{v0}%")], s1,
                           f"Resolves to the same share in {y - 1}.", history=[fig_q]))
    else:
        qs.append(Question("change", template(rng, "survey", "change", pop=pop_q, ask=ask, year=y, prev=y - 1),
                           [points_alts(d, words)], s1,
                           f"The change is stated in points ({'up' if v1 > v0 else 'down'}); the {y - 1} share "
                           "is not printed."))

    # group comparison on another item
    (ga, gb) = pick(rng, sv["groups"])
    if va == vb:
        vb += 2
    s2 = (f"In {where.en}, {ga[0]} were {'more' if va > vb else 'less'} likely than {gb[0]} to say they "
          f"{second['says']}: {va}% against {vb}%.")
    if rng.random() < 0.5:
        s2 = f"In {where.en}, {va}% of {ga[0]} {second['says']}, compared with {vb}% of {gb[0]}."
    win = ga if va > vb else gb
    qs.append(Question("comparison", template(rng, "survey", "compare", ask=second["asks"][0],
                                              a=f"{ga[1]} in {where.en}", b=gb[1]),
                       [[win[0], win[1]], pct_alts(f"{max(va, vb)}%")], s2,
                       f"{ga[0]} {va}% against {gb[0]} {vb}%; the answer names the larger group and its figure."))
    qs.append(Question("paraphrase", template(rng, "survey", "paraphrase", pop=f"{ga[1]} in {where.en}",
                                              ask=pick(rng, second["asks"][1:])),
                       [pct_alts(f"{va}%")], s2,
                       f"Worded away from the page ('{second['says']}'); {vb}% is the other group."))

    # rank of cities for a third item
    cities = ctx.names(3)
    s3 = (f"Within {where.en}, the share of {base_pop['says']} that {third['says']} was highest in the {cities[0].en} "
          f"district ({r1}%), followed by {cities[1].en} ({r2}%) and {cities[2].en} ({r3}%).")
    qs.append(Question("fact", template(rng, "survey", "rank", rank=sv["rank_words"][1], pop=base_pop["asks"][0],
                                        ask=third["asks"][0], where=where.en),
                       [[cities[1].en, cities[1].ascii], pct_alts(f"{r2}%")], s3,
                       f"Second after {cities[0].en} ({r1}%)."))
    qs.append(Question("comparison", template(rng, "survey", "top", pop=base_pop["asks"][0], ask=third["asks"][-1],
                                              where=where.en),
                       [[cities[0].en, cities[0].ascii]], s3, f"Highest of the three districts at {r1}%."))

    # a median
    med = pick(rng, sv["medians"])
    vm = f"{rng.randint(2, 14)}.{rng.randint(0, 9)}%"
    s4 = f"Companies in {where.en} that gave a figure expect a median {med['says']} of {vm} in {y + 1}."
    qs.append(Question("figure", template(rng, "survey", "median", ask=pick(rng, med["asks"]), pop=pop_q),
                       [pct_alts(vm)], s4, "A median, stated once."))

    # a Chinese question about the English page
    qs.append(Question("crosslingual", template(rng, "crosslingual", "share", year=y, pop=pop["zh"], zh=main["zh"]),
                       [pct_alts(f"{v1}%")], s1, "Chinese question about the English text."))

    # near misses
    gone = y - rng.randint(6, 9)
    qs.append(Question("unanswerable", template(rng, "survey", "not_year", pop=pop_q, ask=ask, year=gone), [], None,
                       f"Year not covered: the page gives {y - 1} and {y} only.", answerable=False,
                       absent=[(0, [str(gone)])]))
    others = [g for pair in sv["groups"] for g in pair if g not in (ga, gb)]
    og = pick(rng, others)
    qs.append(Question("unanswerable", template(rng, "survey", "not_group", group=f"{og[1]} in {where.en}",
                                                ask=second["asks"][0]), [], None,
                       f"The page gives {second['says']} for {ga[0]} and {gb[0]} only, not for {og[0]}.",
                       answerable=False, absent=[(0, [og[0], og[1]])]))
    wrong = v1 + 7 if v1 < 70 else v1 - 11
    while wrong in (v0, va, vb, r1, r2, r3):
        wrong += 1
    qs.append(Question("unanswerable", template(rng, "survey", "false_premise", pop=pop_q, ask=ask, wrong=f"{wrong}%"),
                       [], None, f"False premise: the share is {v1}%, not {wrong}%.", answerable=False,
                       absent=[(0, [f"{wrong}%"])]))

    paras = [[s1] + ctx.filler(1), [s2], [s3] + ctx.filler(rng.randint(0, 1)), [s4]]
    rng.shuffle(paras)
    blocks = [Block("h", f"{pick(rng, topic['heading'])}: {where.en}")]
    for i, p in enumerate(paras):
        blocks.append(Block("p", " ".join(p)))
        if i == 1 and rng.random() < 0.5:
            blocks.append(Block("h2", pick(rng, topic["heading"][::-1])))
    blocks.append(Block("p", " ".join(ctx.filler(rng.randint(2, 4)))))
    for q in qs:
        q.gold_page = 0 if q.answerable else None
    return KindOutput([PageDraft(topic["heading"][0], [Section("flow", blocks)])], qs)
