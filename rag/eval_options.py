"""The options of `rag eval` (Typer) and their defaults — light to import, so `rag --help` and `rag ask`
do not load the evaluation runner (rag/evaluation/) to describe them.

    rag eval --baseline naive lexical --corpus corpus other/   # several values after one option, as before
"""
from __future__ import annotations

from argparse import Namespace
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperCommand

DEFAULT_SET = Path("evals/eval_set.jsonl")
DEFAULT_OUT = Path("evals/reports")
DEFAULT_THRESHOLDS = Path("evals/thresholds.json")
DEFAULT_CANDIDATES = Path("evals/candidates.jsonl")
# An answer longer than this is not "short and exact", whatever it contains.
MAX_ANSWER_CHARS = 400
BASELINES = ("naive", "dense", "lexical")
# The same hybrid chain with the other answerer, side by side with the system (opt-in: "generative" needs an LLM).
ANSWERERS = ("extractive", "generative")

Baseline = Enum("Baseline", {name: name for name in (*BASELINES, *ANSWERERS, "all", "none")}, type=str)
Answerer = Enum("Answerer", {name: name for name in ANSWERERS}, type=str)

HELP = """Run an evaluation set through the chain; metrics beside baselines.

Answer accuracy, page citations, retrieval hit@k/MRR, abstention, figure faithfulness and latency, overall and per category, beside baselines. The index is built from the corpus in a temporary data dir; your .rag/ is not touched. Options marked … take several values (--baseline naive lexical).

\b
Examples:
  rag eval                               the system + naive, dense, lexical
  rag eval --baseline none               the system only
  rag eval --baseline naive lexical      the system and two baselines
  rag eval --set evals/dev_set.jsonl     another set (reports: dev_set.*)
  rag eval --category followup --show 20 one category, more failures shown
  rag eval --baseline none --gate        exit 1 below evals/thresholds.json
  rag eval --baseline none --write-thresholds
                                         raise the floors to this run
                                         minus --margin (never lowers)
  rag eval --validate                    check gold quotes and facts
  rag eval --answerer generative         the LLM answerer (RAG_LLM_*)
  rag eval --baseline naive generative   both answerers side by side

\b
Adding a question from a real conversation (to evals/candidates.jsonl):
  rag eval --add --question "How big is Gui'an New Area?" \\
      --fact "1,901 km²|1901 km" --page 156 --category paraphrase \\
      --observed "the answer the user saw"
  rag eval --add --from-session SESSION_ID [--turn N]
  rag eval --add --question "What is Shenzhen's GDP?" --unanswerable \\
      --category unanswerable

Reports: OUT/NAME.json (every item of every system), OUT/NAME.md (summary, categories, failures, every question), OUT/NAME.png (chart); NAME is "latest" for the full eval set. Exit codes: 0 ok, 1 gate failed, 2 bad arguments or data.
"""

RUN, OUTPUT, GATE, ADD = "Run", "Output", "Gate", "Adding a candidate question (--add)"


class ManyValuesCommand(TyperCommand):
    """Options listed in ``many`` take every value up to the next option (``--baseline naive lexical``),
    as argparse's ``nargs="+"`` did; they are rewritten as repeated options before parsing."""

    many = {"--baseline", "--corpus", "--category", "--ids", "--ablate"}

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        out: list[str] = []
        current: str | None = None
        for arg in args:
            if arg.startswith("-") and arg != "-":
                current = arg if arg in self.many else None
            elif current is not None and out[-1] != current:
                out.append(current)
            out.append(arg)
        return super().parse_args(ctx, out)


def eval_command(
    set_path: Path = typer.Option(DEFAULT_SET, "--set", metavar="FILE", help="Evaluation JSONL.",
                                  rich_help_panel=RUN),
    baseline: Optional[list[Baseline]] = typer.Option(
        None, "--baseline", metavar="NAME…", rich_help_panel=RUN,
        help="Baselines beside the system: naive, dense, lexical, all (default: these three) or none; "
             "'generative' or 'extractive' adds the same chain with that answerer, side by side with the system "
             "(e.g. --baseline all generative)."),
    no_system: bool = typer.Option(False, "--no-system", help="Run only the baselines.", rich_help_panel=RUN),
    answerer: Optional[Answerer] = typer.Option(None, "--answerer", rich_help_panel=RUN,
                                                help="Answerer for the system and the dense/lexical baselines "
                                                     "(default: RAG_ANSWERER)."),
    corpus: Optional[list[Path]] = typer.Option(None, "--corpus", metavar="PATH…", rich_help_panel=RUN,
                                                help="Files/folders to ingest (default corpus/)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", metavar="DIR", rich_help_panel=RUN,
                                            help="Evaluate against the existing index in DIR instead of a fresh "
                                                 "temporary one (with --add --from-session: where the "
                                                 "conversations are; default RAG_DATA_DIR)."),
    category: Optional[list[str]] = typer.Option(None, "--category", metavar="CAT…", rich_help_panel=RUN,
                                                 help="Only these categories (with --add: the new item's category)."),
    ids: Optional[list[str]] = typer.Option(None, "--ids", metavar="ID…", help="Only these item ids.",
                                            rich_help_panel=RUN),
    limit: Optional[int] = typer.Option(None, "--limit", metavar="N", help="Only the first N items.",
                                        rich_help_panel=RUN),
    ablate: Optional[list[str]] = typer.Option(None, "--ablate", metavar="FEATURE…", rich_help_panel=RUN,
                                               help="Hold these scorer features at their training mean "
                                                    "(rag/answer/features.py lists them)."),
    max_answer_chars: int = typer.Option(MAX_ANSWER_CHARS, "--max-answer-chars", metavar="N", rich_help_panel=RUN,
                                         help="Longest answer that counts as concise."),
    out: Path = typer.Option(DEFAULT_OUT, "--out", metavar="DIR", help="Report folder.", rich_help_panel=OUTPUT),
    name: Optional[str] = typer.Option(None, "--name", metavar="NAME", rich_help_panel=OUTPUT,
                                       help="Report file name (default: latest for the eval set, the set's name "
                                            "otherwise, subset when filtered)."),
    no_report: bool = typer.Option(False, "--no-report", help="Terminal output only.", rich_help_panel=OUTPUT),
    json: bool = typer.Option(False, "--json", help="Print the metrics as JSON instead of tables.",
                              rich_help_panel=OUTPUT),
    show: int = typer.Option(8, "--show", metavar="N", help="Failures to list in the terminal.",
                             rich_help_panel=OUTPUT),
    gate: bool = typer.Option(False, "--gate", help="Exit 1 when the system is below the thresholds.",
                              rich_help_panel=GATE),
    thresholds: Path = typer.Option(DEFAULT_THRESHOLDS, "--thresholds", metavar="FILE", help="Thresholds file.",
                                    rich_help_panel=GATE),
    write_thresholds: bool = typer.Option(False, "--write-thresholds", rich_help_panel=GATE,
                                          help="Write thresholds from this run minus --margin; existing floors "
                                               "are never lowered."),
    margin: float = typer.Option(0.02, "--margin", help="Margin below the run for --write-thresholds.",
                                 rich_help_panel=GATE),
    allow_lower: bool = typer.Option(False, "--allow-lower", help="Let --write-thresholds lower floors "
                                                                  "(rarely right).", rich_help_panel=GATE),
    validate: bool = typer.Option(False, "--validate", rich_help_panel=GATE,
                                  help="Only check the set: gold quotes and facts against the reconstructed pages."),
    add: bool = typer.Option(False, "--add", help="Append a question to the candidate file instead of running.",
                             rich_help_panel=ADD),
    question: Optional[str] = typer.Option(None, "--question", help="The user's question.", rich_help_panel=ADD),
    expected: Optional[str] = typer.Option(None, "--expected", help="The right answer in words (for the reviewer).",
                                           rich_help_panel=ADD),
    fact: Optional[list[str]] = typer.Option(None, "--fact", metavar="FACT", rich_help_panel=ADD,
                                             help="A fact the answer must contain; repeat per fact; alternatives "
                                                  "separated by |."),
    page: Optional[int] = typer.Option(None, "--page", help="The page (printed label) that answers it.",
                                       rich_help_panel=ADD),
    quote: Optional[str] = typer.Option(None, "--quote", help="The sentence of the page that answers it.",
                                        rich_help_panel=ADD),
    history: Optional[list[str]] = typer.Option(None, "--history", metavar="Q", rich_help_panel=ADD,
                                                help="An earlier question of the conversation (repeat per turn)."),
    unanswerable: bool = typer.Option(False, "--unanswerable", help="The report does not answer it: must abstain.",
                                      rich_help_panel=ADD),
    observed: Optional[str] = typer.Option(None, "--observed", help="The (wrong) answer the assistant gave.",
                                           rich_help_panel=ADD),
    notes: Optional[str] = typer.Option(None, "--notes", help="Why the item exists.", rich_help_panel=ADD),
    from_session: Optional[str] = typer.Option(None, "--from-session", metavar="ID", rich_help_panel=ADD,
                                               help="Take question, history and answer from a conversation."),
    turn: Optional[int] = typer.Option(None, "--turn", metavar="N", rich_help_panel=ADD,
                                       help="With --from-session: the turn (1-based; default last)."),
    candidates: Path = typer.Option(DEFAULT_CANDIDATES, "--candidates", metavar="FILE", help="Candidate file.",
                                    rich_help_panel=ADD),
) -> None:
    options = dict(locals())
    options["baseline"] = [b.value for b in baseline] if baseline else None
    options["answerer"] = answerer.value if answerer else None
    options["ablate"] = ablate or []
    from rag.evaluation.cli import run_cli

    raise typer.Exit(run_cli(Namespace(**options)))
