"""A three-page two-column province profile built with reportlab (our own words and numbers).

Printed labels 41-43 (PDF page labels), bold larger headings, a bullet list, "km²" with a raised 2, a ruled
table, a running header and footer, a paragraph that flows across the column break and a footnote.

    build_profile_pdf(tmp_path / "profile.pdf")
"""
from __future__ import annotations

from pathlib import Path

HEADER = "Chapter 5  Provincial Profiles  |  Lanmar"
FOOTER = "Inland Business Survey 2026"
FIRST_LABEL = 41

INTRO = ("Lanmar is an inland province of rolling hills and river valleys. Its capital, Dovecot, sits on the "
         "Tesh River and has grown into a regional centre for furniture and textiles.")
AREA = ("The Dovecot Inland Port Zone has a planned area of 86.5 km<super>2</super> and a built area of "
        "23.1 km<super>2</super>.")
# Long enough to flow from the foot of the left column to the head of the right one.
FLOW = ("The zone was approved in March 2020 after three years of preparation by the provincial government. "
        "Freight trains leave its rail yard for the coast twice a day and a third daily service is planned for "
        "next year. Warehouses near the yard are let to logistics firms on ten-year leases at fixed rents. "
        "A customs inspection hall opened beside the yard in 2023 and clears most containers within four "
        "hours. Exporters of furniture use the yard more than any other group of shippers, followed by "
        "makers of garden tools and ceramic tiles.")
FILLER = ("Farmland still covers most of the valley floor, and orchards of pears and walnuts climb the lower "
          "slopes of the hills. ")
BULLETS = [
    "Rail yard: eight loading tracks and a gantry crane for heavy containers.",
    "Bonded warehouse: cold storage for fruit bound for export markets.",
    "Training centre: courses in welding and forklift driving for local workers.",
]
TABLE_TITLE = "Table 7 Freight through Dovecot"
TABLE = [["Year", "Containers (TEU)", "Rail share (%)"],
         ["2023", "41,200", "36"],
         ["2024", "52,900", "41"],
         ["2025", "63,400", "47"]]
TRADE = ("In 2025 the province exported goods worth RMB18.4 billion, up 9.1% on the year before. Furniture "
         "made up nearly a third of the total.")
NOTE = "1 Lanmar Statistics Bureau, https://stats.example.org/lanmar/2025"
OUTLOOK = ("Surveyed firms expect orders to rise modestly in 2026. Most of them name the cost of trucking to "
           "the rail yard as their main concern.")
SUMMARY = ("Lanmar offers cheap land and a reliable rail link to the coast. Its challenge is to keep young "
           "workers from leaving for the cities of the delta.")


def build_profile_pdf(path: Path, ruled: bool = True) -> Path:
    """The profile; ``ruled=False`` draws the table with rules under the header and the last row only."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import (BaseDocTemplate, Frame, FrameBreak, PageBreak, PageTemplate, Paragraph,
                                    Spacer, Table, TableStyle)

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5)
    h1 = ParagraphStyle("h1", parent=body, fontName="Helvetica-Bold", fontSize=14, leading=18, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=6)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2)
    width, height = A4
    margin, gap = 50, 24
    col = (width - 2 * margin - gap) / 2
    plain = path.with_suffix(".plain.pdf")
    doc = BaseDocTemplate(str(plain), pagesize=A4)
    frames = [Frame(margin, margin + 20, col, height - 2 * margin - 20, id="left"),
              Frame(margin + col + gap, margin + 20, col, height - 2 * margin - 20, id="right")]

    def furniture(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(margin, height - 35, HEADER)
        canvas.drawString(margin, 30, FOOTER)
        canvas.drawRightString(width - margin, 30, str(document.page + FIRST_LABEL - 1))
        if document.page == 2:  # the footnote sits at the foot of the left column, as in print
            canvas.setFont("Helvetica", 7)
            canvas.drawString(margin + 6, margin + 8, NOTE)
        canvas.restoreState()

    doc.addPageTemplates([PageTemplate(frames=frames, onPage=furniture)])
    table = Table(TABLE, colWidths=[50, 90, 70])
    rules = [("GRID", (0, 0), (-1, -1), 0.5, colors.black)] if ruled else [
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black), ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.grey)]
    table.setStyle(TableStyle(rules + [
        ("FONTNAME", (0, 0), (-1, -1), "Helvetica"), ("FONTSIZE", (0, 0), (-1, -1), 8)]))
    story = [Paragraph("Lanmar", h1), Paragraph(INTRO, body), Paragraph("Dovecot Inland Port Zone", h2),
             Paragraph(AREA, body)]
    story += [Paragraph(FILLER * 4, body) for _ in range(4)]
    story += [Paragraph(FLOW, body), Paragraph("Facilities", h2)]
    story += [Paragraph(b, bullet, bulletText="•") for b in BULLETS]
    story += [PageBreak(), Paragraph(TABLE_TITLE, h2), Spacer(1, 4), table, Spacer(1, 8),
              Paragraph("Trade<super>1</super>", h2), Paragraph(TRADE, body), FrameBreak(),
              Paragraph("Outlook", h2), Paragraph(OUTLOOK, body), PageBreak(),
              Paragraph("Summary", h2), Paragraph(SUMMARY, body)]
    doc.build(story)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.set_page_label(0, 2, style="/D", start=FIRST_LABEL)
    writer.write(path)
    plain.unlink()
    return path
