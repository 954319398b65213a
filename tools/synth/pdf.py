"""A two-column PDF of a corpus (reportlab, the ``synth`` extra): one physical page per page, the printed
page number as its label and in its footer, so PDF ingest can be benchmarked on the same content."""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from tools.synth.report import Corpus


def render_pdf(path: str | Path, corpus: Corpus) -> None:
    """Plain text of every page, paragraph by paragraph, poured into two columns per page."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, KeepInFrame, PageBreak, PageTemplate, Paragraph

    width, height = A4
    margin, gutter, top, bottom = 40.0, 18.0, 55.0, 50.0
    col_w = (width - 2 * margin - gutter) / 2
    col_h = height - top - bottom
    first = corpus.pages[0].number

    def on_page(canv, doc) -> None:  # noqa: ANN001
        n = canv.getPageNumber()
        if n == 1:
            canv.addPageLabel(0, "ARABIC", start=first)
        canv.saveState()
        canv.setFont("Helvetica", 7.5)
        canv.drawString(margin, height - 32, corpus.title)
        canv.setLineWidth(0.5)
        canv.line(margin, height - 37, width - margin, height - 37)
        canv.setFont("Helvetica", 9)
        canv.drawCentredString(width / 2, 28, str(first + n - 1))
        canv.restoreState()

    frames = [Frame(margin, bottom, col_w, col_h, id="left", leftPadding=0, rightPadding=0, topPadding=0,
                    bottomPadding=0),
              Frame(margin + col_w + gutter, bottom, col_w, col_h, id="right", leftPadding=0, rightPadding=0,
                    topPadding=0, bottomPadding=0)]
    doc = BaseDocTemplate(str(path), pagesize=A4, title=corpus.title, author="tools.synth", invariant=1,
                          pageTemplates=[PageTemplate(id="two", frames=frames, onPage=on_page)])
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=7.5, leading=9, alignment=TA_JUSTIFY, spaceAfter=4)
    mono = ParagraphStyle("mono", fontName="Courier", fontSize=5.5, leading=6.6, spaceAfter=4)

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        t = escape(text).replace("²", "<super>2</super>").replace("\n", "<br/>")
        return Paragraph(t, style)

    story: list = []
    for i, page in enumerate(corpus.pages):
        parts = [p for p in page.plain.split("\n\n") if p.strip()]
        if any(ord(ch) > 0x2E80 for ch in page.plain):  # Helvetica has no CJK glyphs: keep the English half
            parts = [p for p in parts if not any(ord(ch) > 0x2E80 for ch in p)]
        half = (len(parts) + 1) // 2
        flow = [para(p, mono if "\n" in p else body) for p in parts]
        # each column shrinks to fit its frame, so one page stays one physical page (and keeps its label)
        story.append(KeepInFrame(col_w, col_h, flow[:half], mode="shrink"))
        story.append(FrameBreak())
        story.append(KeepInFrame(col_w, col_h, flow[half:], mode="shrink"))
        if i < len(corpus.pages) - 1:
            story.append(PageBreak())
    doc.build(story)
