"""Invented place names, unique across a corpus: page p owns name slots [p*SLOTS, (p+1)*SLOTS)."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

from tools.synth.vocab import load

SLOTS = 12  # names a page may use (table rows, zone areas, near-miss places)


@dataclass(frozen=True)
class Name:
    """A place name in English (as printed, with ’) and in Chinese."""

    en: str
    zh: str

    @property
    def ascii(self) -> str:
        return self.en.replace("’", "")


@lru_cache(maxsize=1)
def _syllables() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(load("names")["syllables"].items()))


def _join(parts: list[tuple[str, str]]) -> Name:
    en = parts[0][0].capitalize()
    for s, _ in parts[1:]:
        en += ("’" if s[0] in "aeiou" else "") + s
    return Name(en, "".join(z for _, z in parts))


@lru_cache(maxsize=16)
def _perm(seed: int, n: int) -> tuple[int, int]:
    """Coefficients of the affine permutation k -> (a*k + b) mod n."""
    r = random.Random(f"names:{seed}:{n}")
    a = r.randrange(n // 3, n)
    while math.gcd(a, n) != 1:
        a += 1
    return a, r.randrange(n)


def name_for(page: int, slot: int, seed: int) -> Name:
    """The name in a page's slot: two syllables for the first pages, three beyond (still unique)."""
    syl = _syllables()
    n = len(syl)
    k = page * SLOTS + slot
    two = n * n
    if k < two:
        a, b = _perm(seed, two)
        i = (a * k + b) % two
        return _join([syl[i // n], syl[i % n]])
    k -= two
    three = n * n * n
    a, b = _perm(seed, three)
    i = (a * (k % three) + b) % three
    return _join([syl[i // (n * n)], syl[(i // n) % n], syl[i % n]])


def names_for(page: int, seed: int, count: int, first_slot: int = 0) -> list[Name]:
    """``count`` distinct names of a page."""
    return [name_for(page, first_slot + i, seed) for i in range(count)]
