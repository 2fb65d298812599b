from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Programme, PublicationType, Region
from articles.roles import EDITOR, FELLOW, ensure_roles
from authors.models import AuthorProfile, ExpertiseArea


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

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if create and extracted:
            self.programmes.add(*extracted)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.add(*extracted)


def publication_type(slug: str) -> PublicationType:
    """One of the five types the migration makes (made again after a flush)."""
    names = {
        "commentary": ("Commentary", "OpinionNewsArticle", False),
        "analysis": ("Analysis", "AnalysisNewsArticle", False),
        "research-paper": ("Research Paper", "ScholarlyArticle", True),
        "policy-brief": ("Policy Brief", "Report", True),
        "report": ("Report", "Report", True),
    }
    name, schema_type, has_pdf = names[slug]
    found, _ = PublicationType.objects.get_or_create(
        slug=slug, defaults={"name": name, "schema_type": schema_type, "has_pdf": has_pdf}
    )
    return found


class ReportFactory(ArticleFactory):
    """A published report with a series, a number and key findings."""

    title = factory.Sequence(lambda n: f"Strategic report {n}")
    publication_type = factory.LazyFunction(lambda: publication_type("report"))
    series = "Occasional Paper"
    series_number = factory.Sequence(lambda n: str(n + 1))
    key_findings = "Supply chains are shorter than assumed.\nStockpiles last six weeks."


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    description = "What this programme studies."


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Region {n}")


class ExpertiseAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertiseArea
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Expertise {n}")


class DraftFactory(ArticleFactory):
    status = Article.Status.DRAFT
    published_at = None
