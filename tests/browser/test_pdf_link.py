"""A reader downloads a report's PDF from its page, in a real browser."""

import re

import pytest

from tests.factories import AuthorProfileFactory, ReportFactory

pytestmark = pytest.mark.django_db(transaction=True)

BODY = """_Why grids fail in winter._

<excerpt/>

## Where the risk sits

Most outages start at substations.

## What to do

Stock transformers.
"""


@pytest.mark.typesetting
def test_a_public_report_offers_its_pdf_and_the_link_serves_it(live_server, page):
    author = AuthorProfileFactory(name="Ada Quill")
    # Published in a committed transaction: the PDF is made then (tasks run at once here).
    report = ReportFactory(title="Keeping the grid up", body=BODY, authors=[author])
    page.goto(live_server.url + report.get_absolute_url())
    link = page.get_by_role("link", name=re.compile(r"^Download PDF \(\d+\.\d\s(KB|MB)\)$"))
    assert link.is_visible()
    href = link.get_attribute("href")
    with page.expect_response(lambda response: "/pdf/" in response.url) as answer:
        link.click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="{report.slug}.pdf"'
    # The browser shows it in its viewer; the file itself, fetched as the browser did:
    served = page.request.get(live_server.url + href)
    assert served.body().startswith(b"%PDF-")
