from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, ArticleAuthor
from articles.roles import EDITOR, FELLOW, ensure_roles
from authors.models import AuthorProfile


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")
    is_staff = False


class StaffFactory(UserFactory):
    is_staff = True


class EditorFactory(StaffFactory):
    """A staff user in the Editor role."""

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(ensure_roles()[EDITOR])


class FellowFactory(StaffFactory):
    """A staff user in the Research fellow role, with an author profile of their own."""

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(ensure_roles()[FELLOW])
            AuthorProfile.objects.create(name=f"Fellow {self.username}", user=self)


class SuperuserFactory(StaffFactory):
    is_superuser = True


class AuthorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorProfile

    name = factory.Sequence(lambda n: f"Author Number{n}")
    position = "Research Fellow"
    department = "Security Studies"
    bio = factory.LazyAttribute(lambda a: f"__{a.name}__ writes about resilience.")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Research note {n}")
    subtitle = "What the evidence shows"
    body = "_A lede paragraph._\n\n<excerpt/>\n\nThe rest of the argument.\n"
    status = Article.Status.PUBLISHED
    published_at = factory.Sequence(lambda n: timezone.now() - timedelta(days=n + 1))

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        for position, author in enumerate(extracted or [], start=1):
            ArticleAuthor.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class DraftFactory(ArticleFactory):
    status = Article.Status.DRAFT
    published_at = None
