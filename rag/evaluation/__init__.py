"""Evaluation (`rag eval`): question sets through the real chain, scored beside baselines — matching, dataset,
scoring, metrics, gate, baselines, runner, report, candidates (`--add`) and cli, one module each."""
