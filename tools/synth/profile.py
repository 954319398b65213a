"""Regional and zone profiles: establishment date, area in km² with its sub-areas, GDP in RMB billion
with growth, counts, priority industries, planned vs built projects, a footnote with a URL."""
from __future__ import annotations

from tools.synth.context import Ctx
from tools.synth.layout import Block, Section
from tools.synth.model import KindOutput, PageDraft, Question, pct_alts
from tools.synth.vocab import cap, load, pick, template

KIND = "profile"


def km2(v: str) -> list[str]:
    n = v.replace(" km²", "")
    return [f"{n} km²", f"{n} km2", f"{n} square kilometres", f"{n} sq km"]


def rmb(v: str) -> list[str]:
    return [f"RMB{v} billion", f"RMB {v} billion", f"{v} billion", f"RMB{v}bn"]


def build_profile(ctx: Ctx, qs: list[Question]) -> tuple[list[Block], dict]:
    """The profile's blocks (one flow) and what a continuation needs to know about the zone."""
    rng, y = ctx.rng, ctx.year
    pv = load("profiles")
    t = pv["text"]
    names = ctx.names(5)
    suffix, ref, _, code = pick(rng, load("names")["zone"]["suffixes"])
    zone = f"{names[0].en} {suffix}"
    zone_ascii = f"{names[0].ascii} {suffix}"
    n = rng.randint(2, 4)
    subs = [f"{nm.en} {load('names')['zone']['area_word']}" for nm in names[1:1 + n]]
    sub_areas = [round(rng.uniform(8, 160), 2) for _ in subs]
    area = f"{sum(sub_areas):,.2f}"
    month = pick(rng, pv["months"])
    est = rng.randint(y - 30, y - 4)
    gdp = f"{rng.uniform(12, 980):,.1f}"
    growth = f"{rng.uniform(1.2, 14.8):.1f}"
    count = f"{rng.randint(150, 48000):,}"
    noun, noun_q = pick(rng, pv["counts"])
    inds = rng.sample(range(len(pv["industries"])), 3)
    ind = [pv["industries"][i] for i in inds]
    fn = ctx.next_fn()
    abbr = (names[0].ascii[:3] + code).lower()
    url = pick(rng, [f"http://www.{abbr}.gov.cn/", f"https://{abbr}.english.gov.cn/index.html",
                     f"{abbr.upper()}, https://www.{abbr}.gov.cn/"])
    s_open = pick(rng, t["opening"]).format(zone=zone, month=month, est=est, area=area + " km²",
                                            n=load("survey")["number_words"][n])
    s_open = s_open.replace(f"{area} km² km²", f"{area} km²")
    listed = ", ".join(f"{s} ({a:,.2f} km²)" for s, a in zip(subs[:-1], sub_areas[:-1]))
    listed += f" and {subs[-1]} ({sub_areas[-1]:,.2f} km²)"
    s_areas = pick(rng, t["areas"]).format(list=listed)
    s_gdp = pick(rng, t["gdp"]).format(ref=ref, Ref=cap(ref), year=y, gdp=gdp, growth=growth)
    s_count = pick(rng, t["count"]).format(year=y, count=count, noun=noun, ref=ref, Ref=cap(ref))
    s_focus = pick(rng, t["focus"]).format(Ref=cap(ref), ind1=ind[0], ind2=ind[1], ind3=ind[2])
    projects = rng.sample(pv["projects"], 3)
    statuses = [pick(rng, pv["statuses"]) for _ in projects]
    if all(s[1] for s in statuses):
        statuses[-1] = pv["statuses"][3]
    bullets = [f"{cap(p[0])}: {s[0]}" for p, s in zip(projects, statuses)]

    qs.append(Question("figure", template(rng, "profile", "area", place=zone), [km2(area)], s_open,
                       "Total of the sub-areas."))
    qs.append(Question("fact", template(rng, "profile", "established", place=zone), [[f"{month} {est}", str(est)]],
                       s_open,
                       "Month and year of establishment."))
    qi = rng.randrange(n)
    qs.append(Question("figure", template(rng, "profile", "sub_area", sub=subs[qi], place=zone),
                       [km2(f"{sub_areas[qi]:,.2f}")], s_areas, "One sub-area; the total is the distractor."))
    qs.append(Question("list", template(rng, "profile", "list_sub", place=zone), [[s] for s in subs], s_areas,
                       f"{n} areas."))
    gq = template(rng, "profile", "gdp", place=zone, year=y)
    qs.append(Question("figure", gq, [rmb(gdp)], s_gdp, f"GDP {y}; growth {growth}% in the same sentence."))
    qs.append(Question("figure", template(rng, "profile", "growth", place=zone, year=y), [pct_alts(f"{growth}%")],
                       s_gdp,
                       "Growth rate in the GDP sentence."))
    qs.append(Question("followup", template(rng, "profile", "follow_size"), [km2(area)], s_open,
                       f"'it' is {zone} from the previous question.", history=[gq]))
    qs.append(Question("figure", template(rng, "profile", "count", count_q=noun, place=zone),
                       [[count, count.replace(",", "")]], s_count, f"Count of {noun}."))
    qs.append(Question("paraphrase", template(rng, "profile", "count", count_q=noun_q, place=zone_ascii),
                       [[count, count.replace(",", "")]], s_count, f"'{noun_q}' for the printed '{noun}'."))
    qs.append(Question("list", template(rng, "profile", "list_ind", place=zone), [[i] for i in ind], s_focus,
                       "Three priority industries."))
    pi = rng.randrange(3)
    qs.append(Question("fact", template(rng, "profile", "status", project=projects[pi][0], place=zone),
                       [[statuses[pi][0].split(",")[0]]], f"• {bullets[pi]}", "Planned vs built."))
    qs.append(Question("paraphrase", f"How much land does {zone_ascii} take up in total?", [km2(area)], s_open,
                       "Area asked without the word 'area' and the name without its apostrophe."))
    # near misses
    miss = pick(rng, pv["missing"])
    qs.append(Question("unanswerable", template(rng, "profile", "not_metric", metric=miss, place=zone), [], None,
                       f"The profile gives no {miss}.", answerable=False, absent=[(0, [miss])]))
    ghost = ctx.unseen_name()
    gz = f"{ghost.en} {suffix}"
    qs.append(Question("unanswerable", template(rng, "profile", "not_place", place=gz, year=y), [], None,
                       f"{gz} is not profiled anywhere in the report.", answerable=False,
                       absent=[(None, [ghost.en, ghost.ascii])]))
    gone = y - rng.randint(1, 3)
    if gone != est:
        qs.append(Question("unanswerable", template(rng, "profile", "not_year", place=zone, year=gone), [], None,
                           f"GDP is given for {y} only.", answerable=False, absent=[(0, [str(gone)])]))
    planned = [i for i, s in enumerate(statuses) if not s[1]]
    if planned:
        p = projects[planned[0]][0]
        qs.append(Question("unanswerable", template(rng, "profile", "false_done", project=p, place=zone), [], None,
                           f"False premise: the {p} is {statuses[planned[0]][0]}, not completed.", answerable=False,
                           absent=[(0, [f"{p}: completed", f"{p}: in operation"])]))
    outlook = pick(rng, t["outlook"]).format(ind1=ind[0], ind2=ind[1], ref=ref)
    blocks = [Block("h", pick(rng, t["sections"])),
              Block("h2", zone, fn=fn, note=f"{fn}  {url}"),
              Block("p", " ".join([s_open, s_areas] + ctx.filler(rng.randint(0, 1), ref))),
              Block("p", " ".join([s_gdp, s_count])),
              Block("p", " ".join([s_focus] + ctx.filler(rng.randint(1, 2), ref))),
              Block("p", pick(rng, t["status_lead"]), gap=1)]
    blocks += [Block("b", b) for b in bullets]
    blocks.append(Block("p", " ".join([outlook] + ctx.filler(rng.randint(1, 3), ref))))
    return blocks, {"zone": zone, "ref": ref, "projects": projects, "cities": names}


def build(ctx: Ctx) -> KindOutput:
    qs: list[Question] = []
    blocks, _ = build_profile(ctx, qs)
    for q in qs:
        q.gold_page = 0 if q.answerable else None
    codec = "latin1" if ctx.rng.random() < 0.25 else "latin2"
    return KindOutput([PageDraft("profile", [Section("flow", blocks)], codec=codec)], qs)
