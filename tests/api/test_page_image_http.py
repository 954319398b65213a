"""A cited PDF page as printed: the PNG (rendered once, cached on disk) and where the quote is on it."""
from __future__ import annotations

import io

import pytest

from rag.config import Settings
from rag.index import ReportIndex
from tests.api.live import LiveServer
from tests.conftest import CORPUS_PAGE
from tests.pdfs import FERRY_QUESTION, FERRY_QUOTE, ferry_pdf

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    where = tmp_path_factory.mktemp("page-image")
    pdf = where / "ferry.pdf"
    pdf.write_bytes(ferry_pdf())
    data = where / "data"
    ReportIndex.open(Settings(data_dir=data)).ingest([pdf, CORPUS_PAGE])
    live = LiveServer(data).start()
    yield live
    live.stop()


def test_a_pdf_citation_has_its_printed_page_with_the_quote_boxed(server):
    import pymupdf

    with server.client() as http:
        answer = http.post("/v1/chat", json={"message": FERRY_QUESTION}).json()
        cited = answer["citations"][0]
        assert cited["page"] == 2 and cited["source"].endswith("ferry.pdf")
        page = http.get(f"/v1/pages/{cited['source'].lstrip('/')}/{cited['page']}", params={"quote": cited["quote"]})
        assert page.status_code == 200, page.text
        page = page.json()
        assert FERRY_QUOTE in page["text"] and page["image"].endswith("/2/image")
        [box] = page["boxes"]  # one printed line
        assert 0.1 < box["x0"] < box["x1"] < 0.9 and 0.05 < box["y0"] < box["y1"] < 0.3
        image = http.get(page["image"], params={"zoom": 2})
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        pix = pymupdf.Pixmap(io.BytesIO(image.content).read())
        assert (pix.width, pix.height) == (595 * 2, 842 * 2)
        # the pixels inside the quote's box hold dark text, the margin above the page title is blank
        dark = [pix.pixel(x, int((box["y0"] + box["y1"]) / 2 * pix.height))
                for x in range(int(box["x0"] * pix.width), int(box["x1"] * pix.width))]
        assert sum(1 for p in dark if sum(p) < 300) > 20
        assert all(sum(pix.pixel(x, 20)) > 700 for x in range(0, pix.width, 10))
        cached = list((server.data_dir / "page-images").glob("*-p2-z2.png"))
        assert len(cached) == 1
        again = http.get(page["image"], params={"zoom": 2})
        assert again.content == image.content and list((server.data_dir / "page-images").glob("*.png")) == cached

        export = http.get("/v1/pages/corpus/page-156.txt/156").json()
        assert export["image"] is None and export["boxes"] == []
        no_image = http.get("/v1/pages/corpus/page-156.txt/156/image")
        assert no_image.status_code == 404 and "page export" in no_image.json()["detail"]
        assert http.get(f"{page['image']}", params={"zoom": 9}).status_code == 422
        assert http.get(page["image"].replace("/2/image", "/7/image")).status_code == 404
