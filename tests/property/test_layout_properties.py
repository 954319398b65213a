"""Generated pages through layout reconstruction: it never crashes and never loses or invents content."""
from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.ingest.layout import attach_superscripts, reconstruct_columns, strip_furniture
from rag.ingest.models import RawPage
from rag.ingest.pipeline import reconstruct_page

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=11)
any_line = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(" \t?"),
                   max_size=90)


def wrap(tokens: list[str], width: int) -> list[str]:
    lines, line = [], ""
    for word in tokens:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


@st.composite
def two_column_pages(draw):
    """Two columns of words, interleaved line by line as the exporter writes them; drifting right column.

    Each column has at least three lines: a gutter is inferred from lines that agree, and a page with a
    single two-column line cannot be told from one line with a wide gap.
    """
    width = draw(st.integers(30, 50))
    left = wrap(draw(st.lists(words, min_size=80, max_size=160)), width)
    right = wrap(draw(st.lists(words, min_size=80, max_size=160)), width)
    indent = draw(st.integers(4, 12))
    gutter = indent + width + draw(st.integers(4, 8))
    lines = []
    for i in range(max(len(left), len(right))):
        l = left[i] if i < len(left) else ""
        r = right[i] if i < len(right) else ""
        start = gutter + draw(st.integers(-1, 2))  # the right column's start drifts a little
        line = " " * indent + l
        line = line + " " * max(3, start - len(line)) + r if r else line
        lines.append(line)
    return lines, left, right


def non_space(lines) -> Counter:
    return Counter(ch for line in lines for ch in line if not ch.isspace())


@FAST
@given(lines=st.lists(any_line, max_size=40))
def test_column_split_keeps_every_character(lines):
    columns = reconstruct_columns(lines)
    assert non_space(columns.left + columns.right) == non_space(lines)


@FAST
@given(page=two_column_pages())
def test_two_columns_come_back_whole_and_in_reading_order(page):
    lines, left, right = page
    columns = reconstruct_columns(lines)
    got = " ".join(l for l in columns.left + columns.right if l).split()
    assert got == " ".join(left + right).split()


@FAST
@given(lines=st.lists(any_line, max_size=40))
def test_furniture_and_superscripts_only_remove_furniture(lines):
    body, furniture = strip_furniture(lines)
    removed = non_space(lines) - non_space(body)
    kept_furniture = Counter(str(furniture.physical_page or "") + (furniture.title or "")
                             + (furniture.header_label or "") + "".join(furniture.footer_labels)
                             + "".join(furniture.navigation))
    # Whatever left the body is header/footer text: page numbers, labels, "Page N - Title".
    assert all(ch.isdigit() or ch in "Page-P." or ch in kept_furniture for ch in removed.elements())
    merged = attach_superscripts(body)
    superscript = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
    assert non_space(m.translate(superscript) for m in merged) == non_space(
        l.translate(superscript) for l in body)


@FAST
@given(text=st.text(max_size=2000), page=st.integers(1, 3000))
def test_reconstruct_page_never_crashes(text, page):
    result = reconstruct_page(RawPage(source="fuzz.txt", page=page, page_label=str(page), text=text))
    for block in result.blocks:
        assert result.text[block.start:block.end] == block.text or block.kind == "heading"


@FAST
@given(page=two_column_pages())
def test_every_word_of_a_generated_page_reaches_the_reconstructed_text(page):
    lines, left, right = page
    text = "\n".join(["Page 12 - A Report", "P. 12", *lines, "", "12"])
    result = reconstruct_page(RawPage(source="gen.txt", page=12, page_label="12", text=text))
    got = Counter(result.text.replace("-", " ").split())
    expected = Counter(" ".join(left + right).split())
    missing = expected - got
    assert not missing, f"lost words: {list(missing.elements())[:10]}"
