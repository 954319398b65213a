"""Charts in text page exports: axis ticks, data labels, category labels and legend back into series.

The export prints a bar chart's text where it was drawn: the value axis ticks ("100%", "80%" … "0%") in a
column at the left, each data label at the height and x position of its bar, the category (or year)
labels in a row under the plot, the legend below that, then the notes. Reading it back uses geometry only:

- ticks: the leftmost column of figures, right-aligned, running down in order;
- data labels fall into x clusters (labels whose spans overlap share a bar position); a cluster holding
  several labels is a stacked bar (its labels bottom-up are the legend's entries in order), clusters of
  one label each, as many per category as the legend has entries, are grouped bars (by x order);
- category words go to the nearest bar position (a label printed over two lines is joined);
- no data labels at all: the values were only in the image, ``values_in_text`` is False.

    chart = parse_chart("Figure 5 Change in revenue", body_lines)
    render_chart(chart)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.ingest.clean import join_lines, repair_mojibake
from rag.ingest.models import Chart, ChartSeries
from rag.ingest.tables import is_note, is_value, is_year, segments

NO_VALUES = "(values not printed in the text)"
_TERMINAL_RE = re.compile(r"[.!?。]$")


@dataclass
class _Label:
    x: int
    end: int
    y: int
    text: str

    @property
    def centre(self) -> float:
        return (self.x + self.end) / 2


def _number(text: str) -> float | None:
    m = re.search(r"-?\d[\d,]*(?:\.\d+)?", text.replace("−", "-").replace("–", "-"))
    return float(m.group().replace(",", "")) if m else None


def _vocabulary() -> set[str]:
    from rag.ingest.pipeline import default_vocabulary

    return set(default_vocabulary())


def parse_chart(title: str, body: list[str]) -> Chart | None:
    """A chart from the lines under its title (absolute x positions kept); None when nothing in them
    looks like a chart (no ticks, data labels or category row)."""
    plot: list[_Label] = []
    groups: list[list[tuple[int, str]]] = []  # runs of text lines after (or before) the plot
    notes: list[str] = []
    current: list[tuple[int, str]] | None = None
    for y, line in enumerate(body):
        text = line.strip()
        if not text:
            current = None
            continue
        segs = segments(line)
        tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", line)]
        if notes or is_note(text) or (plot and _TERMINAL_RE.search(text) and not all(is_value(t) for _, t in tokens)):
            if notes and not is_note(text) and not _TERMINAL_RE.search(notes[-1]):
                notes[-1] = f"{notes[-1]} {text}"
            else:
                notes.append(text)
            current = None
            continue
        years = len(tokens) >= 2 and all(is_year(t) for _, t in tokens)
        if all(is_value(s.text) for s in segs) and not years and not groups:
            plot += [_Label(x, x + len(t), y, t) for x, t in tokens]
            current = None
            continue
        if current is None:
            current = []
            groups.append(current)
        current.append((y, line))
    ticks = _ticks(plot)
    labels = [l for l in plot if l not in ticks]
    # The first run of text lines under the plot names the categories; runs after it are the legend.
    category_lines = groups[0] if groups else []
    legend_lines = [l for g in groups[1:] for l in g]
    if not labels and not ticks and not category_lines:
        return None
    if not labels and not ticks:
        return None  # a caption over prose, or a picture: nothing of a chart in the text
    legend = [repair_mojibake(s.text) for _, line in legend_lines for s in segments(line)]

    clusters = _clusters(labels)
    n_series = max(1, len(legend))
    # Labels printed at the top of their own bar stand higher the larger they are (grouped or single bars);
    # a stacked bar's labels stand at their segment's middle, whatever their size. Grouped bars put one
    # label per series side by side: taken in x order, each run of len(legend) labels is a category.
    at_height = _at_height(labels)
    grouped = n_series >= 2 and at_height and len(labels) % n_series == 0
    anchors = _anchors(category_lines)
    if grouped:
        by_x = sorted(labels, key=lambda l: (l.x, l.end))
        positions = [by_x[i : i + n_series] for i in range(0, len(by_x), n_series)]
    elif anchors and len(clusters) != len(anchors):  # drifting labels: each to the nearest category
        positions = [[] for _ in anchors]
        for label in labels:
            positions[min(range(len(anchors)), key=lambda k: abs(anchors[k] - label.centre))].append(label)
    else:
        positions = clusters
    categories = _categories(category_lines, positions)
    if not labels:
        return Chart(title=title, series=[ChartSeries(s, []) for s in legend], categories=categories,
                     values_in_text=False, notes=[repair_mojibake(n) for n in notes])

    names = legend or [_series_name(title)]
    series = [ChartSeries(name, []) for name in names]
    for k, position in enumerate(positions):
        if not position:
            continue
        category = categories[k] if k < len(categories) else str(k + 1)
        if grouped:
            ordered = sorted(position, key=lambda l: l.x)  # grouped bars: the legend's order left to right
        else:
            ordered = sorted(position, key=lambda l: -l.y)  # stacked bars: the legend's order bottom-up
        for i, label in enumerate(ordered):
            while i >= len(series):
                series.append(ChartSeries(f"Series {len(series) + 1}", []))
            series[i].points.append((category, label.text))
    return Chart(title=title, series=series, categories=categories, values_in_text=True,
                 notes=[repair_mojibake(n) for n in notes])


def _at_height(labels: list[_Label]) -> bool:
    """Whether larger values stand higher on the page (nine pairs in ten agree): labels at bar tops."""
    agree = total = 0
    values = [(_number(l.text), l.y) for l in labels]
    for i, (v, y) in enumerate(values):
        for w, z in values[i + 1 :]:
            if v is None or w is None or v == w or y == z:
                continue
            total += 1
            agree += (v > w) == (y < z)
    return total > 0 and agree >= 0.9 * total


def _anchors(lines: list[tuple[int, str]]) -> list[float]:
    """Centres of the first category line's words (years, one-word names), or of its runs of text."""
    if not lines:
        return []
    first = lines[0][1]
    words = [(m.start() + m.end()) / 2 for m in re.finditer(r"\S+", first)]
    runs = [(sg.x + sg.end) / 2 for sg in segments(first)]
    return words if len(words) == len(runs) else runs


def _series_name(title: str) -> str:
    m = re.match(r"^\S+\s*\d+[A-Za-z]?\s*(.*)$", title)
    return (m.group(1) if m else title).strip() or title


def _ticks(plot: list[_Label]) -> list[_Label]:
    """The value axis: among the leftmost figure of each line, the longest run down the page (at least
    three) whose values step evenly ("100%", "80%" … "0%"), printed within a few characters of each other."""
    leftmost: dict[int, _Label] = {}
    for label in plot:
        if label.y not in leftmost or label.x < leftmost[label.y].x:
            leftmost[label.y] = label
    column = sorted(leftmost.values(), key=lambda l: l.y)
    values = [_number(l.text) for l in column]
    best: list[_Label] = []
    for i in range(len(column)):
        for j in range(i + 1, len(column)):
            if values[i] is None or values[j] is None or values[j] == values[i]:
                continue
            step = values[j] - values[i]  # type: ignore[operator]
            chain, last = [column[i], column[j]], values[j]
            if abs(column[j].end - column[i].end) > 8:
                continue
            for k in range(j + 1, len(column)):
                if values[k] is not None and abs(values[k] - (last + step)) < 1e-9 \
                        and abs(column[k].end - column[i].end) <= 8:  # type: ignore[operator]
                    chain.append(column[k])
                    last = values[k]
            ends = [l.end for l in chain]
            if len(chain) > len(best) and max(ends) - min(ends) <= 8:
                best = chain
    return best if len(best) >= 3 else []


def _clusters(labels: list[_Label]) -> list[list[_Label]]:
    """Data labels that share a bar position: their x spans overlap."""
    out: list[list[_Label]] = []
    span: list[tuple[int, int]] = []
    for label in sorted(labels, key=lambda l: l.x):
        if span and label.x < span[-1][1]:
            out[-1].append(label)
            span[-1] = (span[-1][0], max(span[-1][1], label.end))
        else:
            out.append([label])
            span.append((label.x, label.end))
    return out


def _categories(lines: list[tuple[int, str]], positions: list[list[_Label]]) -> list[str]:
    """Category names. The first category line gives one span per category when it has as many words (or
    runs of text) as there are bar positions; the words of the lines below go to the span they overlap.
    Otherwise each word goes to the nearest bar position; without data labels the first line's runs of
    text are the categories."""
    if not lines:
        return []
    first = lines[0][1]
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", first)]
    runs = [(sg.x, sg.end) for sg in segments(first)]
    spans: list[tuple[float, float]] | None = None
    if positions and len(words) == len(positions):
        spans = [(float(a), float(b)) for a, b in words]
    elif not positions or len(runs) == len(positions):
        spans = [(float(a), float(b)) for a, b in runs]
    if spans is None:
        spans = [(c, c) for c in ((min(l.x for l in p) + max(l.end for l in p)) / 2 if p else -1.0 for p in positions)]
    names: list[list[str]] = [[] for _ in spans]
    for _, line in lines:
        row: dict[int, list[str]] = {}
        for m in re.finditer(r"\S+", line):
            a, b = m.start(), m.end()
            overlaps = [min(b, hi) - max(a, lo) for lo, hi in spans]
            if max(overlaps) > 0:
                i = overlaps.index(max(overlaps))
            else:
                centre = (a + b) / 2
                i = min(range(len(spans)), key=lambda k: min(abs(spans[k][0] - centre), abs(spans[k][1] - centre)))
            row.setdefault(i, []).append(m.group())
        for i, ws in row.items():
            names[i].append(" ".join(ws))
    vocab = _vocabulary()
    return [join_lines([repair_mojibake(l) for l in parts], vocab) for parts in names]


def render_chart(chart: Chart) -> str:
    """Title line, one line per series ("Series: 2021 21%, 2022 11%") or, for categories by name with
    several series, one line per category ("Category: Series A 3.6%; Series B 3.2%"), then the notes."""
    lines = [chart.title]
    if not chart.values_in_text:
        lines.append(NO_VALUES)
        if chart.series:
            lines.append("Series: " + ", ".join(s.label for s in chart.series))
        if chart.categories:
            lines.append("Categories: " + ", ".join(chart.categories))
    else:
        lines += chart_lines(chart)
    return "\n".join(lines + chart.notes)


def by_category(chart: Chart) -> bool:
    """Categories by name with several series read best one category a line."""
    return len(chart.series) > 1 and not all(is_value(c) for c in chart.categories if c)


def chart_lines(chart: Chart) -> list[str]:
    if by_category(chart):
        out = []
        for category in chart.categories:
            values = [f"{s.label} {v}" for s in chart.series for c, v in s.points if c == category]
            out.append(f"{category}: " + "; ".join(values))
        return out
    return [f"{s.label}: " + ", ".join(f"{c} {v}" for c, v in s.points) for s in chart.series if s.points]
