"""Draw bench/benchmarks.png from bench/results/run_all.json: ours beside the naive pipeline, per corpus size."""
from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bench.common import RESULTS, ROOT  # noqa: E402

PANELS = [  # (title, phase, key, unit)
    ("Ingest time", "ingest", "seconds", "s"),
    ("Warm query p95", "query", "p95_ms", "ms"),
    ("Peak RSS (query process)", "query", "peak_rss_mb", "MB"),
    ("Index on disk", "ingest", "index_mb", "MB"),
]


def main() -> None:
    path = RESULTS / "run_all.json"
    if not path.exists():
        print(f"no {path}: run `python bench/run_all.py` first")
        return
    run = json.loads(path.read_text())
    sizes = sorted(run["sizes"], key=int)
    fig, axes = plt.subplots(1, len(PANELS), figsize=(16, 4))
    x = np.arange(len(sizes))
    for ax, (title, phase, key, unit) in zip(axes, PANELS):
        for offset, system, color in ((-0.2, "ours", "tab:blue"), (0.2, "naive", "tab:gray")):
            values = [run["sizes"][s][f"{system}_{phase}"][key] for s in sizes]
            bars = ax.bar(x + offset, values, 0.4, label=system, color=color)
            ax.bar_label(bars, fmt="%.0f", fontsize=8)
        ax.set_xticks(x, [f"{int(s):,} pages" for s in sizes])
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.legend()
    m = run["machine"]
    cold = run.get("cold")
    note = f" · cold `rag ask` {cold['ask_median_s']} s" if cold else ""
    rerun = [s for s in sizes if run["sizes"][s].get("note")]
    if rerun:
        note += f"\n{', '.join(f'{int(s):,}' for s in rerun)} pages: some phases rerun at another load (note in run_all.json)"
    loads = [r["load_avg_before"][0] for row in run["sizes"].values() for r in row.values()
             if isinstance(r, dict) and "load_avg_before" in r] or [m["load_avg"][0]]
    load = f"{min(loads)}–{max(loads)}" if min(loads) != max(loads) else f"{loads[0]}"
    fig.suptitle(f"ours ({run['backend']}) vs naive LangChain quickstart · {m['nproc']} cores, "
                 f"{m['memory_gb']} GB, load average {load} at the start of the phases (shared machine){note}")
    fig.tight_layout()
    out = ROOT / "bench" / "benchmarks.png"
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
