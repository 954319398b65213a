"""Charts as the export prints them: axis ticks, data labels at the height of their bar segment,
category labels under the axis, legend rows below. Stacked 100% bars over five years, grouped bars
with two series, and a chart without data labels (its values are not on the page)."""
from __future__ import annotations

from tools.synth.context import Ctx
from tools.synth.layout import Block, Section
from tools.synth.model import KindOutput, PageDraft, Question, pct_alts
from tools.synth.vocab import load, pick, template

KIND = "chart"


def place(items: list[tuple[int, int, str]]) -> list[str]:
    """(row, x, text) items -> lines; a label that would touch its left neighbour moves right."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for r, x, t in items:
        rows.setdefault(r, []).append((x, t))
    out: list[str] = []
    for r in range(min(rows), max(rows) + 1):
        buf = ""
        for x, t in sorted(rows.get(r, [])):
            if len(buf) >= x:
                buf += " "
            buf = buf.ljust(x) + t
        line = buf.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return out


def _shares(ctx: Ctx, k: int) -> list[int]:
    w = [ctx.rng.uniform(0.4, 2.0) for _ in range(k)]
    vals = [max(3, round(100 * x / sum(w))) for x in w]
    vals[max(range(k), key=lambda i: vals[i])] += 100 - sum(vals)
    return vals


def stacked(title: list[str], years: list[int], series: list[str], data: dict[int, list[int]], labels: bool,
            rowpct: int = 5, x0: int = 9, dx: int = 10) -> list[str]:
    ticks = {round((100 - t) / rowpct): t for t in (100, 80, 60, 40, 20, 0)}
    items = [(r, 0, f"{t}%".rjust(4)) for r, t in ticks.items()]
    if labels:
        for i, y in enumerate(years):
            used = set(ticks)
            cum = 0.0
            for v in data[y]:
                r = round((100 - (cum + v / 2)) / rowpct)
                cum += v
                step = 1
                while r in used:  # a label never sits on a tick row or on another label of its bar
                    r += step
                    step = -step - 1 if step > 0 else -step + 1
                used.add(r)
                items.append((r, x0 + dx * i, f"{v}%"))
    lines = [*title, "", *place(items), "", " " * (x0 - 1) + "".join(str(y).ljust(dx) for y in years).rstrip(), ""]
    for k in range(0, len(series), 2):
        lines.append("   " + "    ".join(series[k:k + 2]))
    return lines


def grouped(title: list[str], cats: list[str], series: list[str], values: dict[str, list[float]],
            x0: int = 6, dx: int = 12, off: int = 5) -> list[str]:
    top = int(max(v for vs in values.values() for v in vs)) + 2
    step = 2 if top > 7 else 1
    rowstep = top / 24
    ticks = {round((top - t) / rowstep): t for t in range(top - top % step, -1, -step)}
    items = [(r, 0, f"{t}%".rjust(3)) for r, t in ticks.items()]
    for ci, c in enumerate(cats):
        for si in range(len(series)):
            r = round((top - values[c][si] - 0.2) / rowstep)
            while r in ticks:
                r -= 1
            items.append((r, x0 + dx * ci + off * si, f"{values[c][si]:.1f}%"))
    lines = [*title, "", *place(items), ""]
    wrapped = []
    for c in cats:
        parts: list[str] = []
        for w in c.split():
            if parts and len(parts[-1]) + 1 + len(w) <= dx - 1:
                parts[-1] += " " + w
            else:
                parts.append(w)
        wrapped.append(parts)
    for d in range(max(map(len, wrapped))):
        buf = ""
        for ci, parts in enumerate(wrapped):
            if d < len(parts):
                x = x0 - 1 + dx * ci
                if len(buf) >= x:
                    buf += " "
                buf = buf.ljust(x) + parts[d]
        lines.append(buf.rstrip())
    lines += ["", "      " + "        ".join(series)]
    return lines


def _title(fno: int, text: str) -> list[str]:
    head = f"Figure {fno}  {text}"
    if len(head) <= 48:
        return [head]
    cut = head.rfind(" ", 0, 48)
    return [head[:cut], " " * 14 + head[cut + 1:]]


def build(ctx: Ctx) -> KindOutput:
    rng, y = ctx.rng, ctx.year
    cv = load("charts")
    qs: list[Question] = []
    fno = rng.randint(2, 60)
    prose: list[str] = []
    where = ctx.names(4)[3]  # the chart is about one city's survey: its figures are unique to the page
    r = rng.random()
    if r < 0.6:
        spec = pick(rng, cv["stacked"])
        years = list(range(y - 4, y + 1))
        k = len(spec["series"])
        asks_w = [f"{a} in {where.en}" for a in spec["asks"]]
        data = {yr: _shares(ctx, k) for yr in years}
        labelled = r < 0.45
        title = _title(fno, f"{spec['title']}, {where.en} ({years[0]}-{years[-1]})")
        lines = stacked(title, years, spec["series"], data, labelled)
        src = ctx.source()
        lines += ["", spec["note"], src]
        head = " ".join(t.strip() for t in title)
        s_i = rng.randrange(k)
        sentence = pick(rng, cv["text"]["stacked_prose"]).format(v=data[y][s_i], v0=data[years[0]][s_i],
                                                                 ask=spec["asks"][s_i], y1=y, y0=years[0])
        prose.append(sentence)
        if labelled:
            series_lines = [f"{s}: " + ", ".join(f"{yr} {data[yr][i]}%" for yr in years) for i,
                            s in enumerate(spec["series"])]
            plain = "\n".join([head, *series_lines, spec["note"], src])
            i, j = rng.randrange(k), rng.randrange(5)
            q = template(rng, "chart", "value", series_q=asks_w[i], cat=years[j])
            qs.append(Question("chart", q, [pct_alts(f"{data[years[j]][i]}%")], series_lines[i],
                               f"Stacked bar for {years[j]}, segment '{spec['series'][i]}'."))
            for _ in range(2):  # more segments of other bars
                i2, j3 = rng.randrange(k), rng.randrange(5)
                if (i2, j3) != (i, j):
                    qs.append(Question("chart", template(rng, "chart", "value", series_q=asks_w[i2], cat=years[j3]),
                                       [pct_alts(f"{data[years[j3]][i2]}%")], series_lines[i2],
                                       f"Stacked bar for {years[j3]}, segment '{spec['series'][i2]}'."))
            j2 = (j + 1 + rng.randrange(4)) % 5
            qs.append(Question("followup", template(rng, "chart", "other_cat", cat=years[j2]),
                               [pct_alts(f"{data[years[j2]][i]}%")], series_lines[i],
                               f"Same series, {years[j2]}.", history=[q]))
            a, b = rng.sample(range(k), 2)
            ya = years[rng.randrange(5)]
            if data[ya][a] != data[ya][b]:
                w = a if data[ya][a] > data[ya][b] else b
                qs.append(Question("comparison", template(rng, "chart", "compare", cat=f"{ya} in {where.en}",
                                                          a=spec["series"][a],
                                                          b=spec["series"][b]),
                                   [[spec["series"][w]], pct_alts(f"{data[ya][w]}%")], series_lines[w],
                                   f"{data[ya][a]}% against {data[ya][b]}% in {ya}."))
            c = rng.randrange(k)
            qs.append(Question("change", template(rng, "chart", "change", series_q=asks_w[c], c0=years[0],
                                                  c1=years[-1]),
                               [pct_alts(f"{data[years[0]][c]}%"), pct_alts(f"{data[y][c]}%")], series_lines[c],
                               f"From {data[years[0]][c]}% to {data[y][c]}%."))
            gone = y - rng.randint(6, 9)
            qs.append(Question("unanswerable", template(rng, "chart", "not_cat", series_q=asks_w[i], cat=gone), [],
                               None,
                               f"The chart covers {years[0]}-{years[-1]} only.", answerable=False,
                               absent=[(0, [str(gone)])]))
        else:
            plain = "\n".join([head, "   ".join(spec["series"]), spec["note"], src])
            qs.append(Question("chart", template(rng, "chart", "value", series_q=asks_w[s_i], cat=y),
                               [pct_alts(f"{data[y][s_i]}%")], sentence,
                               "The chart has no data labels; the prose gives this one."))
            o = (s_i + 1 + rng.randrange(k - 1)) % k
            yo = years[rng.randrange(4)]
            qs.append(Question("unanswerable", template(rng, "chart", "unlabelled", series_q=asks_w[o], cat=yo), [],
                               None, "The chart prints no data labels and the text gives no figure for this bar.",
                               answerable=False, absent=[(0, [f"{spec['series'][o]}: "])]))
        lines_block = Block("lines", lines=lines, plain=plain)
    else:
        spec = pick(rng, cv["grouped"])
        series = [s.format(y0=y, y1=y + 1) for s in pick(rng, cv["text"]["grouped_series"])]
        cats = spec["cats"]
        values = {}
        for c in cats:
            a = round(rng.uniform(1.5, 8.5), 1)
            values[c] = [a, round(max(0.5, a + rng.uniform(-1.2, 0.8)), 1)]
        title = _title(fno, f"{spec['title']} in {where.en}, {series[0]} and {series[1]}")
        lines = grouped(title, cats, series, values)
        src = ctx.source()
        lines += ["", src]
        head = " ".join(t.strip() for t in title)
        cat_lines = [f"{c}: " + "; ".join(f"{s} {values[c][i]:.1f}%" for i, s in enumerate(series)) for c in cats]
        plain = "\n".join([head, *cat_lines, src])
        ci, si = rng.randrange(5), rng.randrange(2)
        q = template(rng, "chart", "grouped", series=series[si], cat=f"{cats[ci]} in {where.en}")
        qs.append(Question("chart", q, [pct_alts(f"{values[cats[ci]][si]:.1f}%")], cat_lines[ci],
                           f"Grouped bars: category {cats[ci]}, series {series[si]}."))
        c2, s2 = (ci + 2) % 5, 1 - si
        qs.append(Question("chart", template(rng, "chart", "grouped", series=series[s2],
                                             cat=f"{cats[c2]} in {where.en}"),
                           [pct_alts(f"{values[cats[c2]][s2]:.1f}%")], cat_lines[c2],
                           f"Grouped bars: category {cats[c2]}, series {series[s2]}; the other series is beside it."))
        co = (ci + 1 + rng.randrange(4)) % 5
        qs.append(Question("followup", template(rng, "chart", "other_cat", cat=cats[co]),
                           [pct_alts(f"{values[cats[co]][si]:.1f}%")], cat_lines[co], f"Same series ({series[si]}).",
                           history=[q]))
        col = [values[c][0] for c in cats]
        top = max(range(5), key=lambda i: col[i])
        if col.count(col[top]) == 1:
            prose.append(pick(rng, cv["text"]["grouped_prose"]).format(cat=cats[top], v=f"{col[top]:.1f}%", y0=y))
            qs.append(Question("comparison", f"Which category had the highest value for {series[0]} in {where.en}?",
                               [[cats[top]], pct_alts(f"{col[top]:.1f}%")], cat_lines[top],
                               "Compared over the first series of the grouped bars."))
        # the overall figure, printed in prose only and unlike every bar: asked without a category, it is the answer
        means = []
        for i in range(2):
            m = round(sum(values[c][i] for c in cats) / len(cats), 1)
            while any(abs(m - values[c][j]) < 0.05 for c in cats for j in range(2)):
                m = round(m + 0.1, 1)
            means.append(m)
        measure = spec["title"].split(" by ")[0].lower()
        overall = pick(rng, cv["text"]["overall_prose"]).format(where=where.en, measure=measure, v=f"{means[0]:.1f}%",
                                                               v2=f"{means[1]:.1f}%", s0=series[0], s1=series[1])
        prose.insert(0, overall)
        so = rng.randrange(2)
        qs.append(Question("chart", template(rng, "chart", "overall", measure=measure, series=series[so],
                                             where=where.en),
                           [pct_alts(f"{means[so]:.1f}%")], overall,
                           "No category named: the overall figure in the prose, not one bar."))
        other = pick(rng, [c for g in cv["grouped"] if g is not spec for c in g["cats"] if c not in cats])
        qs.append(Question("unanswerable", template(rng, "chart", "grouped", series=series[0],
                                                    cat=f"{other} in {where.en}"), [], None,
                           f"'{other}' is not a category of this chart.", answerable=False, absent=[(0, [other])]))
        lines_block = Block("lines", lines=lines, plain=plain)
    left = [Block("h", spec["title"].split(" by ")[0].split(" compared")[0]),
            Block("p", " ".join(prose[:1] + ctx.filler(rng.randint(1, 2)))),
            Block("p", " ".join(ctx.filler(rng.randint(2, 3)) + prose[1:])),
            Block("p", " ".join(ctx.filler(rng.randint(1, 3))))]
    for q in qs:
        q.gold_page = 0 if q.answerable else None
    return KindOutput([PageDraft("charts", [Section("cols", left, [lines_block])])], qs)
