"""`rag eval`: the parsed options (rag/eval_options.py) to a run, its reports, the gate or --write-thresholds."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rag.eval_options import ANSWERERS, BASELINES, DEFAULT_SET
from rag.evaluation.candidates import add_candidate
from rag.evaluation.dataset import EvalItem, EvalSetError, check_items_against_pages, load_items
from rag.evaluation.gate import check_thresholds, propose_thresholds
from rag.evaluation.report import print_summary, write_reports
from rag.evaluation.runner import run_evaluation


def _configured_answerer() -> str:
    from rag.config import get_settings

    return get_settings().answerer


def _selected_systems(args: argparse.Namespace) -> list[str]:
    chosen = args.baseline or ["all"]
    if "none" in chosen and len(chosen) > 1:
        raise EvalSetError("--baseline none cannot be combined with other baselines")
    baselines = list(BASELINES) if "all" in chosen else [b for b in BASELINES if b in chosen]
    baselines += [a for a in ANSWERERS if a in chosen and a != (args.answerer or _configured_answerer())]
    systems = ([] if args.no_system else ["system"]) + baselines
    if not systems:
        raise EvalSetError("nothing to run: --no-system with --baseline none")
    return systems


def _filter(items: list[EvalItem], args: argparse.Namespace) -> list[EvalItem]:
    if args.ids:
        unknown = set(args.ids) - {i.id for i in items}
        if unknown:
            raise EvalSetError(f"no such item id(s): {', '.join(sorted(unknown))}")
        items = [i for i in items if i.id in set(args.ids)]
    if args.category:
        items = [i for i in items if i.category in set(args.category)]
    if args.limit:
        items = items[: args.limit]
    if not items:
        raise EvalSetError("no items left after filtering")
    return items


def _validate(items: list[EvalItem], args: argparse.Namespace, console: Any) -> int:
    from rag.config import get_settings
    from rag.ingest.loaders import discover, load_file
    from rag.ingest.pipeline import reconstruct_pages

    corpus = list(args.corpus or [get_settings().corpus_dir])
    pages = reconstruct_pages([p for path in discover(corpus) for p in load_file(path)])
    texts: dict[str, str] = {}
    for page in pages:
        texts[page.page_label] = texts.get(page.page_label, "") + "\n" + page.text
    problems = check_items_against_pages(items, texts)
    for problem in problems:
        console.print(f"[yellow]•[/] {problem}")
    console.print(f"{len(items)} items, {len(problems)} problem(s) against {len(pages)} reconstructed page(s)")
    return 1 if problems else 0


def main(args: list[str] | None = None) -> int:
    """`rag eval ARGS…` (the options are in rag/eval_options.py); returns the exit code."""
    import typer

    from rag.cli import app

    try:
        typer.main.get_command(app).main(args=["eval", *(args if args is not None else sys.argv[1:])],
                                         prog_name="rag")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return 0


def run_cli(ns: argparse.Namespace) -> int:
    """Run `rag eval` with its parsed options; returns the exit code."""
    from rich.console import Console

    console = Console(stderr=False)
    err = Console(stderr=True)
    if ns.add:
        return add_candidate(ns, err)
    try:
        systems = _selected_systems(ns)
        full = load_items(ns.set_path)
        items = _filter(full, ns)
        if ns.validate:
            return _validate(items, ns, console)
        thresholds = None
        if ns.gate:
            try:
                thresholds = json.loads(ns.thresholds.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise EvalSetError(f"{ns.thresholds}: cannot read thresholds ({exc})") from exc
            if Path(thresholds.get("set", DEFAULT_SET)).resolve() != ns.set_path.resolve():
                raise EvalSetError(f"{ns.thresholds} holds thresholds for {thresholds.get('set')}, not {ns.set_path}")
        if ns.write_thresholds and len(items) < len(full):
            raise EvalSetError("--write-thresholds needs the whole set (drop --category/--ids/--limit)")
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("building the index", total=None)

            def progress(name: str, n: int, total: int) -> None:
                bar.update(task, description=f"evaluating {name}", completed=n, total=total)

            run = run_evaluation(items, systems=systems, answerer=ns.answerer, data_dir=ns.data_dir,
                                 corpus=ns.corpus, set_path=ns.set_path, max_answer_chars=ns.max_answer_chars,
                                 progress=progress, ablate=ns.ablate)
    except EvalSetError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    except Exception as exc:
        from rag.index import IndexError_

        if isinstance(exc, IndexError_):
            err.print(f"[red]error:[/] {exc}")
            return 2
        raise

    name = ns.name or ("subset" if len(items) < len(full) else
                       "latest" if ns.set_path.name == DEFAULT_SET.name else ns.set_path.stem)
    previous = None
    try:
        previous = json.loads((ns.out / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        pass
    if ns.json:
        console.print_json(json.dumps({n: s.metrics for n, s in run.systems.items()}))
    else:
        print_summary(run, console, previous, failures=ns.show)
    if not ns.no_report:
        paths = write_reports(run, ns.out, name)
        err.print("reports: " + ", ".join(str(p) for p in paths.values()))
    code = 0
    if "system" in run.systems and (ns.write_thresholds or ns.gate):
        metrics = run.systems["system"].metrics
        if ns.write_thresholds:
            old = None
            if ns.thresholds.exists():
                old = json.loads(ns.thresholds.read_text(encoding="utf-8"))
            new = propose_thresholds(metrics, old, margin=ns.margin, allow_lower=ns.allow_lower)
            new["set"] = ns.set_path.as_posix()
            ns.thresholds.write_text(json.dumps(new, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            err.print(f"thresholds written to {ns.thresholds}")
            thresholds = thresholds if thresholds is not None else new
        if ns.gate and thresholds is not None:
            partial = len(items) < len(full)
            if partial:
                err.print("[yellow]filtered run:[/] the gate checks only the categories in it, not the overall floors")
            failures = check_thresholds(metrics, thresholds, partial=partial)
            for failure in failures:
                err.print(f"[red]below threshold:[/] {failure}")
            if failures:
                code = 1
            else:
                err.print(f"[green]gate passed[/] ({ns.thresholds})")
    elif ns.gate or ns.write_thresholds:
        err.print("[red]error:[/] --gate and --write-thresholds need the system in the run (drop --no-system)")
        code = 2
    return code


if __name__ == "__main__":
    sys.exit(main())
