"""Command line: python -m tools.synth --pages 60 --seed 1 --out DIR [--kinds survey,table] [--pdf]."""
from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path
from typing import Sequence

from tools.synth import facts_of
from tools.synth.check import check
from tools.synth.report import KINDS, generate


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tools.synth",
        description="Write synthetic report pages of every kind, their plain text and questions: DIR/pages/page-N.txt "
                    "(the text export), DIR/plain/page-N.txt (reading order), DIR/questions.jsonl (eval schema), "
                    "DIR/absent.jsonl (near-miss strings of unanswerable items), DIR/facts.jsonl (one-turn facts).")
    ap.add_argument("--pages", type=int, required=True, help="number of pages")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help=f"comma-separated page kinds (default all: {','.join(KINDS)})")
    ap.add_argument("--start-page", type=int, default=1)
    ap.add_argument("--pdf", action="store_true", help="also write DIR/report.pdf (needs reportlab: the synth extra)")
    ap.add_argument("--check", action="store_true", help="run the self-check and exit 1 on any error")
    a = ap.parse_args(argv)
    if a.pages < 1:
        ap.error("--pages must be >= 1")
    kinds = [k.strip() for k in a.kinds.split(",") if k.strip()]
    try:
        t = time.perf_counter()
        corpus = generate(a.pages, seed=a.seed, kinds=kinds, start_page=a.start_page)
        seconds = time.perf_counter() - t
    except ValueError as e:
        ap.error(str(e))
    (a.out / "pages").mkdir(parents=True, exist_ok=True)
    (a.out / "plain").mkdir(parents=True, exist_ok=True)
    for page in corpus.pages:
        (a.out / "pages" / f"page-{page.number}.txt").write_text(page.text, encoding="utf-8")
        (a.out / "plain" / f"page-{page.number}.txt").write_text(page.plain, encoding="utf-8")
    with (a.out / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for q in corpus.questions:
            fh.write(json.dumps(q.row(), ensure_ascii=False) + "\n")
    with (a.out / "absent.jsonl").open("w", encoding="utf-8") as fh:
        for q in corpus.questions:
            if not q.answerable:
                fh.write(json.dumps({"id": q.id, "absent": q.absent}, ensure_ascii=False) + "\n")
    with (a.out / "facts.jsonl").open("w", encoding="utf-8") as fh:
        for f in facts_of(corpus):
            fh.write(json.dumps(f.__dict__, ensure_ascii=False) + "\n")
    if a.pdf:
        from tools.synth.pdf import render_pdf

        render_pdf(a.out / "report.pdf", corpus)
    cats = collections.Counter(q.category for q in corpus.questions)
    kinds_c = collections.Counter(p.kind for p in corpus.pages)
    print(f"wrote {len(corpus.pages)} pages ({', '.join(f'{k} {v}' for k, v in sorted(kinds_c.items()))}) and "
          f"{len(corpus.questions)} questions ({', '.join(f'{k} {v}' for k, v in sorted(cats.items()))}) to {a.out} "
          f"in {seconds:.2f} s", file=sys.stderr)
    if a.check:
        errors = check({p.number: p.plain for p in corpus.pages}, corpus.questions)
        for e in errors[:50]:
            print(e, file=sys.stderr)
        print(f"self-check: {len(errors)} errors", file=sys.stderr)
        return 1 if errors else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
