"""The article form's headline fields are sized for writing: the limits are stated and
counted, a long paste is refused with the count instead of cut, the address is previewed
as it is made, quotes are curly; and a long word never makes a phone page scroll sideways."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import ArticleFactory, AuthorProfileFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"


@pytest.fixture
def form(live_server, page):
    user = StaffFactory(username="ed", is_superuser=True)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/articles/article/add/")
    return page


def test_the_title_counts_against_its_stated_limit_and_a_long_paste_is_kept(form):
    title = form.locator("#id_title")
    assert "Up to 300 characters" in form.locator(".form-row.field-title").inner_text()
    title.fill("Grain corridors")
    expect(form.locator("#id_title_count")).to_have_text("15 of 300 characters")
    too_long = "A" * 310
    title.fill(too_long)
    expect(form.locator("#id_title_count")).to_have_text("310 of 300 characters: 10 too many")
    assert title.input_value() == too_long  # not cut short by the browser
    form.fill("textarea.markdownx-editor", "_A lede._\n\n<excerpt/>\n\nBody.")
    form.click("input[name=_save]")
    errors = form.locator(".field-title .errorlist")
    expect(errors).to_contain_text("at most 300 characters (it has 310)")
    assert form.locator("#id_title").input_value() == too_long
    assert not Article.objects.exists()


def test_the_address_is_previewed_from_the_title_then_from_the_slug(form, live_server):
    address = form.locator("#id_slug_address")
    form.locator("#id_title").fill("Ports & the Baltic: a view")
    expect(address).to_contain_text(live_server.url + "/articles/ports-the-baltic-a-view/")
    expect(address).to_contain_text("from the title")
    form.locator("#id_slug").fill("baltic-ports")
    expect(address).to_contain_text(live_server.url + "/articles/baltic-ports/")


def test_straight_quotes_in_title_and_subtitle_are_saved_curly(form):
    form.locator("#id_title").fill('Europe\'s "grand bargain"')
    form.locator("#id_subtitle").fill("What 'strategic autonomy' means")
    form.fill("textarea.markdownx-editor", "_A lede._\n\n<excerpt/>\n\nBody.")
    form.click("input[name=_save]")
    form.wait_for_url("**/admin/articles/article/")
    article = Article.objects.get()
    assert article.title == "Europe’s “grand bargain”"
    assert article.subtitle == "What ‘strategic autonomy’ means"


def test_a_long_word_in_a_headline_wraps_on_a_phone(live_server, browser):
    word = "Antidisestablishmentarianismwithoutanyhyphenatall"
    author = AuthorProfileFactory(name="Ada Quill")
    article = ArticleFactory(title=f"{word} {word}", subtitle=word * 2, authors=[author])
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    for path in (article.get_absolute_url(), "/", author.get_absolute_url()):
        page.goto(live_server.url + path)
        assert word in page.inner_text("main")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    context.close()
