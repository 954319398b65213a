"""Small PDFs written here with PyMuPDF, in our own words, for upload and page-image tests."""
from __future__ import annotations

FERRY_QUESTION = "How many passengers a day did the Qingshan ferry terminal handle in 2025?"
FERRY_FACT = "7,450 passengers"
FERRY_QUOTE = "In 2025 the Qingshan ferry terminal handled 7,450 passengers a day."

PAGES = [
    ["Harbour services", "",
     "The harbour board opened two new berths for cargo vessels last spring.",
     "Dredging of the outer channel will finish before the typhoon season."],
    ["Passenger ferries", "",
     FERRY_QUOTE,
     "Most travellers cross to the island for work and return the same evening.",
     "A second waiting hall with 600 seats is planned for 2027."],
]


def ferry_pdf() -> bytes:
    """A two-page PDF; page 2 holds the ferry figure."""
    import pymupdf

    doc = pymupdf.open()
    for lines in PAGES:
        page = doc.new_page(width=595, height=842)
        y = 90
        for n, line in enumerate(lines):
            if line:
                page.insert_text((72, y), line, fontsize=18 if n == 0 else 11, fontname="helv")
            y += 28 if n == 0 else 18
    data = doc.tobytes()
    doc.close()
    return data
