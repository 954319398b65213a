"""The `rag` command: ingest the report, inspect pages, ask, chat, serve, evaluate."""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rag.config import get_settings

app = typer.Typer(
    help="Ask the AmCham South China 2026 Special Report questions; answers quote the report and cite the page.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)
err = Console(stderr=True)


def _quiet_libraries() -> None:
    import os

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    for name in ("transformers", "sentence_transformers", "chromadb", "httpx"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if "transformers" in sys.modules:  # never imported for it (seconds); the torch backend quiets it on load
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders (.txt page exports, .pdf). Default: corpus/."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and embed everything again."),
) -> None:
    """Read report files into the index. Idempotent: unchanged files are skipped, changed ones replaced.

    Exit code 0 when every file was read, 2 when some were skipped (each is named with the reason).
    """
    from rag.index import IndexError_, ReportIndex

    _quiet_libraries()
    settings = get_settings()
    targets = paths or [settings.corpus_dir]
    missing = [p for p in targets if not p.exists()]
    for p in missing:
        err.print(f"[yellow]skipped[/] {p}: no such file or folder")
    targets = [p for p in targets if p.exists()]
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("starting", total=None)

        def report_progress(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total)

        try:
            index = ReportIndex.open(settings)
            report = index.ingest(targets, rebuild=rebuild, progress=report_progress)
        except IndexError_ as exc:
            _fail(str(exc))
    for path, reason in report.skipped:
        err.print(f"[yellow]skipped[/] {path}: {reason}")
    console.print(
        f"files {report.files} · pages {report.pages} · chunks added {report.added}, unchanged {report.unchanged}, "
        f"removed {report.removed} · skipped {len(report.skipped) + len(missing)} · {report.seconds:.1f}s"
    )
    if report.skipped or missing:
        raise typer.Exit(2)


@app.command()
def inspect(
    page: str = typer.Argument(..., help="Page number or printed page label."),
    source: Optional[str] = typer.Option(None, "--source", help="Source file (path or file name) when several hold the page."),
) -> None:
    """Print the reconstructed text of a page, then its chunks with their metadata."""
    from rag.index import IndexError_, ReportIndex

    try:
        index = ReportIndex.open(get_settings())
    except IndexError_ as exc:
        _fail(str(exc))
    found = index.page(page, source)
    if found is None:
        _fail(f"page {page} is not in the index{f' for {source}' if source else ''}; run `rag ingest` first?")
    console.rule(f"{found.source} · page {found.page} (printed {found.page_label})")
    console.print(found.text, markup=False, highlight=False)
    _print_structures(found)
    console.rule("chunks")
    for chunk in index.chunks.values():
        if chunk.source == found.source and chunk.page == found.page:
            console.print(f"[bold]{chunk.id}[/] [{chunk.start}:{chunk.end}] {chunk.kind} · section: {chunk.section or '-'}")
            for note in chunk.footnotes:
                console.print(f"  source: {note}", markup=False)
            console.print(f"  {chunk.text}", markup=False, highlight=False)


def _print_structures(page) -> None:
    """Tables and charts of the page as rows and columns (the text above holds their one-line rendering)."""
    from rich.table import Table as RichTable

    for block in page.blocks:
        if block.table is not None:
            grid = RichTable(title=block.table.title, caption="\n".join(block.table.notes) or None)
            for header in block.table.headers:
                grid.add_column(header or "", overflow="fold")
            for row in block.table.rows:
                grid.add_row(*row)
            console.print(grid)
        elif block.chart is not None:
            chart = block.chart
            grid = RichTable(title=chart.title, caption="\n".join(chart.notes) or None)
            grid.add_column("series")
            categories = chart.categories or sorted({c for s in chart.series for c, _ in s.points})
            for category in categories:
                grid.add_column(category)
            for series in chart.series:
                values = dict(series.points)
                grid.add_row(series.label, *(values.get(c, "—" if chart.values_in_text else "(not in text)")
                                             for c in categories))
            console.print(grid)


def _assistant():
    from rag.chain import ReportAssistant
    from rag.history import HistoryError
    from rag.index import IndexError_

    _quiet_libraries()
    settings = get_settings()
    try:
        assistant = ReportAssistant.from_settings(settings)
    except (IndexError_, HistoryError) as exc:
        _fail(str(exc))
    if not assistant.index.ready:
        _fail(f"the index in {settings.data_dir} is empty; run `rag ingest` first.")
    return assistant


def _print_response(response, *, as_json: bool) -> None:
    if as_json:
        typer.echo(response.model_dump_json(indent=2))
        return
    style = "yellow" if response.abstained else "bold"
    console.print(response.answer, style=style, markup=False, highlight=False)
    for n, c in enumerate(response.citations, start=1):
        console.print(f"  [{n}] p. {c.page_label} · {c.source} · “{c.quote}”", markup=False, highlight=False)


@app.command()
def ask(
    question: str = typer.Argument(..., help="The question, in quotes."),
    session: Optional[str] = typer.Option(None, "--session", help="Continue this conversation (follow-ups)."),
    as_json: bool = typer.Option(False, "--json", help="Print the same JSON object as POST /v1/chat."),
) -> None:
    """Ask one question; prints the answer and its page citations."""
    from rag.chain import QuestionError
    from rag.history import HistoryError
    from rag.index import IndexError_

    assistant = _assistant()
    try:
        response = assistant.ask(question, session)
    except (QuestionError, HistoryError, IndexError_) as exc:
        _fail(str(exc))
    _print_response(response, as_json=as_json)
    if not as_json:
        err.print(f"session {response.session_id} (continue with --session {response.session_id})")


@app.command()
def chat(session: Optional[str] = typer.Option(None, "--session", help="Resume a conversation.")) -> None:
    """Interactive chat; follow-up questions use the conversation. Empty line or Ctrl-D quits."""
    from rag.chain import QuestionError
    from rag.history import HistoryError
    from rag.index import IndexError_

    assistant = _assistant()
    console.print("Ask the report a question (empty line to quit).", style="dim")
    while True:
        try:
            question = console.input("[bold cyan]> [/]")
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        try:
            response = assistant.ask(question, session)
        except (QuestionError, HistoryError, IndexError_) as exc:
            err.print(f"[red]{exc}[/]")
            continue
        session = response.session_id
        _print_response(response, as_json=False)


@app.command()
def serve(
    host: Optional[str] = typer.Option(None, "--host", help="Default: RAG_HOST (127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Default: RAG_PORT (8000)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Default: RAG_WORKERS (1)."),
) -> None:
    """Serve the web chat and the HTTP API (uvicorn)."""
    from api.server import serve as run_server

    _quiet_libraries()
    settings = get_settings()
    run_server(settings, host=host or settings.host, port=port or settings.port, workers=workers or settings.workers)


@app.command("eval", context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                      "help_option_names": []})
def eval_(ctx: typer.Context) -> None:
    """Run the evaluation set through the chain and report metrics beside baselines (see `rag eval --help`)."""
    from rag.evaluate import main as run_eval

    _quiet_libraries()
    raise typer.Exit(run_eval(list(ctx.args)))


@app.command("slack", context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                       "help_option_names": []})
def slack(ctx: typer.Context) -> None:
    """Run the Slack bot in Socket Mode (needs RAG_SLACK_APP_TOKEN and RAG_SLACK_BOT_TOKEN)."""
    from api.slack_bot import run_socket_mode

    _quiet_libraries()
    raise typer.Exit(run_socket_mode(get_settings(), list(ctx.args)))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
