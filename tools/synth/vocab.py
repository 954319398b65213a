"""The generator's vocabularies, read once from the TOML files in ``data/``."""
from __future__ import annotations

import random
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=None)
def load(name: str) -> dict[str, Any]:
    """One data file (``data/<name>.toml``) as a dict."""
    with (DATA / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def pick(rng: random.Random, options: Sequence[Any]) -> Any:
    """One option; rng.random() is cheaper than rng.choice for the 2,000-page run."""
    return options[int(rng.random() * len(options))]


def template(rng: random.Random, section: str, key: str, /, **fields: Any) -> str:
    """A question template from data/questions.toml, filled; the first letter is capitalised."""
    text = pick(rng, load("questions")[section][key]).format(**fields)
    return text[0].upper() + text[1:]


def cap(s: str) -> str:
    return s[0].upper() + s[1:] if s else s
