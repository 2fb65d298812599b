"""The admin names its sections in words an editor uses."""

import re

import pytest

from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db


def section_names(html: str) -> list[str]:
    return re.findall(r'<caption>\s*<a href="[^"]*"[^>]*>([^<]+)</a>', html)


def test_the_admin_index_names_each_section_readably(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    sections = section_names(client.get("/admin/").content.decode())
    assert "Topics" in sections and "Publishing" in sections
    assert {"Login attempts", "Two-factor devices", "Background tasks"} <= set(sections)
    assert not [name for name in sections if name.isupper() or "_" in name]  # "TAGGIT"
    assert "Articles" not in sections  # the articles sit under "Publishing"


def test_an_editor_sees_topics_and_publishing(client):
    client.force_login(EditorFactory())
    sections = section_names(client.get("/admin/").content.decode())
    assert "Topics" in sections and "Publishing" in sections


def test_the_body_help_text_shows_the_excerpt_tag(client):
    from tests.factories import ArticleFactory

    editor = EditorFactory()
    client.force_login(editor)
    article = ArticleFactory()
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    # Printed as text a reader of the form sees, not swallowed as an unknown tag.
    assert "<code>&lt;excerpt/&gt;</code> on its own line" in page
