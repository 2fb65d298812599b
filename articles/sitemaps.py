"""Sitemaps: exactly the public pages, each with the time it last changed.

/sitemap.xml is an index of the sections' sitemaps (/sitemap-articles.xml and so on),
each split into pages of at most `limit` addresses (?p=2…), so the archive can grow past
the 50,000 addresses one sitemap may hold. Articles are listed oldest first, so a new
article only ever changes the last page of its section.

Articles come from ArticleQuerySet.published(); authors are the active profiles (each
has a public page); topics are those with at least one public article, so a topic that
only drafts carry is never announced; every programme and region has a page. Each
section's page is two queries (how many, then that page's rows), whatever the size of
the archive.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Programme, Region
from authors.models import AuthorProfile


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    # Well under the protocol's 50,000: a page renders in a fraction of a second.
    limit = 10_000

    def items(self):
        return (
            Article.objects.published()
            .order_by("published_at", "id")
            .only("slug", "published_at", "updated_at")
        )

    def lastmod(self, article: Article):
        return max(article.updated_at, article.published_at)

    def get_latest_lastmod(self):
        """When any public article last changed (the index's date for this section)."""
        latest = Article.objects.published().aggregate(
            updated=Max("updated_at"), published=Max("published_at")
        )
        return max(filter(None, latest.values()), default=None)


class AuthorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        latest = (
            Article.objects.published()
            .by_author(OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return (
            AuthorProfile.objects.active()
            .annotate(latest_article_at=Subquery(latest))
            .only("slug", "updated_at")
            .order_by("name", "pk")
        )

    def lastmod(self, author: AuthorProfile):
        return max(filter(None, (author.updated_at, author.latest_article_at)))


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        latest = (
            Article.objects.published()
            .filter(tags=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return (
            Tag.objects.annotate(latest_article_at=Subquery(latest))
            .filter(latest_article_at__isnull=False)
            .order_by("name", "pk")
        )

    def location(self, tag: Tag) -> str:
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def lastmod(self, tag: Tag):
        return tag.latest_article_at


class _TaxonomySitemap(Sitemap):
    """Programmes or regions: every one has a public page (an ended programme's too),
    dated by its newest public research."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        latest = (
            Article.objects.published()
            .filter(**{self.relation: OuterRef("pk")})
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return self.model.objects.annotate(latest_article_at=Subquery(latest)).order_by(
            "order", "name", "pk"
        )

    def lastmod(self, item):
        return item.latest_article_at


class ProgrammeSitemap(_TaxonomySitemap):
    model = Programme
    relation = "programmes"


class RegionSitemap(_TaxonomySitemap):
    model = Region
    relation = "regions"


class PageSitemap(Sitemap):
    """The lists that are not tied to one object: home, archive, the research finder,
    programmes, regions, topics, authors and experts."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return [
            "articles:list", "articles:archive", "articles:research",
            "articles:programme_list", "articles:region_list", "articles:topic_list",
            "authors:list", "authors:experts",
        ]  # fmt: skip

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "topics": TagSitemap,
    "programmes": ProgrammeSitemap,
    "regions": RegionSitemap,
}
