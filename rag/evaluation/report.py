"""A run shown: the terminal tables, and the committed reports (Markdown, one-line-per-item JSON, PNG chart)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rag.evaluation.metrics import LOWER_IS_BETTER, METRIC_LABELS
from rag.evaluation.runner import EvalRun
from rag.verify import VERDICTS


def _fmt(value: Any, name: str = "") -> str:
    if value is None:
        return "—"
    if name.endswith("_ms"):
        return f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


SUMMARY_METRICS = ("answer_accuracy", "fact_recall", "page_accuracy", "quote_accuracy", "page_hit_at_1",
                   "page_hit_at_5", "page_mrr", "chunk_hit_at_1", "chunk_hit_at_5", "chunk_mrr", "abstention_precision",
                   "abstention_recall", "false_abstention_rate", "figure_faithfulness", "latency_p50_ms",
                   "latency_p95_ms", *(f"{kind}_rate" for kind in VERDICTS))


def shown_metrics(run: EvalRun) -> list[str]:
    """The summary rows with a value for some system (the verification rows only when an LLM answered)."""
    return [m for m in SUMMARY_METRICS
            if any(r.metrics["overall"].get(m) is not None for r in run.systems.values())]


def print_summary(run: EvalRun, console: Any, previous: dict[str, Any] | None = None, *, failures: int = 8) -> None:
    """The rich tables: metrics by system (with the change since the previous report), answer accuracy by
    category, and the system's first failures."""
    from rich.table import Table

    names = list(run.systems)
    prev_system = ((previous or {}).get("systems") or {}).get("system") or {}
    comparable = "system" in run.systems and [i.get("id") for i in prev_system.get("items", [])] == [
        o.id for o in run.systems["system"].outcomes]
    prev = prev_system.get("metrics", {}).get("overall", {}) if comparable else {}
    table = Table(title=f"rag eval · {run.set_path} · {len(run.items)} items · {run.answerer} answerer")
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right", style="bold" if name == "system" else None)
    if prev and "system" in run.systems:
        table.add_column("Δ since last", justify="right")
    for metric in shown_metrics(run):
        row = [METRIC_LABELS[metric]] + [_fmt(run.systems[n].metrics["overall"].get(metric), metric) for n in names]
        if prev and "system" in run.systems:
            now, before = run.systems["system"].metrics["overall"].get(metric), prev.get(metric)
            if now is None or before is None or now == before:
                row.append("")
            else:
                better = (now < before) == (metric in LOWER_IS_BETTER)
                delta = f"{now - before:+.0f}" if metric.endswith("_ms") else f"{now - before:+.3f}"
                row.append(f"[{'green' if better else 'red'}]{delta}[/]")
        table.add_row(*row)
    console.print(table)

    cats = Table(title="answer accuracy by category (page citation accuracy in brackets)")
    cats.add_column("category")
    cats.add_column("n", justify="right")
    for name in names:
        cats.add_column(name, justify="right")
    first = run.systems[names[0]].metrics["by_category"]
    for category, values in first.items():
        row = [category, str(values["n"])]
        for name in names:
            m = run.systems[name].metrics["by_category"][category]
            page = f" ({_fmt(m['page_accuracy'])})" if m["page_accuracy"] is not None else ""
            row.append(f"{_fmt(m['answer_accuracy'])}{page}")
        cats.add_row(*row)
    console.print(cats)

    main = run.systems.get("system") or run.systems[names[0]]
    wrong = [o for o in main.outcomes if not o.correct or o.unsupported]
    if wrong and failures:
        shown = min(failures, len(wrong))
        fails = Table(title=f"{main.name}: {len(wrong)} failures (first {shown}; all in the report)")
        fails.add_column("id", no_wrap=True, max_width=26)
        fails.add_column("answer", no_wrap=True, ratio=1)
        fails.add_column("why", ratio=1)
        for o in wrong[:failures]:
            fails.add_row(o.id, _short(o.answer, 60), _short("; ".join(o.reasons), 120))
        console.print(fails)
    errors = sum(1 for s in run.systems.values() for o in s.outcomes if o.error)
    if errors:
        console.print(f"[red]{errors} item(s) raised an error; see the report[/]")


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_chart(run: EvalRun, path: Path) -> None:
    """Key metrics by system, and answer accuracy by category and system, as one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(run.systems)
    metrics = ("answer_accuracy", "fact_recall", "page_accuracy", "chunk_hit_at_1", "chunk_mrr", "abstention_recall",
               "false_abstention_rate", "figure_faithfulness")
    categories = list(run.systems[names[0]].metrics["by_category"])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8.5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        overall = run.systems[name].metrics["overall"]
        xs = [j + i * width for j in range(len(metrics))]
        top.bar(xs, [overall.get(m) or 0 for m in metrics], width, label=name)
        by_cat = run.systems[name].metrics["by_category"]
        xs = [j + i * width for j in range(len(categories))]
        bottom.bar(xs, [by_cat[c]["answer_accuracy"] or 0 for c in categories], width, label=name)
    top.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(metrics))],
                   [METRIC_LABELS[m] for m in metrics], fontsize=8)
    top.set_title(f"{Path(run.set_path).name}: system vs baselines ({len(run.items)} items)")
    bottom.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(categories))], categories, fontsize=8,
                      rotation=20)
    bottom.set_title("answer accuracy by category")
    for axis in (top, bottom):
        axis.set_ylim(0, 1.15)
        axis.grid(axis="y", alpha=0.3)
        axis.legend(fontsize=8, ncols=len(names), loc="upper center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_markdown(run: EvalRun, path: Path, chart: Path | None) -> None:
    """The committed report: summary vs baselines, per category, failures, and every question."""
    names = list(run.systems)
    main = run.systems.get("system") or run.systems[names[0]]
    lines = [
        f"# Evaluation report: `{run.set_path}`",
        "",
        f"{len(run.items)} items · {run.answerer} answerer · created {run.created}"
        + (f" · commit `{run.commit[:12]}`" if run.commit else "")
        + f" · set sha256 `{run.set_sha256[:12]}`",
        "",
        "Generated by `rag eval`; do not edit. Metric definitions: `evals/README.md` (matching) and "
        "`rag/evaluation/metrics.py` (`compute_metrics`). An answer is correct when every gold fact group matches, it is at "
        f"most {run.max_answer_chars} characters and it is not an abstention (unanswerable items: it abstains).",
        "",
        "| system | what it is |",
        "|---|---|",
        *[f"| {n} | {_md(run.systems[n].description)} |" for n in names],
        "",
        "## Overall",
        "",
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for metric in shown_metrics(run):
        lines.append(f"| {METRIC_LABELS[metric]} | "
                     + " | ".join(_fmt(run.systems[n].metrics["overall"].get(metric), metric) for n in names) + " |")
    if chart is not None:
        lines += ["", f"![metrics by system and category]({chart.name})"]
    lines += ["", "## Answer accuracy by category", "",
              "Page citation accuracy in brackets (answerable items only).", "",
              "| category | n | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for category, values in main.metrics["by_category"].items():
        cells = []
        for n in names:
            m = run.systems[n].metrics["by_category"][category]
            page = f" ({_fmt(m['page_accuracy'])})" if m["page_accuracy"] is not None else ""
            cells.append(f"{_fmt(m['answer_accuracy'])}{page}")
        lines.append(f"| {category} | {values['n']} | " + " | ".join(cells) + " |")
    lines += ["", f"## {main.name} by category", "",
              "| category | n | answer | page | chunk hit@1 | chunk MRR | abst. recall | false abst. | faithful "
              "| p50 ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for category, m in main.metrics["by_category"].items():
        lines.append(f"| {category} | {m['n']} | {_fmt(m['answer_accuracy'])} | {_fmt(m['page_accuracy'])} | "
                     f"{_fmt(m['chunk_hit_at_1'])} | {_fmt(m['chunk_mrr'])} | {_fmt(m['abstention_recall'])} | "
                     f"{_fmt(m['false_abstention_rate'])} | {_fmt(m['figure_faithfulness'])} | "
                     f"{_fmt(m['latency_p50_ms'], 'latency_p50_ms')} |")
    wrong = [o for o in main.outcomes if not o.correct or o.unsupported]
    lines += ["", f"## {main.name} failures ({len(wrong)})", ""]
    if wrong:
        lines += ["| id | question | answer | why |", "|---|---|---|---|"]
        lines += [f"| {o.id} | {_md(o.question)} | {_md(_short(o.answer, 220))} | {_md('; '.join(o.reasons))} |"
                  for o in wrong]
    else:
        lines.append("None.")
    others = [n for n in names if n != main.name]
    by_id = {n: {o.id: o for o in run.systems[n].outcomes} for n in others}
    lines += ["", "## Every question", "",
              f"✓/✗ = answer correct; page = first citation; chunk = rank of the first retrieved chunk holding the "
              f"gold quote. Baseline columns show whether each baseline got the item right.", "",
              "| id | category | question | answer | ok | page | chunk | ms | " + " | ".join(others)
              + (" |" if others else "|"),
              "|---|---|---|---|:-:|---:|---:|---:|" + ":-:|" * len(others)]
    for o in main.outcomes:
        cells = [o.id, o.category, _md(o.question), _md(_short(o.answer, 160)), "✓" if o.correct else "✗",
                 o.citation_pages[0] if o.citation_pages else "—", str(o.chunk_rank or "—"),
                 f"{o.seconds * 1000:.0f}"]
        cells += ["✓" if by_id[n][o.id].correct else "✗" for n in others]
        lines.append("| " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def dump_run(data: dict[str, Any]) -> str:
    """The run as indented JSON with one line per item, so a committed report diffs item by item."""
    compact: dict[str, str] = {}
    for name, system in data["systems"].items():
        items = []
        for item in system["items"]:
            if item.get("quote") and item["quote"] in item.get("answer", ""):
                item = {**item, "quote": "<in the answer>"}  # extractive answers hold their quote verbatim
            items.append(json.dumps(item, ensure_ascii=False))
        key = f"@@items:{name}@@"
        compact[json.dumps(key)] = "[\n" + ",\n".join("   " + line for line in items) + "\n  ]"
        system["items"] = key
    text = json.dumps(data, ensure_ascii=False, indent=1)
    for key, value in compact.items():
        text = text.replace(key, value)
    return text + "\n"


def write_reports(run: EvalRun, out: Path, name: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / f"{name}.json", "markdown": out / f"{name}.md", "chart": out / f"{name}.png"}
    paths["json"].write_text(dump_run(run.to_json()), encoding="utf-8")
    try:
        write_chart(run, paths["chart"])
    except ImportError:
        paths.pop("chart")
    write_markdown(run, paths["markdown"], paths.get("chart"))
    return paths

