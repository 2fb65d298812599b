"""“Cite this article”: APA, Chicago and BibTeX, exactly right, on every public article."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.citations import Work, citations, headline_case, split_name
from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    ReportFactory,
    StaffFactory,
    publication_type,
)

pytestmark = pytest.mark.django_db

SEED_URL = "http://testserver/articles/russia-and-china/"

SEED_APA = (
    "Fraser, C. (2024, June 7). Russia And China: The True Nature of their Cooperation. "
    "The Meridian Institute. http://testserver/articles/russia-and-china/"
)
SEED_CHICAGO = (
    "Fraser, Callum. “Russia and China: The True Nature of Their Cooperation.” "
    "The Meridian Institute, June 7, 2024. http://testserver/articles/russia-and-china/."
)
SEED_BIBTEX = """@misc{fraser2024russia,
  author       = {Fraser, Callum},
  title        = {{Russia And China: The True Nature of their Cooperation}},
  howpublished = {The Meridian Institute},
  year         = {2024},
  month        = jun,
  url          = {http://testserver/articles/russia-and-china/},
}"""
SEED_RIS = """TY  - ELEC
AU  - Fraser, Callum
TI  - Russia And China: The True Nature of their Cooperation
M3  - Commentary
PY  - 2024
DA  - 2024/06/07
PB  - The Meridian Institute
UR  - http://testserver/articles/russia-and-china/
ER  - """


def cite(**overrides) -> dict[str, str]:
    fields = {
        "authors": ["Ada Quill"],
        "note": "",
        "title": "Ports on the front line",
        "subtitle": "",
        "published_at": datetime(2025, 2, 3, 12, tzinfo=UTC),
        "publisher": "The Meridian Institute",
        "url": "https://example.org/a/",
    } | overrides
    return {citation.key: citation.text for citation in citations(**fields)}


def citation_texts(html: str) -> dict[str, str]:
    found = re.findall(
        r'<(?:p|pre) class="cite__text[^"]*" id="cite-(\w+)"[^>]*>(.*?)</(?:p|pre)>',
        html,
        re.DOTALL,
    )
    unescape = {"&amp;": "&", "&quot;": '"', "&#x27;": "'", "&lt;": "<", "&gt;": ">"}
    texts = {}
    for key, inner in found:
        text = re.sub(r"<[^>]+>", "", inner)
        for entity, char in unescape.items():
            text = text.replace(entity, char)
        texts[key] = text
    return texts


@pytest.mark.jekyll
def test_seed_article_citations_are_exactly_right(client, seed_post):
    call_command("import_jekyll", str(seed_post))
    html = client.get(Article.objects.get().get_absolute_url()).content.decode()
    assert citation_texts(html) == {
        "apa": SEED_APA, "chicago": SEED_CHICAGO, "bibtex": SEED_BIBTEX, "ris": SEED_RIS
    }  # fmt: skip


@pytest.mark.jekyll
def test_apa_italicises_the_title_on_the_page(client, seed_post):
    call_command("import_jekyll", str(seed_post))
    html = client.get(Article.objects.get().get_absolute_url()).content.decode()
    assert "<i>Russia And China: The True Nature of their Cooperation</i>." in html


def test_two_and_three_authors_are_joined_as_each_style_requires():
    two = cite(authors=["Ada Quill", "Ben Stroud"])
    assert two["apa"].startswith("Quill, A., & Stroud, B. (2025, February 3). ")
    assert two["chicago"].startswith("Quill, Ada, and Ben Stroud. “Ports on the Front Line.”")
    assert "author       = {Quill, Ada and Stroud, Ben}," in two["bibtex"]
    three = cite(authors=["Ada Quill", "Ben Stroud", "Cy Moreau"])
    assert three["apa"].startswith("Quill, A., Stroud, B., & Moreau, C. (2025")
    assert three["chicago"].startswith("Quill, Ada, Ben Stroud, and Cy Moreau. ")


def test_an_and_others_note_becomes_et_al_and_bibtex_others():
    cited = cite(authors=["Di Cooke"], note="and others")
    assert cited["apa"].startswith("Cooke, D., et al. (2025, February 3).")
    assert cited["chicago"].startswith("Cooke, Di, et al. “")
    assert "author       = {Cooke, Di and others}," in cited["bibtex"]


def test_an_article_without_authors_is_cited_by_its_title():
    cited = cite(authors=[])
    assert cited["apa"] == (
        "Ports on the front line. (2025, February 3). The Meridian Institute. "
        "https://example.org/a/"
    )
    assert cited["chicago"].startswith("“Ports on the Front Line.” The Meridian Institute,")
    assert "author " not in cited["bibtex"]
    assert cited["bibtex"].startswith("@misc{themeridianinstitute2025ports,")


def test_a_sentence_long_standfirst_is_not_taken_for_a_subtitle():
    cited = cite(
        subtitle="Why harbours, not airports, will decide the next crisis in Europe's north."
    )
    assert "Ports on the front line. (" not in cited["apa"]  # the title comes after the date
    assert "). Ports on the front line. The Meridian" in cited["apa"]


def test_bibtex_escapes_its_special_characters():
    cited = cite(title="R&D at 100% of GDP_2030 {draft}", authors=["Ada Quill"])
    assert "title        = {{R\\&D at 100\\% of GDP\\_2030 \\{draft\\}}}," in cited["bibtex"]


def test_a_question_keeps_its_question_mark_and_takes_no_full_stop():
    cited = cite(title="Is deterrence working?")
    assert "). Is deterrence working? The Meridian Institute." in cited["apa"]
    assert "“Is Deterrence Working?” The Meridian Institute," in cited["chicago"]


def test_the_date_is_the_publication_day_in_the_site_time_zone():
    # 23:30 UTC on 6 June is 00:30 on 7 June in London.
    cited = cite(published_at=datetime(2024, 6, 6, 23, 30, tzinfo=UTC))
    assert "(2024, June 7)" in cited["apa"]
    assert "June 7, 2024." in cited["chicago"]


def test_names_split_into_given_and_family_names():
    assert split_name("Ursula von der Leyen").family == "von der Leyen"
    assert split_name("Jean-Paul Sartre").initials == "J.-P."
    assert split_name("Martin Luther King Jr.").suffix == "Jr."
    assert split_name("Plato").family == "Plato"


def test_chicago_titles_use_headline_style_and_keep_acronyms():
    assert headline_case("the case for NATO in a post-war world: what to look for") == (
        "The Case for NATO in a Post-War World: What to Look For"
    )


def test_cite_box_is_selectable_text_with_copy_buttons_that_need_javascript(client):
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    box = html[
        html.index('<section class="cite"') : html.index(
            "</section>", html.index('<section class="cite"')
        )
    ]
    assert "Cite this article" in box
    assert len(re.findall(r"<button [^>]*data-copy-target=[^>]*hidden>", box)) == 4
    assert '<script src="/static/js/cite.js" defer></script>' in html


def test_drafts_have_no_cite_box(client):
    client.force_login(StaffFactory(is_superuser=True))
    for article in (
        DraftFactory(),
        ArticleFactory(published_at=timezone.now() + timedelta(days=1)),
    ):
        assert "Cite this article" not in client.get(article.get_absolute_url()).content.decode()


def test_citations_use_the_articles_credited_authors_in_order(client):
    ada, ben = AuthorProfileFactory(name="Ada Quill"), AuthorProfileFactory(name="Ben Stroud")
    article = ArticleFactory(title="Ports", subtitle="", authors=[ben, ada])
    texts = citation_texts(client.get(article.get_absolute_url()).content.decode())
    assert texts["apa"].startswith("Stroud, B., & Quill, A. (")


# --- reports, papers and DOIs ------------------------------------------------------------

REPORT = Work(
    type_name="Report", is_report=True, series="Occasional Paper", number="12",
    doi="10.5555/ports.2025",
)  # fmt: skip


def test_a_report_is_cited_with_its_series_number_and_doi_in_every_style():
    cited = cite(authors=["Ada Quill", "Ben Stroud"], work=REPORT)
    assert cited["apa"] == (
        "Quill, A., & Stroud, B. (2025). Ports on the front line (Occasional Paper No. 12). "
        "The Meridian Institute. https://doi.org/10.5555/ports.2025"
    )
    assert cited["chicago"] == (
        "Quill, Ada, and Ben Stroud. Ports on the Front Line. Occasional Paper 12. "
        "The Meridian Institute, February 3, 2025. https://doi.org/10.5555/ports.2025."
    )
    assert (
        cited["bibtex"]
        == """@techreport{quill2025ports,
  author      = {Quill, Ada and Stroud, Ben},
  title       = {{Ports on the front line}},
  institution = {The Meridian Institute},
  type        = {Occasional Paper},
  number      = {12},
  year        = {2025},
  month       = feb,
  doi         = {10.5555/ports.2025},
  url         = {https://example.org/a/},
}"""
    )
    ris = cited["ris"].splitlines()
    assert ris[0] == "TY  - RPRT" and ris[-1] == "ER  - "
    assert {
        "T3  - Occasional Paper",
        "SN  - 12",
        "M3  - Report",
        "DO  - 10.5555/ports.2025",
    } <= set(ris)


def test_a_report_without_a_series_is_described_by_its_type():
    cited = cite(work=Work(type_name="Policy Brief", is_report=True))
    assert cited["apa"] == (
        "Quill, A. (2025). Ports on the front line [Policy brief]. The Meridian Institute. "
        "https://example.org/a/"
    )
    assert "Ports on the Front Line. Policy Brief. The Meridian Institute," in cited["chicago"]
    assert "  type        = {Policy Brief},\n" in cited["bibtex"]
    assert "number" not in cited["bibtex"]


def test_a_commentary_with_a_doi_is_cited_as_an_article_by_its_doi():
    cited = cite(work=Work(type_name="Commentary", doi="10.5555/c.1"))
    assert cited["apa"].endswith("(2025, February 3). Ports on the front line. "
                                 "The Meridian Institute. https://doi.org/10.5555/c.1")  # fmt: skip
    assert cited["chicago"].endswith("February 3, 2025. https://doi.org/10.5555/c.1.")
    assert cited["bibtex"].startswith("@misc{quill2025ports,")
    assert "  doi          = {10.5555/c.1},\n" in cited["bibtex"]
    assert cited["ris"].startswith("TY  - ELEC\n")


def test_a_reports_page_cites_its_doi_in_apa_chicago_and_bibtex(client):
    ada = AuthorProfileFactory(name="Ada Quill")
    report = ReportFactory(
        title="Ports on the front line", subtitle="", series="Occasional Paper",
        series_number="12", doi="10.5555/ports.2025", authors=[ada],
    )  # fmt: skip
    html = client.get(report.get_absolute_url()).content.decode()
    texts = citation_texts(html)
    assert "Cite this report" in html
    assert texts["apa"].endswith(
        "Ports on the front line (Occasional Paper No. 12). The Meridian Institute. "
        "https://doi.org/10.5555/ports.2025"
    )
    assert texts["chicago"].endswith("https://doi.org/10.5555/ports.2025.")
    assert "Occasional Paper 12." in texts["chicago"]
    assert texts["bibtex"].startswith("@techreport{quill")
    assert "  doi         = {10.5555/ports.2025},\n" in texts["bibtex"]
    assert "  number      = {12},\n" in texts["bibtex"]
    assert "DO  - 10.5555/ports.2025" in texts["ris"]
    assert '<a href="https://doi.org/10.5555/ports.2025">' in html


def test_a_research_paper_is_cited_as_a_paper_not_a_web_page(client):
    paper = ArticleFactory(publication_type=publication_type("research-paper"))
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Cite this research paper" in html
    assert citation_texts(html)["bibtex"].startswith("@techreport{")
    assert "[Research paper]." in citation_texts(html)["apa"]
