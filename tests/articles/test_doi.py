"""DOI registration: an editor registers an approved report's DOI with Crossref from the
article's page (the deposit goes out as a background task, to a local stand-in for
Crossref's deposit servlet here), or downloads the deposit XML to upload by hand."""

import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles import services
from articles.models import Article, DOIDeposit
from tests.articles.test_crossref import SCHEMA
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    FellowFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db


class FakeCrossref:
    """Crossref's deposit servlet, on a free local port: it records what it is sent and
    answers with `status` and `answer`."""

    def __init__(self):
        self.received: list[dict] = []
        self.status, self.answer = 200, "<h2>SUCCESS</h2><p>Your batch submission was received.</p>"
        servlet = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = BytesParser(policy=HTTP).parsebytes(head + body)
                servlet.received.append(
                    {
                        part.get_param("name", header="content-disposition"): (
                            part.get_filename(),
                            part.get_payload(decode=True).decode(),
                        )
                        for part in message.iter_parts()
                    }
                )
                self.send_response(servlet.status)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(servlet.answer.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/servlet/deposit"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def crossref(settings):
    servlet = FakeCrossref()
    settings.CROSSREF_DEPOSIT_URL = servlet.url
    settings.CROSSREF_USERNAME = "meridian-user"
    settings.CROSSREF_PASSWORD = "s3cret-pass"
    settings.CROSSREF_DOI_PREFIX = "10.5555"
    settings.CROSSREF_DEPOSITOR_EMAIL = "editors@research.example.org"
    yield servlet
    servlet.close()


@pytest.fixture
def no_credentials(settings):
    settings.CROSSREF_USERNAME = ""
    settings.CROSSREF_PASSWORD = ""
    settings.CROSSREF_DOI_PREFIX = "10.5555"
    settings.CROSSREF_DEPOSITOR_EMAIL = "editors@research.example.org"


@pytest.fixture
def editor(client):
    user = EditorFactory()
    client.force_login(user)
    return user


def register_url(article) -> str:
    return reverse("admin:articles_article_doi_register", args=[article.pk])


def prepare_url(article) -> str:
    return reverse("admin:articles_article_doi_prepare", args=[article.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_registering_sends_the_deposit_to_crossref_and_records_its_answer(
    client, editor, crossref, committed, settings
):
    settings.SITE_URL = "https://institute.example"
    ada = AuthorProfileFactory(name="Ada Quill", orcid="0000-0002-1825-0097")
    report = ReportFactory(title="Ports on the front line", slug="ports", authors=[ada])
    with committed():
        response = client.post(register_url(report), follow=True)
    assert "is on its way to Crossref" in " ".join(messages_of(response))

    report.refresh_from_db()
    assert report.doi == "10.5555/ports"
    deposit = report.doi_deposits.get()
    assert deposit.status == DOIDeposit.Status.SUBMITTED
    assert "Your batch submission was received." in deposit.response
    assert deposit.created_by == editor
    (sent,) = crossref.received
    assert sent["operation"] == (None, "doMDUpload")
    assert sent["login_id"] == (None, "meridian-user")
    assert sent["login_passwd"] == (None, "s3cret-pass")
    filename, xml = sent["fname"]
    assert filename == f"{deposit.batch_id}.xml"
    assert xml == deposit.xml
    SCHEMA.validate(xml)
    assert "<doi>10.5555/ports</doi>" in xml
    assert "<resource>https://institute.example/articles/ports/</resource>" in xml
    assert "<ORCID>https://orcid.org/0000-0002-1825-0097</ORCID>" in xml
    # The editor sees the deposit and Crossref's answer on the article.
    page = client.get(reverse("admin:articles_article_change", args=[report.pk])).content
    assert b"Submitted" in page and b"Your batch submission was received." in page


@pytest.mark.parametrize(
    ("status", "answer", "recorded"),
    [
        (401, "Unauthorized: wrong login", "HTTP 401"),
        (200, "<h2>FAILURE</h2><p>The deposit XML was not well formed.</p>", "FAILURE"),
    ],
)
def test_a_deposit_crossref_refuses_is_recorded_as_failed_with_its_answer(
    client, editor, crossref, committed, status, answer, recorded
):
    crossref.status, crossref.answer = status, answer
    report = ReportFactory()
    with committed():
        client.post(register_url(report))
    deposit = report.doi_deposits.get()
    assert deposit.status == DOIDeposit.Status.FAILED
    assert recorded in deposit.response
    page = client.get(reverse("admin:articles_article_change", args=[report.pk])).content
    assert b"Failed" in page


def test_an_unreachable_crossref_is_recorded_as_failed(client, editor, crossref, committed):
    crossref.close()  # nothing listens on its port any more
    report = ReportFactory()
    with committed():
        client.post(register_url(report))
    deposit = report.doi_deposits.get()
    assert deposit.status == DOIDeposit.Status.FAILED
    assert "Crossref could not be reached" in deposit.response


def test_a_doi_the_editor_entered_is_the_one_deposited(client, editor, crossref, committed):
    report = ReportFactory(doi="10.5555/meridian.2026.12")
    with committed():
        client.post(register_url(report))
    report.refresh_from_db()
    assert report.doi == "10.5555/meridian.2026.12"
    assert "<doi>10.5555/meridian.2026.12</doi>" in crossref.received[0]["fname"][1]


def test_the_registered_doi_shows_on_the_public_page_at_once(client, editor, crossref, committed):
    report = ReportFactory(slug="sea-lanes")
    client.logout()
    assert "doi.org" not in client.get(report.get_absolute_url()).content.decode()  # cached
    client.force_login(editor)
    with committed():
        client.post(register_url(report))
    client.logout()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "https://doi.org/10.5555/sea-lanes" in page


def test_without_credentials_register_says_what_is_missing(client, editor, no_credentials):
    report = ReportFactory()
    response = client.post(register_url(report), follow=True)
    message = " ".join(messages_of(response))
    assert "CROSSREF_USERNAME and CROSSREF_PASSWORD" in message
    assert "download the deposit XML" in message
    assert not DOIDeposit.objects.exists()
    report.refresh_from_db()
    assert report.doi == ""
    page = client.get(reverse("admin:articles_article_change", args=[report.pk])).content.decode()
    assert "needs CROSSREF_USERNAME and CROSSREF_PASSWORD in the environment" in page
    assert "Download deposit XML" in page


def test_without_credentials_the_deposit_xml_downloads_for_manual_upload(
    client, editor, no_credentials
):
    report = ReportFactory(slug="arctic-shipping", series="Occasional Paper", series_number="7")
    response = client.post(prepare_url(report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    deposit = report.doi_deposits.get()
    assert response["Content-Disposition"] == f'attachment; filename="{deposit.batch_id}.xml"'
    xml = response.content.decode()
    SCHEMA.validate(xml)
    assert "<doi>10.5555/arctic-shipping</doi>" in xml
    assert "Occasional Paper 7" in xml
    assert deposit.status == DOIDeposit.Status.PREPARED
    assert deposit.xml == xml
    # Each deposit stays downloadable, exactly as written.
    again = client.get(reverse("admin:articles_article_doi_deposit_xml", args=[deposit.pk]))
    assert again.content.decode() == xml


def test_only_approved_reports_and_papers_get_a_doi(editor, crossref):
    with pytest.raises(ValidationError, match="only reports and papers"):
        services.doi_register(article=ArticleFactory(), by=editor)
    draft = DraftFactory(publication_type=ReportFactory().publication_type)
    with pytest.raises(ValidationError, match="Only an approved article"):
        services.doi_register(article=draft, by=editor)
    assert not DOIDeposit.objects.exists()


def test_a_doi_cannot_be_assigned_without_a_prefix_or_taken_twice(editor, settings):
    settings.CROSSREF_DEPOSITOR_EMAIL = "editors@research.example.org"
    settings.CROSSREF_DOI_PREFIX = ""
    with pytest.raises(ValidationError, match="set CROSSREF_DOI_PREFIX"):
        services.doi_prepare(article=ReportFactory(), by=editor)
    settings.CROSSREF_DOI_PREFIX = "10.5555"
    ReportFactory(doi="10.5555/taken")
    with pytest.raises(ValidationError, match="belongs to another article"):
        services.doi_prepare(article=ReportFactory(slug="taken"), by=editor)
    assert not DOIDeposit.objects.exists()


def test_a_deposit_needs_a_depositor_address_crossref_can_write_to(editor, settings):
    settings.CROSSREF_DOI_PREFIX = "10.5555"
    settings.CROSSREF_DEPOSITOR_EMAIL = ""
    settings.DEFAULT_FROM_EMAIL = "editors@localhost"
    with pytest.raises(ValidationError, match="set CROSSREF_DEPOSITOR_EMAIL"):
        services.doi_prepare(article=ReportFactory(), by=editor)
    assert not DOIDeposit.objects.exists()


def test_assigning_a_doi_makes_an_open_change_form_conflict_instead_of_erasing_it(
    editor, no_credentials
):
    report = ReportFactory()
    opened_at = Article.objects.get(pk=report.pk).version
    services.doi_prepare(article=report, by=editor)
    assert Article.objects.get(pk=report.pk).version == opened_at + 1


def test_fellows_cannot_register_or_download_deposits(client, crossref, committed):
    fellow = FellowFactory()
    report = ReportFactory(authors=[fellow.author_profile])
    client.force_login(fellow)
    with committed():
        assert client.post(register_url(report)).status_code == 403
        assert client.post(prepare_url(report)).status_code == 403
    assert not DOIDeposit.objects.exists()
    assert crossref.received == []
    with pytest.raises(ValidationError, match="Only an editor"):
        services.doi_prepare(article=report, by=fellow)
