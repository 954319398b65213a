"""Synthetic two-column business report generator (text export style and real PDF).

The text pages mimic ``pdftotext -layout`` output of the real corpus (see
``corpus/page-156.txt``): header, interleaved justified columns, superscript
``2`` rows under ``km``, mis-decoded apostrophes, ``?`` bullets, footnotes,
footer page numbers and a navigation row. Every page carries a few known
facts (question, exact answer, sentence) for retrieval evaluation.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

DEFAULT_TITLE = "Meridian Chamber 2031 Special Report on the State of Business in the Southern Delta"

LEFT_COL = 11  # column where the left column's text starts
COL_MAX = 54  # hard limit of a column line (chars, relative to the column)
JUSTIFY_MAX = 49  # justified lines never grow past this
RIGHT_BASE = (61, 63)  # per-page range of the right column's usual start
FOOTER_WIDTH = 233
MOJIBAKE_QUOTE = "ĄŻ"  # U+2019 as GBK bytes A1 AF read as ISO-8859-2
NBSP = "\xa0"


@dataclass
class Fact:
    """One checkable fact printed on a page."""

    page: int
    place: str
    kind: str
    question: str
    answer: str
    sentence: str


# --------------------------------------------------------------------------- places

_S1 = (
    "Lan Qiao Hu Gui Xi Song Jin Lin He Bai Chang Dong Fu Guang Hong Jia Kai Long Ming Nan "
    "Ping Qing Rui Shan Tai Wen Xing Yang Yun Zhen Bao Cheng Da Feng Gao Hai Jing Liu Mei Ning "
    "Pu Qian Rong Sha Tian Wu Xia Yong Zhu Chun Du Gu Heng Ji Lu Mao Nie Pan Shu Teng"
).split()
_S2 = (
    "xi bei nan dong shan he ling tang yuan zhou ping cheng qiao feng tai hu sha men gang kou "
    "lin yang jiang pu tian hai du ning chuan ze shui ye gao xing zhuang qi long hua mu bo zhai "
    "wan tou cun fang li ma hong sen quan rui tong wei xu ying an ou ai ao en e ang er a o"
).split()
_SUFFIXES: tuple[tuple[str, str, str], ...] = (
    # (suffix, short reference, abbreviation code)
    ("New Area", "the new area", "xq"),
    ("High-tech Zone", "the zone", "gxq"),
    ("Economic Development Zone", "the zone", "jkq"),
    ("Industrial Park", "the park", "yq"),
    ("Free Trade Zone", "the zone", "ftz"),
    ("Bonded Zone", "the zone", "bsq"),
    ("Science City", "the city", "kxc"),
    ("Digital Valley", "the valley", "szg"),
    ("Innovation District", "the district", "cxq"),
    ("Port Area", "the port area", "gq"),
    ("Comprehensive Pilot Zone", "the pilot zone", "syq"),
    ("Technology Park", "the park", "kjy"),
)
PLACES_PER_PAGE = 3


def _stem(s1: str, s2: str) -> str:
    return s1 + ("’" if s2[0] in "aeo" else "") + s2


@lru_cache(maxsize=1)
def _place_table() -> tuple[tuple[str, str, str], ...]:
    """All distinct (name, short reference, footnote) triples, sorted."""
    out: dict[str, tuple[str, str, str]] = {}
    for s1 in _S1:
        for s2 in _S2:
            stem = _stem(s1, s2)
            plain = stem.replace("’", "").lower()
            abbr = s1[0] + s2[0] if s2[0] not in "aeo" else s1[:2]
            for suffix, ref, code in _SUFFIXES:
                name = f"{stem} {suffix}"
                ab = (abbr + code).lower()
                if (len(s1) + len(s2)) % 2:
                    note = f"{ab.upper()}, https://www.{ab}.gov.cn/"
                else:
                    note = f"http://{ab}.english.{plain}.gov.cn/index.html"
                out.setdefault(name, (name, ref, note))
    return tuple(out[k] for k in sorted(out))


def max_pages() -> int:
    """Largest report size with globally unique place names."""
    return len(_place_table()) // PLACES_PER_PAGE


def place_for(page: int, slot: int, seed: int = 0) -> tuple[str, str, str]:
    """Unique (name, reference, footnote) for a page's place slot (0..2)."""
    table = _place_table()
    n = len(table)
    if page < 1 or page > max_pages():
        raise ValueError(f"page {page} outside 1..{max_pages()}")
    a, b = _perm(seed, n)
    k = (page - 1) * PLACES_PER_PAGE + slot
    return table[(a * k + b) % n]


@lru_cache(maxsize=8)
def _perm(seed: int, n: int) -> tuple[int, int]:
    """Coefficients of the affine permutation k -> (a*k + b) mod n."""
    r = random.Random(f"perm:{seed}")
    a = r.randrange(n // 3, n)
    while math.gcd(a, n) != 1:
        a += 1
    return a, r.randrange(n)


# --------------------------------------------------------------------------- fact kinds

_INDUSTRIES = (
    "biopharmaceutical", "new energy vehicle", "electronic information", "high-end equipment manufacturing",
    "advanced materials", "semiconductor packaging", "smart home appliance", "marine engineering",
    "green food processing", "aerospace components", "photovoltaic", "medical device",
)
_FACILITIES = (
    "e-commerce eco-city", "logistics park", "innovation campus", "bonded warehouse zone",
    "cold-chain logistics hub", "cross-border trade centre", "talent apartment complex",
)


def _n(rng: random.Random, lo: int, hi: int) -> str:
    return f"{rng.randint(lo, hi):,}"


def _mk_planned_area(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = f"{_n(rng, 120, 2900)} km²"
    s = rng.choice((
        f"{p} has a planned area of {a} and is a core platform of the provincial economic zone.",
        f"Located between {_city(rng)} and {_city(rng)}, {p} has a planned area of {a}.",
        f"With a planned area of {a}, {p} is one of the largest development platforms in the province.",
    ))
    return [("planned_area", f"What is the planned area of {p}?", a)], s


def _mk_admin_area(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = f"{_n(rng, 40, 900)} km²"
    s = rng.choice((
        f"The directly administered area of {p} covers {a}.",
        f"{p} has a directly administered area of {a}, which hosts most of its industrial projects.",
    ))
    return [("administered_area", f"How large is the directly administered area of {p}?", a)], s


def _mk_gdp(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    y = rng.randint(2021, 2025)
    a = f"RMB{rng.uniform(5, 480):.2f} billion"
    g = f"{rng.uniform(1.5, 24.9):.1f}%"
    s = rng.choice((
        f"In {y}, the GDP of {p} reached {a}, marking a growth of {g}, ranking among the top national-level platforms.",
        f"The GDP of {p} reached {a} in {y}, a year-on-year increase of {g}.",
    ))
    return [
        ("gdp", f"What was the GDP of {p} in {y}?", a),
        ("gdp_growth", f"By what percentage did the GDP of {p} grow in {y}?", g),
    ], s


def _mk_established(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = str(rng.randint(1988, 2021))
    s = rng.choice((
        f"Established in {a} with the approval of the State Council, {p} is a core area of regional innovation.",
        f"{p} was established in {a} and has since become a national-level development platform.",
    ))
    return [("established", f"In which year was {p} established?", a)], s


def _mk_data_centers(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = str(rng.randint(6, 95))
    s = rng.choice((
        f"So far, {p} has attracted {a} large-scale data centers and a growing number of cloud service providers.",
        f"{p} is home to {a} large-scale data centers serving users across the country.",
    ))
    return [("data_centers", f"How many large-scale data centers has {p} attracted?", a)], s


def _mk_racks(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = f"{rng.uniform(0.2, 4.8):.1f} million"
    s = f"The data centers in {p} have over {a} planned standard racks."
    return [("racks", f"How many standard racks are planned in {p}?", a)], s


def _mk_computing(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = f"{rng.randint(8, 240)} EFLOPS"
    s = f"The total computing power of {p} exceeds {a}, most of it dedicated to intelligent computing."
    return [("computing_power", f"What is the total computing power of {p}?", a)], s


def _mk_park_area(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    ind = rng.choice(_INDUSTRIES)
    a = f"{rng.randint(3, 60)} km²" if rng.random() < 0.6 else f"{rng.uniform(2, 19.9):.1f} km²"
    s = rng.choice((
        f"A {a} {ind} industrial park is planned in {p}.",
        f"The new {ind} industrial park in {p} has a planned area of {a}.",
    ))
    return [("industrial_park_area", f"How large is the {ind} industrial park planned in {p}?", a)], s


def _mk_hectares(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    fac = rng.choice(_FACILITIES)
    a = f"{_n(rng, 12, 1850)} hectares"
    s = f"A planned {fac} in {p} will span {a}."
    return [("facility_area", f"How large will the planned {fac} in {p} be?", a)], s


def _mk_investment(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    y = rng.randint(2021, 2025)
    a = f"RMB{rng.randint(2, 180)} billion" if rng.random() < 0.6 else f"RMB{rng.uniform(1, 90):.1f} billion"
    s = rng.choice((
        f"In {y}, {p} attracted total investment of {a}.",
        f"Total investment attracted by {p} in {y} amounted to {a}.",
    ))
    return [("investment", f"How much investment did {p} attract in {y}?", a)], s


def _mk_employees(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = _n(rng, 1200, 98000)
    s = f"Enterprises in {p} employ more than {a} people."
    return [("employees", f"How many people are employed by enterprises in {p}?", a)], s


def _mk_enterprises(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = _n(rng, 150, 9800)
    s = f"{p} is home to {a} registered enterprises, including many foreign-invested companies."
    return [("enterprises", f"How many registered enterprises are there in {p}?", a)], s


def _mk_market(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    ind = rng.choice(_INDUSTRIES)
    a = f"RMB{rng.randint(20, 500)} billion"
    s = f"The {ind} cluster in {p} has a market potential of over {a}."
    return [("market_potential", f"What is the market potential of the {ind} cluster in {p}?", a)], s


def _mk_capacity_growth(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = f"{rng.randint(40, 450)}%"
    s = f"Since its inception, the computing capacity of {p} has surged by {a}."
    return [("capacity_growth", f"By how much has the computing capacity of {p} grown since its inception?", a)], s


def _mk_exports(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    y = rng.randint(2021, 2025)
    a = f"US${rng.uniform(0.3, 48):.1f} billion"
    s = f"In {y}, exports from {p} reached {a}."
    return [("exports", f"What was the value of exports from {p} in {y}?", a)], s


def _mk_population(rng: random.Random, p: str, ref: str) -> tuple[list[tuple[str, str, str]], str]:
    a = f"{rng.uniform(0.08, 3.9):.2f} million"
    s = f"{p} has a resident population of {a}."
    return [("population", f"What is the resident population of {p}?", a)], s


_KIND_MAKERS: tuple[Callable[[random.Random, str, str], tuple[list[tuple[str, str, str]], str]], ...] = (
    _mk_planned_area, _mk_admin_area, _mk_gdp, _mk_established, _mk_data_centers, _mk_racks, _mk_computing,
    _mk_park_area, _mk_hectares, _mk_investment, _mk_employees, _mk_enterprises, _mk_market,
    _mk_capacity_growth, _mk_exports, _mk_population,
)
# bullet lead per fact kind (None: plain paragraph; "@ind"/"@fac": derived from the sentence)
_KIND_LEADS: dict[str, str | None] = {
    "data_centers": "Big data industry", "racks": "Big data industry", "computing_power": "Computing power",
    "industrial_park_area": "@ind", "facility_area": "@fac", "market_potential": "@ind",
    "capacity_growth": "Big data industry", "exports": "Foreign trade",
}


def _lead_for(spec: str | None, sentence: str) -> str | None:
    if spec == "@ind":
        for ind in _INDUSTRIES:
            if ind in sentence:
                return f"{ind[0].upper()}{ind[1:]} industry"
        return None
    if spec == "@fac":
        for fac in _FACILITIES:
            if fac in sentence:
                return {"e-commerce eco-city": "E-commerce industry"}.get(fac, "Modern logistics and services")
        return None
    return spec


def _page_facts(page: int, seed: int) -> list[Fact]:
    """The 3-6 facts of a page, grouped by place (1-3 places)."""
    rng = random.Random(f"facts:{seed}:{page}")
    n_facts = rng.randint(3, 6)
    n_places = rng.randint(1, min(PLACES_PER_PAGE, n_facts))
    counts = [1] * n_places
    for _ in range(n_facts - n_places):
        counts[rng.randrange(n_places)] += 1
    out: list[Fact] = []
    for slot, want in enumerate(counts):
        place, ref, _ = place_for(page, slot, seed)
        order = list(range(len(_KIND_MAKERS)))
        rng.shuffle(order)
        got = 0
        for idx in order:
            if got >= want:
                break
            triples, sentence = _KIND_MAKERS[idx](rng, place, ref)
            if got + len(triples) > want:
                continue
            out.extend(Fact(page, place, k, q, a, sentence) for k, q, a in triples)
            got += len(triples)
    return out


def make_facts(n_pages: int, *, seed: int = 0, start_page: int = 1) -> list[list[Fact]]:
    """Facts per page for pages start_page..start_page+n_pages-1."""
    return [_page_facts(p, seed) for p in range(start_page, start_page + n_pages)]


# --------------------------------------------------------------------------- filler text

_FIC_CITIES = (
    "Yunqiao", "Hanbei", "Lishan", "Taoping", "Songhe", "Fenglin", "Qingxu", "Baimen",
    "Jiangtou", "Meizhou", "Ruiyang", "Anhua", "Zhenkou", "Pingdu", "Xiaolan", "Hongtang",
)
_F = {
    "ind": ("big data", "cloud computing", "artificial intelligence", "data annotation", "modern logistics",
            "biomedicine", "green energy", "cultural tourism", "smart manufacturing", "digital content",
            "new materials", "health care", "cross-border e-commerce", "agricultural processing"),
    "asset": ("its robust computing infrastructure", "a favourable ecological environment", "abundant hydropower",
              "a dense high-speed rail network", "its rich cultural and natural resources",
              "a mature supply chain", "a large pool of skilled workers", "its position on the western corridor"),
    "trend": ("digital transformation", "green and low-carbon development", "industrial upgrading",
              "the integration of manufacturing and services", "the opening-up of the service sector"),
    "service": ("personnel services", "testing and certification", "intellectual property protection",
                "supply chain finance", "technology transfer", "talent training"),
    "resource": ("Chinese herbal medicine", "mineral resources", "forestry", "tea plantations", "clean energy"),
    "prod": ("chemical pharmaceuticals", "medical instruments", "battery modules", "optical fibres", "drones",
             "precision moulds", "lithium materials", "industrial robots", "smart terminals", "auto parts"),
    "fac": ("entertainment venues", "talent apartments", "international schools", "exhibition centres",
            "customs inspection sites", "shared laboratories"),
    "issue": ("rising labour costs", "uncertain external demand", "regulatory unpredictability",
              "slow payment cycles", "access to skilled talent", "intense local competition"),
    "policy": ("tax incentives for high-tech enterprises", "subsidies for research and development",
               "preferential land-use terms", "one-stop government services"),
    "thing": ("nationwide computing power hub", "regional logistics gateway", "green industrial cluster",
              "innovation corridor", "cross-border trade platform"),
}
_FILLER = (
    "{Ref} is accelerating the development of its {ind} industry, "
    "attracting enterprises specializing in {ind2} and {ind3}.",
    "Relying on {asset}, {ref} is driving {trend} across industries.",
    "The government will support the development of specialized industrial parks in {ind}, {ind2} and {ind3}.",
    "It will also provide support for {service}, development environments "
    "and technical innovation tools in these parks.",
    "{Ref} relies on the resource advantages of {resource} to develop {ind}.",
    "The park focuses on the manufacturing of {prod}, {prod2} and {prod3}.",
    "Complemented by {fac} and other supporting facilities, {ref} will form a complete {ind} ecosystem.",
    "With the launch of several flagship projects, the first stage standard factory of {ref} has been completed.",
    "{Ref}’s {ind} sector has become one of the region’s most important engines of growth.",
    "The local authorities have introduced measures to reduce the cost of {service} "
    "for small and medium-sized enterprises.",
    "Enterprises in {ref} benefit from streamlined approval procedures and {policy}.",
    "In recent years, {ref} has focused on building a {thing}.",
    "Foreign-invested companies account for a growing share of {ref}’s {ind} output.",
    "The {ind} sector is expected to remain a priority of the local government over the next five years.",
    "Survey respondents in the region cite {issue} as the main challenge for their operations.",
    "Members of the Chamber report that {issue} continues to weigh on investment decisions.",
    "The government plans to optimize the operating efficiency of {fac} and promote {trend}.",
    "It will bring together advanced {ind} service agencies introduced from {city} and cluster enterprises in {ind2}.",
    "The {thing} links {city} with {city2} and the wider region.",
    "Companies surveyed expect {trend} to create new opportunities for foreign businesses in {ind}.",
    "The health care industry focuses on ecological culture tourism, ecological real estate and green food.",
    "Local officials say the priority is to promote the training and adaptation "
    "of big models and attract global users.",
    "{Ref} also encourages cooperation between universities and enterprises in {ind} and {ind2}.",
    "Such measures are intended to improve the business environment and strengthen investor confidence.",
    "The local government has set up a special fund to support {ind} start-ups and {service}.",
    "Several multinational companies have established regional headquarters in {ref}, drawn by {asset}.",
    "A new rail link to {city} is expected to shorten freight times for {prod} producers.",
    "The {thing} is designed to attract investment in {ind} and {ind2} from overseas.",
    "Respondents based in {city} were more optimistic about revenue growth than those elsewhere in the region.",
    "Local universities supply graduates in engineering, finance and {ind}, easing recruitment pressure.",
    "{Ref} has also introduced pilot programmes for {service} and cross-border data flows.",
    "Industrial land prices in {ref} remain lower than in coastal cities, an advantage for {prod} makers.",
    "Most companies in the survey plan to maintain or increase their investment in {ref} next year.",
    "The chamber continues to engage with local officials on {issue} and market access.",
    "Exporters of {prod} and {prod2} have benefited from faster customs clearance at the {thing}.",
    "A one-stop service centre handles business registration, permits and {service} for investors.",
    "The development of {ind} is closely linked to the region’s strategy for {trend}.",
    "Logistics companies have expanded warehousing capacity to serve producers of {prod}.",
    "Firms in {ind} said that {issue} was their largest operational concern this year.",
    "{Ref} works with neighbouring {city} to coordinate infrastructure planning and {trend}.",
    "Its science park hosts research institutes focusing on {ind}, {ind2} and {ind3}.",
    "Demand for {prod} from domestic customers rose steadily, according to member companies.",
    "Local authorities aim to double the output of the {ind} sector within the planning period.",
    "The area’s leaders have prioritized {trend} as well as the upgrading of traditional industries.",
    "A growing number of start-ups in {ind} have moved from {city} to benefit from lower operating costs.",
    "Public transport links between the industrial parks and the city centre of {city} have been improved.",
)
_FILLER_LEADS = (
    "Promoting the construction of industrial parks", "Supporting the use of universal and easy-to-use computing power",
    "Health care industry", "Cultural tourism industry", "Modern logistics industry", "Green food industry",
    "Talent services", "Digital trade", "New energy industry", "Advanced materials industry",
    "Improving the business environment", "Strengthening innovation capacity",
)
_GENERIC_REFS = ("the area", "the region", "the province", "the city")
_SECTIONS = (
    "Special economic zones", "Industrial parks", "Development zones", "Key platforms",
    "Regional highlights", "Investment environment", "Digital economy",
)


def _city(rng: random.Random) -> str:
    return rng.choice(_FIC_CITIES)


@lru_cache(maxsize=1)
def _filler_fields() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(template, field names) of every filler template."""
    import string

    fmt = string.Formatter()
    return tuple((t, tuple(dict.fromkeys(f for _, f, _, _ in fmt.parse(t) if f))) for t in _FILLER)


def _pick(rng: random.Random, opts: Sequence[str]) -> str:
    return opts[int(rng.random() * len(opts))]


def _filler_sentence(rng: random.Random, ref: str, seen: set[str] | None = None) -> str:
    """A random filler sentence; templates in seen are avoided (and recorded)."""
    t, fields = _pick(rng, _filler_fields())  # type: ignore[arg-type]
    if seen is not None:
        for _ in range(6):
            if t not in seen:
                break
            t, fields = _pick(rng, _filler_fields())  # type: ignore[arg-type]
        seen.add(t)
    vals: dict[str, str] = {}
    for f in fields:
        if f == "ref":
            vals[f] = ref
        elif f == "Ref":
            vals[f] = ref[0].upper() + ref[1:]
        else:
            key = f.rstrip("23")
            opts = _FIC_CITIES if key == "city" else _F[key]
            v = _pick(rng, opts)
            while v in vals.values():
                v = _pick(rng, opts)
            vals[f] = v
    return t.format(**vals)


def _filler(rng: random.Random, ref: str, n: int, seen: set[str] | None = None) -> list[str]:
    return [_filler_sentence(rng, ref, seen) for _ in range(n)]


# --------------------------------------------------------------------------- text layout

@dataclass
class _Block:
    kind: str  # heading | sub | para | bullet | frag
    text: str
    lead: str | None = None
    note: str | None = None  # footnote text (sub)
    marker: int | None = None
    indent_first: bool = False
    gap: int = 1  # blank lines after the block


_Line = tuple[str, "str | None"]  # (column text, footnote printed for it)


def _wrap_words(words: list[str], prefix: str, rng: random.Random) -> list[tuple[str, list[str]]]:
    """Greedy wrap with a varying line limit; may break compounds after a hyphen."""
    lines: list[tuple[str, list[str]]] = []
    cur: list[str] = []
    pre = prefix
    used = len(pre)
    limit = _limit(rng)
    for w in words:
        need = len(w) + (1 if cur else 0)
        if used + need <= limit:
            cur.append(w)
            used += need
            continue
        if "-" in w and not any(ch.isdigit() for ch in w):
            room = limit - used - (1 if cur else 0)
            cut = w.rfind("-", 0, room)
            if cut > 0:
                cur.append(w[: cut + 1])
                w = w[cut + 1:]
        if cur:
            lines.append((pre, cur))
        pre, cur, used, limit = "", [w], len(w), _limit(rng)
    if cur or not lines:
        lines.append((pre, cur))
    return lines


def _limit(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.08:
        return rng.randint(52, COL_MAX)
    return rng.randint(46, 51)


def _justify(pre: str, words: list[str], rng: random.Random, last: bool) -> str:
    """Join words; spread the slack of a justified line over its gaps like pdftotext does."""
    gaps = len(words) - 1
    if gaps <= 0:
        return pre + " ".join(words)
    natural = len(pre) + sum(map(len, words)) + gaps
    slack = rng.randint(47, JUSTIFY_MAX) - natural
    r = rng.random()
    if last or slack < 3 or r < 0.35:
        if r < 0.06:  # stray double space
            i = int(rng.random() * gaps)
            return pre + " ".join(words[: i + 1]) + "  " + " ".join(words[i + 1:])
        return pre + " ".join(words)
    slack = min(slack, 2 * gaps)
    extra = [1 + slack // gaps] * gaps
    for _ in range(slack % gaps):
        extra[int(rng.random() * gaps)] += 1
    if gaps > 2 and rng.random() < 0.5:  # uneven: move a space between two gaps
        i, j = int(rng.random() * gaps), int(rng.random() * gaps)
        if extra[i] > 1:
            extra[i] -= 1
            extra[j] += 1
    out = [pre, words[0]]
    for i, w in enumerate(words[1:]):
        out.append(" " * extra[i])
        out.append(w)
    return "".join(out)


def _mojibake(s: str) -> str:
    return s.replace("’", MOJIBAKE_QUOTE)


def _block_lines(b: _Block, rng: random.Random) -> list[_Line]:
    """Column lines (relative to the column start) of one block, blank gap lines included."""
    out: list[_Line] = []
    if b.kind in ("heading", "sub"):
        ind = "  " if b.kind == "sub" else ""
        tail = " " * rng.randint(5, 6) + str(b.marker) if b.marker is not None else ""
        lines: list[str] = []
        cur = ""
        for w in _mojibake(b.text).split():
            if cur and len(ind) + len(cur) + 1 + len(w) > 38:
                lines.append(ind + cur)
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
        lines.append(ind + cur + tail)
        out.extend((ln, None) for ln in lines[:-1])
        out.append((lines[-1], b.note))
    else:
        text = _mojibake(b.text)
        if b.kind == "bullet":
            prefix = "  ?    "
            text = f"{_mojibake(b.lead or '')}: {text}"
        else:
            prefix = "  " if b.indent_first else ""
        wrapped = _wrap_words(text.split(), prefix, rng)
        last = len(wrapped) - 1
        out.extend((_justify(pre, ws, rng, i == last), None) for i, (pre, ws) in enumerate(wrapped))
    out.extend(("", None) for _ in range(b.gap))
    return out


def _page_blocks(page_no: int, facts: Sequence[Fact], rng: random.Random, footnote_start: int,
                 places: dict[str, tuple[str, str]], seen: set[str]) -> tuple[list[_Block], int]:
    """Fact-carrying blocks of a page (filler is added by the caller) and the next footnote number."""
    blocks: list[_Block] = []
    marker = footnote_start
    by_place: dict[str, list[Fact]] = {}
    for f in facts:
        by_place.setdefault(f.place, []).append(f)
    if rng.random() < 0.45:
        blocks.append(_Block("heading", rng.choice(_SECTIONS)))
    for place, pf in by_place.items():
        ref, note = places.get(place, ("the area", f"{place}, official website"))
        # one group per distinct sentence, in order
        sentences: list[str] = []
        for f in pf:
            if f.sentence not in sentences:
                sentences.append(f.sentence)
        has_marker = rng.random() < 0.85
        blocks.append(_Block("sub", place, note=f"{marker}  {note}" if has_marker else None,
                             marker=marker if has_marker else None))
        if has_marker:
            marker += 1
        n_intro = rng.randint(1, 2) if len(sentences) > 1 else 1
        intro, rest = sentences[:n_intro], sentences[n_intro:]
        intro_text = intro + _filler(rng, ref, rng.randint(0, 2), seen)
        rng.shuffle(intro_text)
        blocks.append(_Block("para", " ".join(intro_text), indent_first=True))
        for s in rest:
            lead = _lead_from_facts(s, pf)
            extra = _filler(rng, ref, rng.randint(0, 1), seen)
            if lead and rng.random() < 0.8:
                blocks.append(_Block("bullet", " ".join([s] + extra), lead=lead))
            else:
                blocks.append(_Block("para", " ".join(extra[:1] + [s] + _filler(rng, ref, rng.randint(0, 1), seen))))
    return blocks, marker


def _lead_from_facts(sentence: str, pf: Sequence[Fact]) -> str | None:
    kind = next((f.kind for f in pf if f.sentence == sentence), "")
    return _lead_for(_KIND_LEADS.get(kind), sentence)


def _filler_block(rng: random.Random, ref: str, seen: set[str]) -> _Block:
    gap = 2 if rng.random() < 0.15 else 1
    if rng.random() < 0.4:
        return _Block("bullet", " ".join(_filler(rng, ref, rng.randint(1, 3), seen)), lead=rng.choice(_FILLER_LEADS),
                      gap=gap)
    return _Block("para", " ".join(_filler(rng, ref, rng.randint(2, 5), seen)), gap=gap)


def _fragment(rng: random.Random, seen: set[str]) -> _Block:
    """Tail of a sentence begun on the previous page."""
    words = " ".join(_filler(rng, "the area", rng.randint(1, 3), seen)).split()
    cut = rng.randint(2, max(2, min(8, len(words) - 2)))
    return _Block("frag", " ".join(words[cut:]))


def page_label(page: int, label_offset: int = 0) -> str:
    """Printed label of a page: page + offset, or lower roman front matter when that is < 1."""
    n = page + label_offset
    if n >= 1:
        return str(n)
    return _roman(page)


def _roman(n: int) -> str:
    vals = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def render_text_page(page_no: int, facts: Sequence[Fact], *, title: str = DEFAULT_TITLE,
                     rng: random.Random | None = None, label_offset: int = 0,
                     footnote_start: int | None = None, seed: int = 0) -> str:
    """One page in the corpus' pdftotext -layout export style."""
    return _render_page(page_no, facts, title=title, rng=rng, label_offset=label_offset,
                        footnote_start=footnote_start, seed=seed)[0]


def _render_page(page_no: int, facts: Sequence[Fact], *, title: str, rng: random.Random | None,
                 label_offset: int, footnote_start: int | None, seed: int) -> tuple[str, int]:
    """Page text and the next free footnote number."""
    rng = rng or random.Random(f"text:{seed}:{page_no}")
    places: dict[str, tuple[str, str]] = {}
    for place, ref, note in _places_on(page_no, seed, facts):
        places[place] = (ref, note)
    fn_start = footnote_start if footnote_start is not None else max(1, (page_no * 4) // 5)

    height = rng.randint(50, 56)
    seen: set[str] = set()
    fact_blocks, next_marker = _page_blocks(page_no, facts, rng, fn_start, places, seen)
    lead: list[_Block] = []
    if rng.random() < 0.35:
        lead.append(_fragment(rng, seen))
    elif rng.random() < 0.3:
        lead.append(_filler_block(rng, "the area", seen))
    seq = lead + fact_blocks
    rendered = [_block_lines(b, rng) for b in seq]
    total = sum(map(len, rendered))
    if total > 2 * height - 4:  # too many facts for the column height: grow the columns
        height = (total + 5) // 2
    cap = 2 * height
    # insert filler between blocks while there is room, then fill the tail
    tries = 0
    while total < cap - 14 and tries < 12:
        tries += 1
        b = _filler_block(rng, _pick(rng, _GENERIC_REFS), seen)
        lines = _block_lines(b, rng)
        if total + len(lines) > cap - 8:
            continue
        pos = rng.randint(len(lead), len(seq))
        if pos < len(seq) and seq[pos].kind == "para" and seq[pos].indent_first:
            pos += 1  # keep the intro paragraph right under its heading
        seq.insert(pos, b)
        rendered.insert(pos, lines)
        total += len(lines)
        if rng.random() < 0.35:
            break
    flow: list[_Line] = [ln for lines in rendered for ln in lines]
    while len(flow) < cap:
        flow.extend(_block_lines(_filler_block(rng, _pick(rng, _GENERIC_REFS), seen), rng))
    flow = flow[:cap]
    left = flow[:height]
    right = flow[height:]
    while right and not right[0][0]:
        right.pop(0)
    while left and not left[-1][0] and (not right or len(left) > len(right)):
        left.pop()

    base = rng.randint(*RIGHT_BASE)
    rows: list[str] = []
    for i in range(max(len(left), len(right))):
        lt = left[i][0] if i < len(left) else ""
        rt = right[i][0] if i < len(right) else ""
        rows.extend(_compose(lt, rt, base, rng))
    while rows and not rows[-1]:
        rows.pop()
    if rows and rows[0].startswith(" " * LEFT_COL + "  ?") and rng.random() < 0.3:
        rows[0] = rows[0][LEFT_COL + 2:]  # pdftotext drops the first row's indent

    lnotes = [n for _, n in left if n]
    rnotes = [n for _, n in right if n]
    for i in range(max(len(lnotes), len(rnotes))):
        lt = lnotes[i] if i < len(lnotes) else ""
        rt = rnotes[i] if i < len(rnotes) else ""
        rows.extend(_compose(lt, rt, base, rng, drift=False))

    label, label2 = page_label(page_no, label_offset), page_label(page_no + 1, label_offset)
    pad = max(3, FOOTER_WIDTH - 7 - len(label) - len(label2))
    lo = max(1, page_no - 5)
    nav = "".join(f"{NBSP * 3}{n}" for n in range(lo, lo + 11))
    head = [f"Page {page_no} - {title}", f"P. {label}", ""]
    tail = ["", f"{' ' * 7}{label}{' ' * pad}{label2}", nav]
    return "\n".join(head + rows + tail), next_marker


def _compose(lt: str, rt: str, base: int, rng: random.Random, drift: bool = True) -> list[str]:
    """One physical row (plus a superscript row when a km² sits on it)."""
    d = 0
    if drift and rng.random() < 0.06:
        d = rng.randint(1, 3) if rng.random() < 0.85 else rng.randint(4, 7)
    if lt and rt:
        ls = " " * LEFT_COL + lt
        row = ls.ljust(max(base + d, len(ls) + rng.randint(3, 8))) + rt
        split = len(row) - len(rt)
    elif lt:
        row, split = " " * LEFT_COL + lt, 10**6
    elif rt:
        row = " " * (base + d) + rt
        split = len(row) - len(rt)
    else:
        return [""]
    if "²" not in row:
        return [row]
    sup: list[str] = []
    for i, ch in enumerate(row):
        if ch == "²":
            shift = rng.choice((0, 0, 0, 1, 2, -1)) if i < split else rng.choice((0, 1, 2, 3, 5, -1))
            pos = max(0, i + shift)
            if len(sup) <= pos:
                sup.extend(" " * (pos + 1 - len(sup)))
            sup[pos] = "2"
    return [row.replace("²", " "), "".join(sup)]


def _places_on(page: int, seed: int, facts: Sequence[Fact]) -> list[tuple[str, str, str]]:
    """(name, ref, footnote) of the places named in facts (falls back to generic values)."""
    names = list(dict.fromkeys(f.place for f in facts))
    known: dict[str, tuple[str, str, str]] = {}
    if 1 <= page <= max_pages():
        for slot in range(PLACES_PER_PAGE):
            t = place_for(page, slot, seed)
            known[t[0]] = t
    out = []
    for n in names:
        if n in known:
            out.append(known[n])
        else:
            ref = next((r for s, r, _ in _SUFFIXES if n.endswith(s)), "the area")
            out.append((n, ref, f"{n}, official website"))
    return out


# --------------------------------------------------------------------------- report

def generate_report(n_pages: int, *, seed: int = 0, start_page: int = 1, title: str = DEFAULT_TITLE,
                    label_offset: int = 0) -> tuple[list[str], list[Fact]]:
    """Text pages (one string per page) and all their facts."""
    texts: list[str] = []
    all_facts: list[Fact] = []
    marker = max(1, (start_page * 4) // 5)
    for i, facts in enumerate(make_facts(n_pages, seed=seed, start_page=start_page)):
        page = start_page + i
        text, marker = _render_page(page, facts, title=title, rng=None, label_offset=label_offset,
                                    footnote_start=marker, seed=seed)
        texts.append(text)
        all_facts.extend(facts)
    return texts, all_facts


# --------------------------------------------------------------------------- PDF

def render_pdf(path: str | Path, pages: list[list[Fact]], *, label_offset: int = 0,
               title: str = DEFAULT_TITLE, seed: int = 0, first_page: int = 1) -> None:
    """Two-column PDF, one physical page per entry of pages.

    Physical page p (1-based) is report page first_page + p - 1 and is labelled (and
    printed) page_label(first_page + p - 1, label_offset).
    """
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Paragraph

    width, height = A4
    margin, gutter, top, bottom = 50.0, 20.0, 60.0, 55.0
    col_w = (width - 2 * margin - gutter) / 2
    col_h = height - top - bottom
    n_pages = len(pages)

    def on_page(canv, doc) -> None:  # noqa: ANN001
        n = canv.getPageNumber()
        if n == 1:
            # reportlab wants style names here: its one-letter check mistakes "r" for a name
            if first_page + label_offset >= 1:
                canv.addPageLabel(0, "ARABIC", start=first_page + label_offset)
            else:
                canv.addPageLabel(0, "ROMAN_LOWER", start=first_page)
                front = 1 - label_offset - first_page  # physical index (0-based) of label "1"
                if front < n_pages:
                    canv.addPageLabel(front, "ARABIC", start=1)
        canv.saveState()
        canv.setFont("Helvetica", 8)
        canv.drawString(margin, height - 35, title)
        canv.setLineWidth(0.5)
        canv.line(margin, height - 40, width - margin, height - 40)
        canv.setFont("Helvetica", 9)
        canv.drawCentredString(width / 2, 30, page_label(first_page + n - 1, label_offset))
        canv.restoreState()

    frames = [
        Frame(margin, bottom, col_w, col_h, id="left", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0),
        Frame(margin + col_w + gutter, bottom, col_w, col_h, id="right",
              leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0),
    ]
    doc = BaseDocTemplate(str(path), pagesize=A4, title=title, author="rag.synth", invariant=1,
                          pageTemplates=[PageTemplate(id="two", frames=frames, onPage=on_page)])
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12, alignment=TA_JUSTIFY,
                          spaceAfter=6)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2)
    h1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=4, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=10.5, leading=13, spaceBefore=2, spaceAfter=4)

    def para(text: str, style: ParagraphStyle, **kw: str) -> Paragraph:
        t = escape(text).replace("km²", "km<super>2</super>")
        return Paragraph(t, style, **kw)

    def h(fl: Paragraph) -> float:
        st = fl.style
        return fl.wrap(col_w, col_h)[1] + st.spaceBefore + st.spaceAfter

    story: list = []
    for i, facts in enumerate(pages):
        rng = random.Random(f"pdf:{seed}:{i}")
        seen: set[str] = set()
        items: list[Paragraph] = []
        if rng.random() < 0.5:
            items.append(para(rng.choice(_SECTIONS), h1))
        by_place: dict[str, list[str]] = {}
        for f in facts:
            ss = by_place.setdefault(f.place, [])
            if f.sentence not in ss:
                ss.append(f.sentence)
        fixed: list[list[Paragraph]] = []
        for place, sentences in by_place.items():
            ref = next((r for s, r, _ in _SUFFIXES if place.endswith(s)), "the area")
            grp = [para(place, h2), para(" ".join(sentences[:1] + _filler(rng, ref, rng.randint(0, 2), seen)), body)]
            for s in sentences[1:]:
                if rng.random() < 0.5:
                    grp.append(para(s + " " + _filler_sentence(rng, ref, seen), bullet, bulletText="•"))
                else:
                    grp.append(para(s, body))
            fixed.append(grp)
        used = sum(h(p) for p in items) + sum(h(p) for g in fixed for p in g)
        budget = rng.uniform(1.25, 1.7) * col_h
        fillers: list[Paragraph] = []
        while True:
            p = para(" ".join(_filler(rng, "the area", rng.randint(2, 5), seen)), body)
            hp = h(p)
            if used + hp > min(budget, 1.8 * col_h) or len(fillers) > 40:
                break
            fillers.append(p)
            used += hp
        slots: list[list[Paragraph]] = [[] for _ in range(len(fixed) + 1)]
        for p in fillers:
            slots[rng.randrange(len(slots))].append(p)
        items.extend(slots[0])
        for g, extra in zip(fixed, slots[1:]):
            items.extend(g)
            items.extend(extra)
        if not items:
            items.append(para(_filler_sentence(rng, "the area"), body))
        story.extend(items)
        if i < n_pages - 1:
            story.append(PageBreak())
    doc.build(story)


# --------------------------------------------------------------------------- CLI

def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(prog="python -m rag.synth", description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--pdf", action="store_true", help="also write DIR/synth.pdf")
    ap.add_argument("--no-text", action="store_true", help="skip the synth-NNNN.txt files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pages-per-file", type=int, default=1)
    ap.add_argument("--start-page", type=int, default=1)
    ap.add_argument("--label-offset", type=int, default=0, help="printed label = page + offset")
    ap.add_argument("--title", default=DEFAULT_TITLE)
    a = ap.parse_args(argv)
    if a.pages < 1 or a.pages_per_file < 1:
        ap.error("--pages and --pages-per-file must be >= 1")
    out: Path = a.out
    out.mkdir(parents=True, exist_ok=True)
    texts, facts = generate_report(a.pages, seed=a.seed, start_page=a.start_page, title=a.title,
                                   label_offset=a.label_offset)
    if not a.no_text:
        k = a.pages_per_file
        for i in range(0, len(texts), k):
            (out / f"synth-{a.start_page + i:04d}.txt").write_text("\f".join(texts[i:i + k]), encoding="utf-8")
    if a.pdf:
        per_page: list[list[Fact]] = [[] for _ in range(a.pages)]
        for f in facts:
            per_page[f.page - a.start_page].append(f)
        render_pdf(out / "synth.pdf", per_page, label_offset=a.label_offset, title=a.title, seed=a.seed,
                   first_page=a.start_page)
    with (out / "facts.jsonl").open("w", encoding="utf-8") as fh:
        for f in facts:
            row = asdict(f) | {"page_label": page_label(f.page, a.label_offset),
                               "pdf_page": f.page - a.start_page + 1}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {a.pages} pages, {len(facts)} facts to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
