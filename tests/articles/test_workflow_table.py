"""The workflow written once: the README's diagram, the admin's buttons and the e-mails
follow the one table in articles/workflow.py."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core import mail
from django.urls import reverse

from articles import services, workflow
from articles.addresses import site_url
from articles.models import Article
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db
S = Article.Status
README = Path(settings.BASE_DIR) / "README.md"


def readme_diagram() -> str:
    section = README.read_text().split("## Roles and the editorial workflow", 1)[1]
    return re.search(r"```mermaid\n(.*?)\n```", section, re.DOTALL).group(1)


def test_the_readme_diagram_lists_exactly_the_workflow_table():
    edges = set(re.findall(r"^\s*(\w+) --> (\w+): (\w+)", readme_diagram(), re.MULTILINE))
    table = {(s, t.target, t.action) for t in workflow.TRANSITIONS for s in t.sources}
    assert edges == table
    assert readme_diagram() == workflow.diagram()  # regenerate it when the table changes


def workflow_panel(client, user, article) -> str:
    client.force_login(user)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    panel = page.content.decode().split('class="workflow-actions"', 1)[1]
    return re.split(r'class="preview-links"|class="timeline"|</section>', panel, maxsplit=1)[0]


def test_an_editor_sees_a_button_for_each_transition_the_table_allows_from_review(client):
    fellow = FellowFactory()
    article = DraftFactory(authors=[fellow.author_profile], status=S.IN_REVIEW)
    panel = workflow_panel(client, EditorFactory(), article)
    buttons = re.findall(r'<button[^>]*value="(\w+)"[^>]*>([^<]*)</button>', panel)
    assert buttons == [("request_changes", "Request changes"), ("approve", "Approve and publish")]
    # Each with the fields its transition asks for, rendered from the TransitionForm.
    assert re.search(r'<textarea name="comment"[^>]*required', panel)
    assert 'type="datetime-local" name="publish_at"' in panel
    assert "Leave empty to publish now." in panel


def test_the_review_e_mail_links_to_the_admin_wherever_it_is_mounted(
    settings, django_capture_on_commit_callbacks
):
    settings.ROOT_URLCONF = "tests.articles.urls_admin_elsewhere"
    EditorFactory(email="editor@example.org")
    fellow = FellowFactory()
    article = DraftFactory(authors=[fellow.author_profile])
    with django_capture_on_commit_callbacks(execute=True):
        services.article_submit(article=article, by=fellow)
    link = f"{site_url()}/office/articles/article/{article.pk}/change/"
    assert link in mail.outbox[-1].body


def test_a_web_address_typed_without_a_scheme_is_taken_as_https_in_every_form():
    assert forms.URLField().clean("example.org/data") == "https://example.org/data"
