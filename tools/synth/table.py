"""Space-aligned tables: city x year tables in one column beside prose (wrapped labels, thousands
separators, a superscript in the sub-title), and two indicator tables side by side across the page
(multi-line headers, a superscript in a header)."""
from __future__ import annotations

from tools.synth.context import Ctx
from tools.synth.layout import Block, Section
from tools.synth.model import KindOutput, PageDraft, Question, pct_alts
from tools.synth.vocab import cap, load, pick, template

KIND = "table"


def fmt_value(v: float, fmt: str) -> str:
    if fmt == "pct":
        return f"{round(v)}%"
    if fmt == "num":
        return f"{round(v):,}"
    return f"{v:,.1f}"


def alts(s: str) -> list[str]:
    if s.endswith("%"):
        return pct_alts(s)
    return [s, s.replace(",", "")] if "," in s else [s]


def _wrap_label(label: str, width: int) -> list[str]:
    out: list[str] = []
    for w in label.split():
        if out and len(out[-1]) + 1 + len(w) <= width:
            out[-1] += " " + w
        else:
            out.append(w)
    return out


def grid(header: list[list[str]], rows: list[tuple[str, list[str]]], label_w: int, col_w: list[int],
         label_head: str) -> list[str]:
    """Rows of a space-aligned table: multi-line column headers bottom-aligned, labels wrapped to label_w."""
    depth = max(len(h) for h in header)
    lines = []
    for d in range(depth):
        cells = [(h[d - (depth - len(h))] if d >= depth - len(h) else "") for h in header]
        head = label_head if d == depth - 1 else ""
        lines.append((head.ljust(label_w) + "".join(c.rjust(w) for c, w in zip(cells, col_w))).rstrip())
    for label, vals in rows:
        parts = _wrap_label(label, label_w - 2)
        lines.append(parts[0].ljust(label_w) + "".join(v.rjust(w) for v, w in zip(vals, col_w)))
        lines.extend(parts[1:])
    return lines


def _wrap_title(head: str, width: int = 50) -> list[str]:
    """A long table title wraps under its own text, as the export prints it."""
    if len(head) <= width:
        return [head]
    cut = head.rfind(" ", 0, width)
    return [head[:cut], " " * (head.index("  ") + 2) + head[cut + 1:]]


def _series(ctx: Ctx, n: int, m: dict) -> list[float]:
    lo, hi, _ = m["value"]
    v = ctx.rng.uniform(lo, hi)
    out = []
    for _ in range(n):
        v = min(hi, max(lo, v * ctx.rng.uniform(0.9, 1.12)))
        out.append(v)
    return out


def _year_table(ctx: Ctx, qs: list[Question], tno: int) -> tuple[list[Block], list[Block]]:
    rng, y = ctx.rng, ctx.year
    tv = load("tables")
    m = pick(rng, tv["metric"])
    years = list(range(y - 4, y + 1))
    zones = rng.random() < 0.3
    n = rng.randint(5, 8)
    names = ctx.names(n)
    suffixes = load("names")["zone"]["suffixes"]
    labels = [f"{nm.en} {pick(rng, suffixes)[0]}" if zones else nm.en for nm in names]
    data = [[fmt_value(v, m["fmt"]) for v in _series(ctx, 5, m)] for _ in labels]
    order = sorted(range(n), key=lambda i: -float(data[i][-1].rstrip("%").replace(",", "")))
    labels = [labels[i] for i in order]
    data = [data[i] for i in order]
    # unique leader in the last year and the first year (so "which is highest" has one answer)
    def num(s: str) -> float:
        return float(s.rstrip("%").replace(",", ""))
    region = ctx.names(10)[9]  # the table's region: "which city is highest" has one answer in the corpus
    title = pick(rng, tv["text"]["table_titles"]).format(title=f"{m['title']}, {region.en} region", y0=years[0],
                                                         y1=years[-1])
    label_w = 18 if zones else max(len(l) for l in labels) + 3
    lines = grid([[str(c)] for c in years], list(zip(labels, data)), label_w, [8] * 5,
                 "Zone" if zones else "City")
    src = pick(rng, tv["text"]["sources"]).format(chamber=ctx.chamber, y0=years[0], y1=years[-1])
    head = [*_wrap_title(f"Table {tno}  {title}"), m["sub"]]
    plain_rows = [f"{l} | " + " | ".join(d) for l, d in zip(labels, data)]
    plain = "\n".join([f"Table {tno} {title} {m['sub']}", f"{'Zone' if zones else 'City'} | " + " | ".join(map(str,
                                                                                                               years))]
                      + plain_rows + [src])
    raw = [*head, "", *lines, "", src]
    right = [Block("lines", lines=raw, plain=plain)]
    asks = m["asks"]
    # questions
    i = rng.randrange(n)
    j = rng.randrange(5)
    cell_q = template(rng, "table", "cell", metric=asks[0], row=labels[i], col=years[j])
    qs.append(Question("table", cell_q, [alts(data[i][j])], plain_rows[i], f"Row {labels[i]}, column {years[j]}."))
    for _ in range(2):  # more cells, other rows and years
        i2, j3 = rng.randrange(n), rng.randrange(5)
        if (i2, j3) != (i, j):
            qs.append(Question("table", template(rng, "table", "cell", metric=asks[0], row=labels[i2], col=years[j3]),
                               [alts(data[i2][j3])], plain_rows[i2], f"Row {labels[i2]}, column {years[j3]}."))
    k = (i + 1 + rng.randrange(n - 1)) % n
    qs.append(Question("followup", template(rng, "table", "other_row", row=labels[k]), [alts(data[k][j])],
                       plain_rows[k],
                       f"Same metric and year ({years[j]}) as the previous question.", history=[cell_q]))
    j2 = rng.randrange(5)
    col = [num(d[j2]) for d in data]
    top = max(range(n), key=lambda r: col[r])
    if col.count(col[top]) == 1:
        qs.append(Question("comparison", template(rng, "table", "highest",
                                                  row_noun=m["row_noun"] if not zones else "zone",
                                                   metric=asks[0], col=years[j2], scope=f" in the {region.en} region"),
                           [[labels[top]], alts(data[top][j2])], plain_rows[top],
                           f"Compared over the {years[j2]} column: {labels[top]} leads with {data[top][j2]}."))
    r = rng.randrange(n)
    qs.append(Question("change", template(rng, "table", "change", metric=asks[0], row=labels[r], c0=years[0],
                                          c1=years[-1]),
                       [alts(data[r][0]), alts(data[r][-1])], plain_rows[r],
                       f"From {data[r][0]} to {data[r][-1]}."))
    p = rng.randrange(n)
    pj = rng.randrange(5)
    qs.append(Question("paraphrase", template(rng, "table", "cell", metric=pick(rng, asks[1:]), row=labels[p],
                                              col=years[pj]),
                       [alts(data[p][pj])], plain_rows[p], "Metric named in other words than the table title."))
    gone = y - rng.randint(6, 9)
    qs.append(Question("unanswerable", template(rng, "table", "not_col", metric=asks[0], row=labels[i], col=gone),
                       [], None,
                       f"Year not covered: the table runs {years[0]}-{years[-1]}.", answerable=False,
                       absent=[(0, [str(gone)])]))
    ghost = ctx.unseen_name()
    qs.append(Question("unanswerable", template(rng, "table", "not_row", metric=asks[0], row=ghost.en,
                                                col=years[j]), [],
                       None, f"{ghost.en} is not in the table (nor anywhere in the report).", answerable=False,
                       absent=[(None, [ghost.en, ghost.ascii])]))
    # prose beside the table
    t = tv["text"]
    s_top = pick(rng, t["top"]).format(top=labels[0], v=data[0][-1], second=labels[1], v2=data[1][-1], y1=years[-1])
    gains = [num(d[-1]) - num(d[0]) for d in data]
    g = max(range(n), key=lambda r: gains[r])
    s_rise = pick(rng, t["rise"]).format(row=labels[g], v0=data[g][0], v1=data[g][-1], y0=years[0], y1=years[-1])
    intro = pick(rng, t["intro"]).format(n=n, what=asks[0], y0=years[0], y1=years[-1])
    left = [Block("h", cap(m["title"].split(" of ")[0])), Block("p", " ".join([intro] + ctx.filler(1))),
            Block("p", s_top), Block("p", " ".join([s_rise] + ctx.filler(rng.randint(1, 2)))),
            Block("p", " ".join(ctx.filler(rng.randint(1, 3))))]
    if gains.count(gains[g]) == 1:
        qs.append(Question("fact",
                           f"Which {'zone' if zones else m['row_noun']} of the {region.en} region gained the most on "
                           f"{asks[0]} between {years[0]} and {years[-1]}?",
                           [[labels[g]]], s_rise, "Stated in the prose beside the table."))
    return left, right


def _indicator_tables(ctx: Ctx, qs: list[Question], tno: int) -> list[Section]:
    """Two tables side by side across the page, rows = regions, multi-line headers."""
    rng, y = ctx.rng, ctx.year
    tv = load("tables")
    inds = rng.sample(tv["indicator"], 6)
    regions = ctx.names(rng.randint(3, 5))
    sides = []
    for t in range(2):
        cols = inds[3 * t: 3 * t + 3]
        data = [[fmt_value(rng.uniform(c["value"][0], c["value"][1]), c["fmt"]) for c in cols] for _ in regions]
        title = pick(rng, tv["text"]["indicator_titles"]).format(year=y)
        sides.append((cols, data, f"Table {tno + t}  {title}"))
    lw, cw = 12, [11, 11, 11]
    blocks_l = [grid([c["header"] for c in s[0]], [(r.en, d) for r, d in zip(regions, s[1])], lw, cw,
                     "") for s in sides]
    width = lw + sum(cw) + 3
    depth = max(len(b) for b in blocks_l)
    raw = [sides[0][2].ljust(width) + sides[1][2], ""]
    for a, b in zip([""] * (depth - len(blocks_l[0])) + blocks_l[0], [""] * (depth - len(blocks_l[1])) + blocks_l[1]):
        raw.append((a.ljust(width) + b).rstrip())
    src = pick(rng, tv["text"]["sources"]).format(chamber=ctx.chamber, y0=y - 4, y1=y)
    raw += ["", src]
    plains = []
    rows_plain: list[list[str]] = []
    for cols, data, title in sides:
        head = "Region | " + " | ".join(" ".join(c["header"]) for c in cols)
        rp = [f"{r.en} | " + " | ".join(d) for r, d in zip(regions, data)]
        rows_plain.append(rp)
        plains.append("\n".join([title.replace("  ", " "), head] + rp))
    plain = "\n\n".join(plains) + "\n" + src
    # questions: a cell of each table, a follow-up on another region, the largest value of a column
    for t, (cols, data, _) in enumerate(sides):
        i, c = rng.randrange(len(regions)), rng.randrange(3)
        q = template(rng, "table", "cell", metric=cols[c]["asks"][0], row=regions[i].en, col=y)
        qs.append(Question("table", q, [alts(data[i][c])], rows_plain[t][i],
                           f"Side-by-side tables: row {regions[i].en}, column '{' '.join(cols[c]['header'])}'."))
        if t == 0:
            k = (i + 1) % len(regions)
            qs.append(Question("followup", template(rng, "table", "other_row", row=regions[k].en), [alts(data[k][c])],
                               rows_plain[t][k], "Same indicator as the previous question.", history=[q]))
        else:
            vals = [float(d[c].rstrip("%").replace(",", "")) for d in data]
            top = max(range(len(vals)), key=lambda r: vals[r])
            if vals.count(vals[top]) == 1:
                qs.append(Question("comparison", template(rng, "table", "highest", row_noun="region",
                                                           metric=cols[c]["asks"][0], col=y,
                                                          scope=f" among {', '.join(r.en for r in regions)}"),
                                   [[regions[top].en, regions[top].ascii], alts(data[top][c])], rows_plain[t][top],
                                   "Compared over one column of the right-hand table."))
    missing = [c for c in tv["indicator"] if c not in inds]
    if missing:
        mc = pick(rng, missing)
        qs.append(Question("unanswerable", template(rng, "table", "not_row", metric=mc["asks"][0],
                                                    row=regions[0].en, col=y),
                           [], None, f"The tables do not give {mc['asks'][0]}.", answerable=False,
                           absent=[(0, [" ".join(mc["header"]), mc["asks"][0]])]))
    intro = Block("p", " ".join(ctx.filler(rng.randint(2, 3))))
    after = Block("p", " ".join(ctx.filler(rng.randint(2, 4))))
    return [Section("flow", [Block("h", pick(rng, tv["text"]["indicator_titles"]).format(year=y).split(",")[0]),
                             intro]),
            Section("span", [Block("lines", lines=raw, plain=plain)], gap=2),
            Section("flow", [after], gap=2)]


def build(ctx: Ctx) -> KindOutput:
    qs: list[Question] = []
    tno = ctx.rng.randint(2, 40)
    if ctx.rng.random() < 0.3:
        sections = _indicator_tables(ctx, qs, tno)
    else:
        left, right = _year_table(ctx, qs, tno)
        sections = [Section("cols", left, right)] if ctx.rng.random() < 0.6 else [Section("cols", right, left)]
    for q in qs:
        q.gold_page = 0 if q.answerable else None
    return KindOutput([PageDraft("tables", sections)], qs)
