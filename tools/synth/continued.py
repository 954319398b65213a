"""Continued pages: a zone profile whose last sentence is cut at the foot of page N and finished at
the top of page N+1 (whose first line has no indent), the figure printed after the cut."""
from __future__ import annotations

from tools.synth.context import Ctx
from tools.synth.layout import Block, Section
from tools.synth.model import KindOutput, PageDraft, Question
from tools.synth.profile import build_profile
from tools.synth.vocab import load, pick, template

KIND = "continued"


def build(ctx: Ctx) -> KindOutput:
    rng = ctx.rng
    qs: list[Question] = []
    blocks, info = build_profile(ctx, qs)
    for q in qs:
        q.gold_page = 0 if q.answerable else None
    city, via = info["cities"][1].en, info["cities"][2].en
    project = info["projects"][0][0]
    d = rng.randint(60, 900)
    sentence = pick(rng, load("profiles")["text"]["continuation"]).format(project=project, city=city, d=d, via=via)
    words = sentence.split()
    cut = next(i for i, w in enumerate(words) if w == str(d)) - rng.randint(1, 3)  # cut before the figure
    head, tail = " ".join(words[:cut]), " ".join(words[cut:])
    lead = ctx.filler(rng.randint(1, 2), info["ref"])
    blocks.append(Block("p", " ".join(lead + [head]), cut=True, gap=0))
    page2 = [Block("pc", " ".join([tail] + ctx.filler(rng.randint(1, 2), info["ref"]))),
             Block("h", pick(rng, ["Outlook", "Summary", "Opportunities for members"])),
             Block("p", " ".join(ctx.filler(rng.randint(3, 5), info["ref"]))),
             Block("p", " ".join(ctx.filler(rng.randint(2, 4), info["ref"])))]
    qs.append(Question("continuation", template(rng, "continuation", "shorter", city=city, project=project),
                       [[f"{d} km", f"{d} kilometres", f"{d} kilometers"]], sentence,
                       "The sentence starts at the foot of the previous page; the figure is printed on this one.",
                       gold_page=1))
    qs.append(Question("continuation", template(rng, "continuation", "via", city=city), [[via]], sentence,
                       f"Same page-break sentence; {city} (first half) is the wrong answer.", gold_page=1))
    return KindOutput([PageDraft("profile", [Section("flow", blocks)]), PageDraft("profile", [Section("flow",
                                                                                                      page2)])], qs)
