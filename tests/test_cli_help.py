"""`rag --version` and `--help` on every command, through Typer's runner (nothing is loaded)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rag.cli import app

runner = CliRunner()


def test_version_is_the_installed_packages():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"rag {version('report-assistant')}"


@pytest.mark.parametrize(("command", "says"), [
    ([], "Commands"),
    (["ingest"], "Read report files into the index"),
    (["inspect"], "reconstructed text of a page"),
    (["ask"], "--session"),
    (["chat"], "--session"),
    (["serve"], "--workers"),
    (["eval"], "--baseline"),
    (["slack"], "RAG_SLACK_APP_TOKEN"),
])
def test_every_command_explains_itself(command, says):
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert says in result.output


def test_eval_help_lists_its_options_by_group():
    result = runner.invoke(app, ["eval", "--help"], env={"COLUMNS": "200"})
    for option in ("--set", "--corpus", "--gate", "--write-thresholds", "--add", "--from-session", "--candidates"):
        assert option in result.output, option
    assert "Examples:" in result.output and "exit 1 below evals/thresholds.json" in result.output


def test_eval_options_take_several_values_as_before(monkeypatch):
    import rag.evaluation.cli

    seen = {}

    def run_cli(ns):
        seen.update(vars(ns))
        return 0

    monkeypatch.setattr(rag.evaluation.cli, "run_cli", run_cli)
    code = rag.evaluation.cli.main(["--baseline", "naive", "lexical", "--corpus", "a", "b", "--ids", "x", "y",
                              "--fact", "1,901 km²", "--fact", "491 km²", "--limit", "3", "--margin", "-0.01"])
    assert code == 0
    assert seen["baseline"] == ["naive", "lexical"] and [str(p) for p in seen["corpus"]] == ["a", "b"]
    assert seen["ids"] == ["x", "y"] and seen["fact"] == ["1,901 km²", "491 km²"]
    assert seen["limit"] == 3 and seen["margin"] == -0.01 and seen["ablate"] == []
    assert str(seen["set_path"]) == "evals/eval_set.jsonl" and seen["gate"] is False


def test_a_bad_eval_option_is_a_usage_error_naming_it(capsys):
    from rag.evaluation.cli import main

    assert main(["--baseline", "bogus"]) == 2
    assert "'bogus' is not one of" in capsys.readouterr().err


def test_slack_takes_no_arguments():
    result = runner.invoke(app, ["slack", "extra"])
    assert result.exit_code == 2 and "unexpected extra argument" in result.output.lower()
