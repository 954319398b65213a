"""The `rag` command: ingest the report, inspect pages, ask, chat, serve, evaluate."""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rag.citations import citation_line
from rag.config import get_settings
from rag.eval_options import HELP as EVAL_HELP, ManyValuesCommand, eval_command

app = typer.Typer(
    help="Ask the AmCham South China 2026 Special Report questions; answers quote the report and cite the page.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)
err = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        from rag import version

        typer.echo(f"rag {version()}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Ask the AmCham South China 2026 Special Report questions; answers quote the report and cite the page.

    Settings come from RAG_* environment variables or .env (rag/config.py lists them).
    """


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
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Files or folders (.txt page exports, .pdf). Default: corpus/ and the uploaded files."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and embed everything again."),
) -> None:
    """Read report files into the index. Idempotent: unchanged files are skipped, changed ones replaced.

    Exit code 0 when every file was read, 2 when some were skipped (each is named with the reason).
    """
    from rag.index import IndexError_, ReportIndex

    _quiet_libraries()
    settings = get_settings()
    # by default the corpus and the files uploaded through POST /v1/sources (so a --rebuild keeps them)
    targets = paths or [settings.corpus_dir, *([settings.upload_dir] if settings.upload_dir.is_dir() else [])]
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
    for source in report.removed_sources:
        err.print(f"removed {source}: no longer in its folder", markup=False)
    console.print(
        f"files {report.files} · pages {report.pages} · chunks added {report.added}, unchanged {report.unchanged}, "
        f"removed {report.removed} · sources removed {len(report.removed_sources)} · "
        f"skipped {len(report.skipped) + len(missing)} · {report.seconds:.1f}s"
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
        console.print(f"  [{n}] {citation_line(c)}", markup=False, highlight=False)


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


def _reader(history_file: Path):
    """A function that reads one question: prompt_toolkit (line editing, history in ``history_file``) on a
    terminal, plain lines when stdin is a pipe or a file."""
    if not sys.stdin.isatty():
        return lambda: console.input("> ")
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    history_file.parent.mkdir(parents=True, exist_ok=True)
    session = PromptSession(history=FileHistory(str(history_file)))
    return lambda: session.prompt("> ")


@app.command()
def chat(session: Optional[str] = typer.Option(None, "--session", metavar="ID",
                                               help="Resume this conversation (its id is shown at start).")) -> None:
    """Interactive chat; follow-up questions use the conversation. Empty line or Ctrl-D quits.

    On a terminal the line can be edited and earlier questions come back with the arrow keys (kept in the data dir's chat-history.txt); piped input is read line by line.
    """
    import uuid

    from rag.chain import QuestionError
    from rag.history import HistoryError
    from rag.index import IndexError_

    assistant = _assistant()
    if session:
        try:
            _, session = assistant.validate("resume", session)
            turns = len(assistant.history.turns(session))
        except (QuestionError, HistoryError) as exc:
            _fail(str(exc))
        note = f"resuming session {session} ({turns} earlier turn{'s' if turns != 1 else ''})"
    else:
        session = uuid.uuid4().hex
        note = f"session {session} (resume with `rag chat --session {session}`)"
    err.print(note, highlight=False)
    console.print("Ask the report a question (empty line to quit).", style="dim")
    read = _reader(assistant.settings.data_dir / "chat-history.txt")
    while True:
        try:
            question = read()
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        try:
            response = assistant.ask(question, session)
        except (QuestionError, HistoryError, IndexError_) as exc:
            err.print(f"[red]{exc}[/]")
            continue
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


app.command("eval", cls=ManyValuesCommand, help=EVAL_HELP, no_args_is_help=False)(eval_command)


@app.command("slack")
def slack() -> None:
    """Run the Slack bot in Socket Mode until Ctrl+C (docs/slack.md).

    Configured by environment variables only: RAG_SLACK_APP_TOKEN (xapp-…, Socket Mode) and RAG_SLACK_BOT_TOKEN (xoxb-…); both are checked with Slack before the index loads. Exit code 2 when one is missing, 1 when Slack refuses it or cannot be reached.
    """
    from api.slack.socket_mode import run_socket_mode

    _quiet_libraries()
    raise typer.Exit(run_socket_mode(get_settings(), []))


@app.command("sources")
def sources(as_json: bool = typer.Option(False, "--json", help="One JSON list, as GET /v1/sources.")) -> None:
    """List the ingested files: path, kind, pages and printed labels, chunks, when ingested.

    Paths are relative to the corpus root (RAG_CORPUS_DIR); uploads show their file name."""
    import json
    from datetime import datetime, timezone

    from rag.index import IndexError_, ReportIndex

    try:
        listed = ReportIndex.open(get_settings()).source_list()
    except IndexError_ as exc:
        _fail(str(exc))
    if as_json:
        console.print_json(json.dumps(listed, ensure_ascii=False))
        return
    if not listed:
        console.print("no sources: run `rag ingest` first")
    for s in listed:
        when = (datetime.fromtimestamp(s["ingested"], timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
                if s["ingested"] else "unknown")
        labels = ", ".join(s["page_labels"][:8]) + (" …" if len(s["page_labels"]) > 8 else "")
        console.print(f"{s['path']} · {s['kind']} · pages {s['pages']} ({labels}) · chunks {s['chunks']} · "
                      f"ingested {when}", markup=False)


@app.command("remove")
def remove(path: str = typer.Argument(..., help="A source as `rag sources` lists it, its file path, or its file name.")) -> None:
    """Remove one source from the index: its chunks in Chroma, the lexical index and the manifest."""
    from rag.index import IndexError_, ReportIndex

    _quiet_libraries()
    try:
        index = ReportIndex.open(get_settings())
        source = index.find_source(path)
        if source is None:
            _fail(f"no source named {path!r}; `rag sources` lists them")
        report = index.remove(source)
    except IndexError_ as exc:
        _fail(str(exc))
    console.print(f"removed {source} · chunks removed {report.removed} · {report.seconds:.1f}s", markup=False)


@app.command("feedback")
def feedback(
    rating: Optional[str] = typer.Option(None, "--rating", help="Only 'up' or only 'down' ratings."),
    out: Optional[Path] = typer.Option(None, "--out", help="Append to this JSONL file instead of printing."),
) -> None:
    """Export the web and Slack 👍/👎 ratings as candidate eval items (JSONL).

    One item per rating, in the format `rag eval --add` appends to evals/candidates.jsonl (review the
    items, fill in gold facts, then promote them); each names its session and turn, so
    `rag eval --add --from-session ID --turn N` reaches the same conversation."""
    import json

    from api.slack.store import SlackStore
    from rag.evaluation.candidates import make_candidate
    from rag.history import ConversationStore, HistoryError

    if rating not in (None, "up", "down"):
        _fail("--rating must be 'up' or 'down'")
    url = get_settings().resolved_history_url
    try:
        history = ConversationStore(url)
        votes = [("web", v) for v in history.feedback()]
    except HistoryError as exc:
        _fail(str(exc))
    votes += [("slack", v) for v in SlackStore(history).feedback() if v.get("question")]
    taken: set[str] = set()
    lines = []
    for channel, vote in sorted(votes, key=lambda cv: cv[1]["created"]):
        if rating and vote["rating"] != rating:
            continue
        up, history, cited = vote["rating"] == "up", vote.get("history") or [], vote.get("citations") or []
        answerable = not (up and vote.get("abstained"))
        label = str(cited[0].get("page_label") or "") if cited and up else ""
        where = f"session {vote['session_id']} turn {vote['turn']}" if vote.get("turn") else f"session {vote.get('session_id')}"
        item = make_candidate(
            question=vote["question"], history=history, answerable=answerable,
            category="followup" if history else "figure" if answerable else "unanswerable",
            page=int(label) if label.isdigit() else None, quote=cited[0].get("quote") if cited and up else None,
            expected=vote["answer"] if up else None, observed=vote["answer"],
            observed_citations=[{k: c.get(k) for k in ("page_label", "quote")} for c in cited],
            notes=f"{channel} feedback: {'helpful' if up else 'not helpful'}", source=f"{channel} feedback {where}",
            existing_ids=taken)
        taken.add(item["id"])
        lines.append(json.dumps(item, ensure_ascii=False))
    if out is None:
        for line in lines:
            print(line)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "a", encoding="utf-8") as fh:
            fh.writelines(line + "\n" for line in lines)
    err.print(f"{len(lines)} rated answers" + (f" appended to {out}" if out else ""))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
