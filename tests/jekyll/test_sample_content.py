"""The sample content and demo logins a developer loads into a fresh database."""

from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils.html import strip_tags
from pypdf import PdfReader

from articles.models import Article, LibraryImage, Programme, PublicationPDF, Region
from authors.models import AuthorProfile, ExpertiseArea
from jekyll.sample_content.loader import sample_authors_read, sample_posts_find

DEMO_LOGINS = {
    "admin": "admin-demo-2026",
    "editor": "editor-demo-2026",
    "fellow": "fellow-demo-2026",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Hero images are stored as uploads: keep them out of the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo passwords are hashed several times; a fast hasher keeps the tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_sample_content() -> str:
    out = StringIO()
    call_command("load_sample_content", stdout=out)
    return out.getvalue()


@pytest.fixture
def sample_articles():
    load_sample_content()
    names = [path.name for path in sample_posts_find()]
    return list(Article.objects.filter(source_path__in=names).order_by("published_at"))


# --- A small HTML tree, to check how rendered elements nest ---------------------------


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None"):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def iter(self, tag: str):
        for child in self.children:
            if child.tag == tag:
                yield child
            yield from child.iter(tag)

    def child_tags(self) -> list[str]:
        return [child.tag for child in self.children]


class TreeBuilder(HTMLParser):
    VOID = {"img", "br", "hr", "source", "input", "meta", "link", "wbr"}

    def __init__(self):
        super().__init__()
        self.root = self.current = Element("root", {}, None)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_endtag(self, tag):
        element = self.current
        while element.parent is not None and element.tag != tag:
            element = element.parent
        if element.parent is not None:
            self.current = element.parent


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- Loading ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_loading_twice_creates_nothing_new():
    first_output = load_sample_content()
    counts = (Article.objects.count(), AuthorProfile.objects.count())

    second_output = load_sample_content()

    posts = len(sample_posts_find())
    assert posts == 6
    assert counts == (posts, len(sample_authors_read()))
    assert (Article.objects.count(), AuthorProfile.objects.count()) == counts
    assert f"{posts} posts ({posts} created, 0 updated, 0 unchanged)" in first_output
    assert f"{posts} posts (0 created, 0 updated, {posts} unchanged)" in second_output
    assert f"{posts} publications (0 created, {posts} updated, 0 unchanged)" in first_output
    assert f"{posts} publications (0 created, 0 updated, {posts} unchanged)" in second_output
    assert "types, programmes and regions: 0 created" in second_output


@pytest.mark.django_db
def test_loading_prints_one_line_per_post():
    output = load_sample_content()

    for path in sample_posts_find():
        assert f"created: {path.name} -> /" in output


@pytest.mark.django_db
def test_reloading_keeps_an_editors_changes_to_author_profiles():
    load_sample_content()
    first = sample_authors_read()[0]
    AuthorProfile.objects.filter(name=first.name).update(position="Visiting Professor")

    load_sample_content()

    profile = AuthorProfile.objects.get(name=first.name)
    assert profile.position == "Visiting Professor"
    assert profile.department == first.department


@pytest.mark.django_db
def test_every_author_in_the_posts_has_a_complete_profile(sample_articles):
    listed = {author.name for author in sample_authors_read()}
    credited = {author.name for article in sample_articles for author in article.credited_authors}

    assert credited == listed
    for profile in AuthorProfile.objects.filter(name__in=listed):
        assert profile.position and profile.department and profile.bio_html


@pytest.mark.django_db
def test_every_sample_post_is_published_with_its_own_excerpt(sample_articles):
    assert len(sample_articles) == 6
    assert set(Article.objects.published()) == set(sample_articles)
    for article in sample_articles:
        assert article.status == Article.Status.PUBLISHED
        assert article.excerpt_html.strip()
        assert article.excerpt_html != article.body_html
        assert article.subtitle
        assert article.tags.exists()


@pytest.mark.django_db
def test_every_sample_post_has_an_uploaded_hero_image(sample_articles, settings):
    for article in sample_articles:
        assert article.hero_image
        assert (settings.MEDIA_ROOT / article.hero_image.file.name).is_file()
        assert article.hero_caption


@pytest.mark.django_db
def test_sample_posts_together_show_every_house_construct(sample_articles):
    tree = parse("".join(article.body_html for article in sample_articles))

    figures = list(tree.iter("figure"))
    assert any(len(list(figure.iter("img"))) == 2 for figure in figures)
    assert any(not list(figure.iter("figcaption")) for figure in figures)
    captions = list(tree.iter("figcaption"))
    assert any(caption.child_tags()[:1] == ["strong"] for caption in captions)
    assert any("strong" not in caption.child_tags() for caption in captions)
    assert any(q.attrs.get("class") == "pullquote" for q in tree.iter("blockquote"))
    assert any(aside.attrs.get("class") == "callout" for aside in tree.iter("aside"))
    assert any(list(item.iter("ul")) for item in tree.iter("li"))
    assert any(
        item.child_tags().count("p") == 2
        for ordered in tree.iter("ol")
        for item in ordered.children
    )
    assert list(tree.iter("h3")) and list(tree.iter("h4"))


@pytest.mark.django_db
def test_sample_bios_render_apart_and_link_to_their_authors(sample_articles):
    with_bios = [article for article in sample_articles if article.bio_html]
    assert with_bios
    for article in with_bios:
        assert strip_tags(article.bio_html)[:80] not in strip_tags(article.body_html)
        for author in article.credited_authors:
            assert f'href="{author.get_absolute_url()}"' in article.bio_html


@pytest.mark.django_db
def test_co_authors_keep_the_order_of_the_post(sample_articles):
    credits = {
        article.source_path: [author.name for author in article.credited_authors]
        for article in sample_articles
    }

    assert credits["2025-11-04-chokepoints-in-silicon.md"] == ["Priya Raman", "Jonah Keller"]
    assert credits["2026-01-27-the-cables-beneath.md"] == [
        "Owen Adeyemi",
        "Tomas Lindqvist",
        "Priya Raman",
    ]


# --- Research: types, programmes, regions, experts, the report and its PDF -----------

REPORT = "2026-04-21-guarding-the-baltic-seabed.md"


@pytest.mark.django_db
def test_the_sample_report_has_a_series_number_key_findings_summary_and_recommendations(
    sample_articles,
):
    report = Article.objects.get(source_path=REPORT)
    assert report.publication_type.slug == "report" and report.publication_type.has_pdf
    assert report.series_label == "Occasional Paper 7"
    assert len(report.key_findings_list) == 4
    assert "<p>" in report.summary_html
    assert report.recommendations_html.count("<li>") == 4
    assert report.is_public and report.is_featured
    assert {author.name for author in report.credited_authors} == {
        "Tomas Lindqvist",
        "Helena Marsh",
        "Owen Adeyemi",
    }


@pytest.mark.typesetting
@pytest.mark.django_db
def test_the_sample_report_gets_its_pdf_when_loaded(committed, settings):
    with committed():
        load_sample_content()
    report = Article.objects.get(source_path=REPORT)
    pdf = PublicationPDF.objects.get(article=report)
    assert pdf.status == PublicationPDF.Status.READY, pdf.error
    assert pdf.public_file and pdf.size > 0
    with pdf.public_file.open("rb") as stored:
        text = "".join(page.extract_text() for page in PdfReader(stored).pages)
    assert "Guarding the Baltic Seabed" in text and "Occasional Paper 7" in text


@pytest.mark.django_db
def test_every_sample_post_has_a_type_a_programme_and_a_region(sample_articles):
    types = {article.publication_type.slug for article in sample_articles}
    assert {"commentary", "analysis", "policy-brief", "report"} <= types
    for article in sample_articles:
        assert article.programmes.exists(), article.source_path
        assert article.regions.exists(), article.source_path
    reports = [article for article in sample_articles if article.publication_type.has_pdf]
    assert len(reports) >= 2  # the home page's reports row has one beside the lead
    assert all(article.key_findings_list for article in reports)


@pytest.mark.django_db
def test_the_sample_content_has_two_described_programmes_and_nested_regions(sample_articles):
    programmes = list(Programme.objects.active())
    assert [programme.name for programme in programmes] == [
        "International Security",
        "Technology and Governance",
    ]
    assert all("<p>" in programme.description_html for programme in programmes)
    labels = {region.label for region in Region.objects.all()}
    assert {
        "Europe › Eastern Europe",
        "Europe › Western Europe",
        "Europe › Northern Europe",
        "Indo-Pacific",
        "Middle East and North Africa",
    } <= labels


@pytest.mark.django_db
def test_sample_experts_have_expertise_languages_programmes_and_a_media_contact(
    sample_articles,
):
    experts = list(AuthorProfile.objects.experts())
    assert len(experts) >= 4
    for expert in experts:
        assert expert.expertise.exists() and expert.programmes.exists(), expert.name
        assert expert.languages, expert.name
    [for_media] = [expert for expert in experts if expert.available_for_media]
    assert for_media.name == "Tomas Lindqvist"
    assert "@" in for_media.media_contact
    assert for_media.link_list
    assert any(expert.orcid_url for expert in experts)
    assert ExpertiseArea.objects.filter(name="Maritime security").exists()


@pytest.mark.django_db
def test_every_sample_image_has_alt_text(sample_articles):
    for article in sample_articles:
        assert article.hero_alt_text, article.source_path
        assert 'alt=""' not in article.hero_html
    for image in LibraryImage.objects.all():
        assert image.alt_text.strip(), image.file.name


@pytest.mark.django_db
def test_reloading_keeps_an_editors_changes_to_research_fields(sample_articles):
    report = Article.objects.get(source_path=REPORT)
    report.key_findings = "One finding the editor kept."
    report.save()
    report.programmes.set([Programme.objects.get(name="Technology and Governance")])
    profile = AuthorProfile.objects.get(name="Tomas Lindqvist")
    profile.media_contact = "desk@example.org"
    profile.save()

    load_sample_content()

    report.refresh_from_db()
    assert report.key_findings_list == ["One finding the editor kept."]
    assert [programme.name for programme in report.programmes.all()] == [
        "Technology and Governance"
    ]
    assert AuthorProfile.objects.get(pk=profile.pk).media_contact == "desk@example.org"


@pytest.mark.django_db
def test_the_home_page_shows_the_sample_report_as_lead_with_a_reports_row(client, sample_articles):
    html = client.get("/").content.decode()
    lead = html[
        html.index('class="home__lead"') : html.index(
            "</section>", html.index('class="home__lead"')
        )
    ]
    assert "Guarding the Baltic Seabed" in lead and "Key findings" in lead
    row = html[html.index('class="reports-row"') :]
    assert "Chokepoints in Silicon" in row[: row.index("</section>")]
    assert "International Security" in html[html.index('class="programme-nav"') :]


# --- Demo accounts ----------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_accounts_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("create_demo_accounts", stdout=StringIO())

    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_demo_accounts_are_created_when_debug_is_on(settings):
    settings.DEBUG = True

    call_command("create_demo_accounts", stdout=StringIO())

    assert set(get_user_model().objects.values_list("username", flat=True)) == set(DEMO_LOGINS)


@pytest.mark.django_db
def test_forced_demo_accounts_can_log_in_with_their_roles(client, settings):
    settings.DEBUG = False
    out = StringIO()

    call_command("create_demo_accounts", "--force", stdout=out)

    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == set(DEMO_LOGINS)
    for username, password in DEMO_LOGINS.items():
        assert client.login(username=username, password=password)
        assert password in out.getvalue()
        client.logout()
    assert [name for name, user in users.items() if user.is_superuser] == ["admin"]
    assert users["editor"].is_staff and users["fellow"].is_staff
    assert "local development only" in out.getvalue()


@pytest.mark.django_db
def test_demo_editor_and_fellow_have_their_permissions():
    call_command("create_demo_accounts", "--force", stdout=StringIO())
    users = get_user_model().objects
    editor, fellow = users.get(username="editor"), users.get(username="fellow")

    for permission in (
        "articles.delete_article",
        "articles.change_articleauthor",
        "authors.add_authorprofile",
        "taggit.delete_tag",
    ):
        assert editor.has_perm(permission)
    assert fellow.has_perm("articles.add_article")
    assert fellow.has_perm("articles.change_article")
    assert fellow.has_perm("authors.view_authorprofile")
    assert not fellow.has_perm("articles.delete_article")
    assert not fellow.has_perm("authors.change_authorprofile")
    assert fellow.author_profile.name == sample_authors_read()[0].name


@pytest.mark.django_db
def test_rerunning_demo_accounts_resets_their_passwords(client):
    call_command("create_demo_accounts", "--force", stdout=StringIO())
    editor = get_user_model().objects.get(username="editor")
    editor.set_password("changed-by-someone-2026")
    editor.save()

    call_command("create_demo_accounts", "--force", stdout=StringIO())

    assert get_user_model().objects.count() == 3
    assert client.login(username="editor", password=DEMO_LOGINS["editor"])


@pytest.mark.django_db
def test_demo_fellow_is_linked_to_the_loaded_sample_author():
    load_sample_content()
    profiles = AuthorProfile.objects.count()

    call_command("create_demo_accounts", "--force", stdout=StringIO())

    fellow = get_user_model().objects.get(username="fellow")
    assert AuthorProfile.objects.count() == profiles
    assert fellow.author_profile.articles.exists()
