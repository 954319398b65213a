"""Loaders: page exports (one or many pages per file), PDFs with page labels, bad files."""
from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest.loaders import LoadError, load_file
from rag.ingest.pipeline import reconstruct_pages


def two_column_pdf(path: Path, pages: list[tuple[list[str], list[str]]], first_label: int) -> Path:
    """A real two-column PDF: each page's left paragraphs fill the left frame, right ones the right."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageBreak, PageTemplate, Paragraph

    styles = getSampleStyleSheet()
    width, height = A4
    margin, gap = 50, 24
    col = (width - 2 * margin - gap) / 2
    plain = path.with_suffix(".plain.pdf")
    doc = BaseDocTemplate(str(plain), pagesize=A4)
    frames = [Frame(margin, margin, col, height - 2 * margin, id="left"),
              Frame(margin + col + gap, margin, col, height - 2 * margin, id="right")]

    def footer(canvas, document):
        canvas.drawString(width / 2, 25, str(document.page + first_label - 1))

    doc.addPageTemplates([PageTemplate(frames=frames, onPage=footer)])
    story = []
    for n, (left, right) in enumerate(pages):
        story += [Paragraph(t, styles["BodyText"]) for t in left] + [FrameBreak()]
        story += [Paragraph(t, styles["BodyText"]) for t in right]
        if n < len(pages) - 1:
            story.append(PageBreak())
    doc.build(story)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.set_page_label(0, len(pages) - 1, style="/D", start=first_label)
    writer.write(path)
    return path


class TestTextExports:
    def test_real_page(self):
        from tests.conftest import CORPUS_PAGE

        [page] = load_file(CORPUS_PAGE)
        assert (page.page, page.page_label, page.source) == (156, "156", "corpus/page-156.txt")

    def test_many_pages_by_header_and_form_feed(self, tmp_path, page_text):
        second = page_text.replace("Page 156 -", "Page 157 -").replace("P. 156", "P. 157")
        third = "A third page without a header.\nIt has one column."
        path = tmp_path / "pages.txt"
        path.write_text(page_text + "\n" + second + "\f" + third, encoding="utf-8")
        pages = load_file(path)
        assert [(p.page, p.page_label) for p in pages] == [(156, "156"), (157, "157"), (3, "3")]

    @pytest.mark.parametrize(("name", "content", "reason"), [
        ("broken.txt", b"\x00\x01\x02 not text", r"broken\.txt: binary file"),
        ("corrupt.pdf", b"%PDF-1.7\n this is not really a pdf", r"corrupt\.pdf: unreadable PDF"),
        ("empty.pdf", b"", r"empty\.pdf: unreadable PDF"),
        ("notes.docx", b"PK", "unsupported file type"),
    ], ids=["binary", "corrupt-pdf", "empty-pdf", "unsupported-type"])
    def test_a_file_that_cannot_be_read_is_named_with_the_reason(self, tmp_path, name, content, reason):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(LoadError, match=reason):
            load_file(path)


class TestPdf:
    def test_two_column_pdf_reading_order_and_labels(self, tmp_path):
        left = ["Lanxi New Area is a national new area established in 2011. Lanxi New Area has a planned area "
                "of 1,234 km² and a directly administered area of 321 km². " * 3,
                "The electronics park of Lanxi covers 12 hectares and hosts 40 firms. An example is the"]
        right = ["Qiaobei Tower, the first office building of the new area. " * 2,
                 "Qiaobei High-tech Zone reported a GDP of RMB55.5 billion in 2024, up 7.3%. " * 3]
        pdf = two_column_pdf(tmp_path / "report.pdf", [(left, right), (right, left)], first_label=41)
        raws = load_file(pdf)
        assert [(r.page, r.page_label) for r in raws] == [(1, "41"), (2, "42")]
        first = reconstruct_pages(raws)[0]
        assert "hosts 40 firms. An example is the Qiaobei Tower, the first office building of the new area." \
            in first.text
        assert first.text.index("Lanxi New Area is a national") < first.text.index("Qiaobei High-tech Zone reported")
        assert "planned area of 1,234 km² and a directly administered area of 321 km²." in first.text
