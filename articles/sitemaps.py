"""sitemap.xml: exactly the public pages, each with the time it last changed.

Articles come from ArticleQuerySet.published(); authors are the active profiles (each
has a public page); topics are those with at least one public article, so a topic that
only drafts carry is never announced. Each section is one query.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from authors.models import AuthorProfile


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return list(
            Article.objects.published().newest_first().only("slug", "published_at", "updated_at")
        )

    def lastmod(self, article: Article):
        return max(article.updated_at, article.published_at)


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
        return list(
            AuthorProfile.objects.active()
            .annotate(latest_article_at=Subquery(latest))
            .only("slug", "updated_at")
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
        return list(
            Tag.objects.annotate(latest_article_at=Subquery(latest))
            .filter(latest_article_at__isnull=False)
            .order_by("name")
        )

    def location(self, tag: Tag) -> str:
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def lastmod(self, tag: Tag):
        return tag.latest_article_at


class PageSitemap(Sitemap):
    """The lists that are not tied to one object: home, archive, authors."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["articles:list", "articles:archive", "authors:list"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "topics": TagSitemap,
}
