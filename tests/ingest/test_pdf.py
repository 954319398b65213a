"""PDFs through PyMuPDF: a three-page two-column province profile of our own, built with reportlab."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from rag.ingest.loaders import LoadError, load_file
from rag.ingest.pipeline import read_pages
from tests.ingest.pdf_fixture import BULLETS, FOOTER, HEADER, NOTE, build_profile_pdf

DEV_PDF = Path(__file__).resolve().parents[3] / "shared/report/dev/pages/report-2026-excerpt.pdf"


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    return build_profile_pdf(tmp_path_factory.mktemp("pdf") / "profile.pdf")


@pytest.fixture(scope="module")
def pages(profile):
    return read_pages(profile)


def _sentences(page) -> list[str]:
    return [page.text[a:b] for a, b in page.sentences()]


def _norm(text: str) -> str:
    text = text.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))
    return re.sub(r"\s+", " ", text).strip()


class TestProfile:
    def test_physical_pages_and_printed_labels(self, pages):
        assert [(p.page, p.page_label) for p in pages] == [(1, "41"), (2, "42"), (3, "43")]

    def test_headings_are_headings(self, pages):
        headings = [b.text for p in pages for b in p.blocks if b.kind == "heading"]
        assert headings == ["Lanmar", "Dovecot Inland Port Zone", "Facilities", "Trade", "Outlook", "Summary"]
        first = pages[0].blocks[1]
        assert first.kind == "paragraph" and first.text.startswith("Lanmar is an inland province")

    def test_bullets_are_list_items_in_their_section(self, pages):
        items = [b for b in pages[0].blocks if b.kind == "list_item"]
        assert [b.text for b in items] == BULLETS
        assert items[0].section == ["Facilities", "Rail yard"]
        assert "• Bonded warehouse: cold storage for fruit bound for export markets." in pages[0].text

    def test_raised_two_is_a_square(self, pages):
        assert ("The Dovecot Inland Port Zone has a planned area of 86.5 km² and a built area of 23.1 km²."
                in pages[0].text)

    def test_running_header_and_footer_are_gone(self, pages):
        for page in pages:
            assert "Inland Business Survey" not in page.text
            assert "Provincial Profiles" not in page.text
            assert all(not b.text.endswith(page.page_label) for b in page.blocks if b.kind != "table")

    def test_sentence_across_the_column_break_is_one_sentence(self, pages):
        assert ("Exporters of furniture use the yard more than any other group of shippers, followed by makers "
                "of garden tools and ceramic tiles." in _sentences(pages[0]))
        # and the reading order: the whole left column, then the right
        text = pages[0].text
        assert text.index("Farmland still covers") < text.index("The zone was approved") < text.index("Facilities")

    def test_table_rows(self, pages):
        [block] = [b for b in pages[1].blocks if b.kind == "table"]
        assert block.table.title == "Table 7 Freight through Dovecot"
        assert block.table.headers == ["Year", "Containers (TEU)", "Rail share (%)"]
        assert block.table.rows == [["2023", "41,200", "36"], ["2024", "52,900", "41"], ["2025", "63,400", "47"]]
        assert "2024 | 52,900 | 41" in block.text.split("\n")
        assert pages[1].text[block.start:block.end] == block.text

    def test_table_with_rules_only_under_the_header(self, tmp_path):
        [_, page, _] = read_pages(build_profile_pdf(tmp_path / "unruled.pdf", ruled=False))
        [block] = [b for b in page.blocks if b.kind == "table"]
        assert block.table.headers == ["Year", "Containers (TEU)", "Rail share (%)"]
        assert block.table.rows[-1] == ["2025", "63,400", "47"]
        assert "Trade" not in block.text and "Outlook" not in block.text

    def test_footnote_goes_to_the_section_metadata(self, pages):
        page = pages[1]
        note = NOTE.split(" ", 1)[1]
        assert page.footnotes == {"1": note}
        trade = next(b for b in page.blocks if b.kind == "paragraph" and b.text.startswith("In 2025"))
        assert trade.section == ["Trade"] and trade.footnotes == [note]
        assert "Trade1" not in page.text and "Trade¹" not in page.text  # the reference left the heading
        outlook = next(b for b in page.blocks if b.text.startswith("Surveyed firms"))
        assert outlook.footnotes == []

    def test_offsets_index_the_page_text(self, pages):
        for page in pages:
            for block in page.blocks:
                assert page.text[block.start:block.end] == block.text

    def test_section_carries_across_the_page_break(self, pages):
        assert pages[2].blocks[1].section == ["Summary"]
        table = next(b for b in pages[1].blocks if b.kind == "table")
        # nothing on page 42 above the table opens a new section; the caption names the table's own place
        assert table.section == ["Facilities", "Table 7 Freight through Dovecot"]

    def test_load_file_gives_raw_pages_that_reconstruct_the_same(self, profile, pages):
        raws = load_file(profile)
        assert [r.layout for r in raws] == ["pdf"] * 3
        assert [r.text for r in raws] == [p.text for p in pages]


class TestBadPdfs:
    def test_encrypted(self, profile, tmp_path):
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(profile))
        writer.encrypt("secret")
        path = tmp_path / "locked.pdf"
        writer.write(path)
        with pytest.raises(LoadError, match=r"locked\.pdf: encrypted PDF"):
            load_file(path)

    def test_pages_without_text(self, tmp_path):
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(300, 300)
        path = tmp_path / "scan.pdf"
        writer.write(path)
        with pytest.raises(LoadError, match=r"scan\.pdf: PDF has no text"):
            load_file(path)


class TestSpeed:
    def test_two_hundred_pages_in_seconds(self, profile, tmp_path):
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        reader = PdfReader(profile)
        for _ in range(67):
            for page in reader.pages:
                writer.add_page(page)
        path = tmp_path / "long.pdf"
        writer.write(path)
        started = time.perf_counter()
        pages = read_pages(path)
        elapsed = time.perf_counter() - started
        assert len(pages) == 201 and pages[-1].page_label == "43"  # no label tree: the printed footer number
        assert sum(b.kind == "table" for p in pages for b in p.blocks) == 67
        assert elapsed < 20, f"{elapsed:.1f}s for 201 pages"  # measured about 1.5 s on 2 cores


@pytest.mark.skipif(not Path("/usr/bin/pdftotext").exists(), reason="poppler-utils' pdftotext not installed")
class TestTextExportOfTheSamePdf:
    """The same PDF as ``pdftotext -layout`` exports it, through the text-export path."""

    @pytest.fixture(scope="class")
    def exported(self, profile, tmp_path_factory):
        out = tmp_path_factory.mktemp("export") / "profile.txt"
        subprocess.run(["/usr/bin/pdftotext", "-layout", str(profile), str(out)], check=True)
        return read_pages(out)

    def _pdf_sentences(self, pages) -> list[str]:
        return [_norm(s) for p in pages for s in _sentences(p)]

    def test_most_sentences_are_the_same(self, pages, exported):
        text = _norm(" ".join(p.text for p in exported))
        found = [s for s in self._pdf_sentences(pages) if s in text]
        assert len(found) >= 0.75 * len(self._pdf_sentences(pages))
        for bullet in BULLETS:
            assert bullet in text

    @pytest.mark.xfail(reason="text path on pdftotext output: the running footer is glued into the sentence "
                              "across the column break, headings without a blank line run into the first "
                              "sentence, the table beside the right column is not split (parts 1 and 3)",
                       strict=False)
    def test_every_sentence_is_the_same(self, pages, exported):
        text = _norm(" ".join(p.text for p in exported))
        missing = [s for s in self._pdf_sentences(pages) if s not in text]
        assert missing == []
        assert FOOTER not in text and HEADER not in text


@pytest.mark.skipif(not DEV_PDF.exists(), reason="development corpus not present")
def test_dev_excerpt_labels_and_table():
    pages = read_pages(DEV_PDF)
    assert [p.page_label for p in pages] == ["101", "102", "103"]
    tables = [b.table for p in pages for b in p.blocks if b.kind == "table"]
    assert len(tables) == 1 and len(tables[0].rows) >= 3 and len(tables[0].headers) >= 3


def _canvas_pdf(path: Path, draw) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    draw(c, A4[1])
    c.save()
    return path


class TestLineLevelMarks:
    """One-column pages drawn line by line: the marks a typesetter or an exporter leaves."""

    def test_question_mark_bullets_and_hanging_items(self, tmp_path):
        def draw(c, top):
            c.setFont("Helvetica", 10)
            lines = [(50, "Three changes are planned for the harbour of Keswin this year:"),
                     (50, ""),
                     (50, "?  Dredging of the east basin to a depth of fourteen metres."),
                     (50, "?  A second ferry ramp for the island service."),
                     (50, ""),
                     (50, "Two older projects are still open:"),
                     (50, ""),
                     (68, "A breakwater extension that was first proposed in"),
                     (68, "2019 and is waiting for money."),
                     (50, ""),
                     (68, "A fish market on the north quay, also waiting."),
                     (50, ""),
                     (50, "The port authority reports on both every spring.")]
            y = top - 80
            for x, text in lines:
                c.drawString(x, y, text)
                y -= 12 if text else 6

        [page] = read_pages(_canvas_pdf(tmp_path / "marks.pdf", draw))
        kinds = [(b.kind, b.text[:24]) for b in page.blocks]
        assert kinds == [("paragraph", "Three changes are planne"), ("list_item", "Dredging of the east bas"),
                         ("list_item", "A second ferry ramp for "), ("paragraph", "Two older projects are s"),
                         ("list_item", "A breakwater extension t"), ("list_item", "A fish market on the nor"),
                         ("paragraph", "The port authority repor")]
        assert "• A breakwater extension that was first proposed in 2019 and is waiting for money." in page.text

    def test_raised_marks_power_and_footnote_reference(self, tmp_path):
        def draw(c, top):
            y = top - 80
            c.setFont("Helvetica", 10)
            c.drawString(50, y, "The new reservoir holds 42 million m")
            c.setFont("Helvetica", 7)
            c.drawString(50 + c.stringWidth("The new reservoir holds 42 million m", "Helvetica", 10), y + 4, "3")
            c.setFont("Helvetica", 10)
            c.drawString(50, y - 12, "of water and supplies the town of Orrin.")
            first = "Its dam was finished in 2024 by a state builder."
            c.drawString(50, y - 30, first)
            c.setFont("Helvetica", 7)
            c.drawString(50 + c.stringWidth(first, "Helvetica", 10), y - 26, "4")
            c.setFont("Helvetica", 10)
            c.drawString(50, y - 42, "Water rates have not changed since then.")
            c.setFont("Helvetica", 7)
            c.drawString(50, 90, "4 Orrin Water Board, annual report 2024.")

        [page] = read_pages(_canvas_pdf(tmp_path / "raised.pdf", draw))
        assert "The new reservoir holds 42 million m³ of water and supplies the town of Orrin." in page.text
        dam = next(b for b in page.blocks if b.text.startswith("Its dam"))
        assert dam.text.startswith("Its dam was finished in 2024 by a state builder. Water rates")
        assert dam.footnotes == ["Orrin Water Board, annual report 2024."]
        assert page.footnotes == {"4": "Orrin Water Board, annual report 2024."}
        assert "builder.4" not in page.text and "builder.⁴" not in page.text

    def test_drop_cap_goes_back_to_its_word(self, tmp_path):
        def draw(c, top):
            y = top - 100
            c.setFont("Helvetica-Bold", 30)
            c.drawString(50, y - 14, "W")
            c.setFont("Helvetica", 10)
            c.drawString(80, y + 4, "inter comes early to the uplands of Brannock, and")
            c.drawString(80, y - 8, "the passes close by the middle of November.")
            c.drawString(50, y - 20, "Trucks then take the long road through the river towns.")

        [page] = read_pages(_canvas_pdf(tmp_path / "dropcap.pdf", draw))
        assert [b.kind for b in page.blocks] == ["paragraph"]
        assert page.text.startswith("Winter comes early to the uplands of Brannock, and the passes close by the "
                                    "middle of November. Trucks then take the long road")
