"""Draw bench/benchmarks.png from bench/results/*.json (whatever sizes have been measured)."""
from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.common import RESULTS, ROOT  # noqa: E402


def main() -> None:
    results = {p.stem: json.loads(p.read_text()) for p in RESULTS.glob("*.json")}
    ingest = sorted((r for k, r in results.items() if k.startswith("ingest-")), key=lambda r: r["pages"])
    query = sorted((r for k, r in results.items() if k.startswith("query-")), key=lambda r: r["pages"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    if ingest:
        labels = [str(r["pages"]) for r in ingest]
        left.bar(labels, [r["chunks_per_s"] for r in ingest], label="ingest chunks/s")
        left.plot(labels, [r["model_chunks_per_s"] for r in ingest], "r_", markersize=40, label="model alone (ceiling)")
        left.set_xlabel("pages")
        left.set_ylabel("chunks / s")
        left.set_title("Ingest throughput vs the embedding model")
        left.legend()
    if query:
        labels = [str(r["pages"]) for r in query]
        left_q = [r["p50_ms"] for r in query]
        right.bar([f"{l}\np50" for l in labels], left_q, color="tab:green")
        right.bar([f"{l}\np95" for l in labels], [r["p95_ms"] for r in query], color="tab:olive")
        right.axhline(200, color="r", linestyle="--", label="p95 target (200 ms)")
        right.set_ylabel("ms per question (warm, in-process chain)")
        right.set_title("Query latency by corpus size (pages)")
        right.legend()
    load = max((r["machine"]["load_avg"][0] for r in results.values()), default=0)
    fig.suptitle(f"2 cores, load average up to {load:.0f} from other jobs: absolute figures are pessimistic")
    fig.tight_layout()
    out = ROOT / "bench" / "benchmarks.png"
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
