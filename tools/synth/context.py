"""What every page kind gets: its page number, a seeded rng, the corpus' years and names."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from tools.synth.names import Name, SLOTS, name_for
from tools.synth.vocab import load, pick

RESERVED = SLOTS - 1  # the last name slot of a page is never printed: it names near-miss places


@dataclass
class Ctx:
    page: int  # first page this kind output fills
    seed: int
    rng: random.Random
    year: int  # the survey year (the report is published the year after)
    chamber: str
    fn: int  # next footnote marker
    used: set[str] = field(default_factory=set)  # filler sentences already on the page

    def names(self, count: int, page: int | None = None) -> list[Name]:
        """Distinct place names owned by a page (never the reserved slot)."""
        assert count <= RESERVED
        return [name_for(self.page if page is None else page, i, self.seed) for i in range(count)]

    def unseen_name(self) -> Name:
        """A name printed nowhere in the corpus (the page's reserved slot)."""
        return name_for(self.page, RESERVED, self.seed)

    def next_fn(self) -> int:
        self.fn += 1
        return self.fn - 1

    def filler(self, n: int, ref: str = "the region") -> list[str]:
        """n distinct figure-free sentences."""
        f = load("filler")
        ind = load("profiles")["industries"]
        out: list[str] = []
        tries = 0
        while len(out) < n and tries < 4 * n + 4:
            tries += 1
            t = pick(self.rng, f["sentences"])
            if t in self.used:
                continue
            self.used.add(t)
            city = name_for(self.page, int(self.rng.random() * RESERVED), self.seed).en
            out.append(t.format(ref=ref, Ref=ref[0].upper() + ref[1:], ind=pick(self.rng, ind),
                                ind2=pick(self.rng, ind), city=city))
        return out

    def source(self) -> str:
        return pick(self.rng, load("names")["report"]["source"]).format(chamber=self.chamber, y0=self.year - 4,
                                                                          y1=self.year)


def share_phrase(v: int, words: list[list]) -> str:
    """"nearly half (46%)" when the data has words for the share, else "46%"."""
    for lo, hi, w in words:
        if lo <= v <= hi:
            return f"{w} ({v}%)"
    return f"{v}%"
