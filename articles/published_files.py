"""Published pages as files: what readers see, written under PUBLISHED_ROOT for a web
server (nginx, deploy/nginx.conf) to serve without asking Python.

Off unless PUBLISHED_ROOT and SITE_URL are both set (the embedded default serves every
page from Django). With them:

- **Writing.** A public page rendered for a reader without a session, for the site's
  own address and without a query string, is written as a file: `/articles/x/` as
  `articles/x/index.html` (`index.rss`, `index.atom` for feeds), `/sitemap.xml` as
  itself, with `.gz` and `.br` copies beside it. Each is written to a temporary file
  and renamed into place, so a reader never gets half a page. Nothing else is written:
  a draft, a preview, a 404 or a signed-in editor's page never reaches the disk. The
  page cache middleware (`articles.caching`) does the writing, so a page nginx has no
  file for is rendered by Django once and written then.
- **Freshness.** A change to what readers see removes the files of the pages it affects
  before the save returns (once its transaction has committed), so the next request
  falls through to Django and gets the new page (and writes it); a background task
  writes the most read of them again at once (the article, the home page, its topics'
  pages, the site's feeds). A change whose reach is wide (an author's
  name, a topic's, a programme's, a region's, a library image's alt text) starts an
  empty tree instead, by swapping the `current` link at once; the old tree is removed
  in the background.
- **No stale file, even racing.** Every removal first replaces a token (the *files
  generation*, kept in the cache every process shares); a writer reads the token before
  it renders and again after its rename, and removes its own file if the token moved.
  Either the removal came after the rename (and removed the file), or the writer sees
  the new token (and removes it): no file rendered before a change outlives it.
- **Releases.** A web process of a new release of the templates (`articles.releases`)
  starts an empty tree as it starts, and processes of the old one write no more
  (`claim`, called by think_tank/wsgi.py): a deployment leaves no page of the old
  templates on disk.
- **Time.** A scheduled article's pages are refreshed by a task deferred to its
  publication time (where the task backend can defer).
"""

from __future__ import annotations

import functools
import gzip
import io
import logging
import os
import re
import secrets
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import brotli
from asgiref.local import Local
from django.conf import settings
from django.core.cache import caches
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django_tasks import task
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleAuthor,
    LibraryImage,
    Programme,
    PublicationType,
    Region,
)
from articles.page_records import showing_ids
from articles.related import at_times
from articles.releases import release
from authors.models import AuthorProfile, ExpertiseArea

logger = logging.getLogger(__name__)

CURRENT = "current"  # the link to the tree being served
GENERATION_KEY = "files:generation"
RELEASE_KEY = "files:release"  # the release whose files are served
COPIES = (".gz", ".br")

# What a page's file is called, by its content type.
_NAMES = {
    "text/html": "index.html",
    "application/rss+xml": "index.rss",
    "application/atom+xml": "index.atom",
}
_EXTENSIONS = {"application/xml": ".xml", "text/xml": ".xml", "text/plain": ".txt"}
# An address made of plain segments only: nothing a file name could be tricked with.
_SAFE_PATH = re.compile(r"^/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*(?:[A-Za-z0-9_-][A-Za-z0-9._-]*)?$")
# Above this many articles in one transaction (an import), start an empty tree instead.
MAX_TRACKED_ARTICLES = 200


def enabled() -> bool:
    return bool(settings.PUBLISHED_ROOT and settings.SITE_URL)


# --- where a page's file lives ---------------------------------------------------------


def file_for(path: str, content_type: str) -> Path | None:
    """The file of the page at `path` with this content type, None if it has none."""
    if not _safe(path):
        return None
    kind = content_type.split(";")[0].strip().lower()
    relative = path.lstrip("/")
    if path.endswith("/"):
        name = _NAMES.get(kind)
        return _tree() / relative / name if name else None
    extension = _EXTENSIONS.get(kind)
    if extension is None or not path.endswith(extension):
        return None
    return _tree() / relative


def candidates(path: str) -> list[Path]:
    """Every file the page at `path` may have been written as."""
    if not _safe(path):
        return []
    if path.endswith("/"):
        return [_tree() / path.lstrip("/") / name for name in _NAMES.values()]
    return [_tree() / path.lstrip("/")]


def _safe(path: str) -> bool:
    return bool(_SAFE_PATH.match(path)) and ".." not in path


def _root() -> Path:
    return Path(settings.PUBLISHED_ROOT)


def _tree() -> Path:
    """The tree being served (`current`, a link), made on first use."""
    link = _root() / CURRENT
    if not link.exists():
        _swap_tree()
    return link


def _swap_tree() -> None:
    """Point `current` at a new, empty tree in one rename."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"tree-{secrets.token_hex(6)}"
    (root / name).mkdir()
    temporary = root / f".{name}.link"
    os.symlink(name, temporary)
    os.replace(temporary, root / CURRENT)


# --- the files generation --------------------------------------------------------------


def _state_cache():
    return caches["page_state" if "page_state" in settings.CACHES else "default"]


def generation() -> str:
    state = _state_cache()
    value = state.get(GENERATION_KEY)
    if value is None:
        state.add(GENERATION_KEY, secrets.token_hex(8), None)
        value = state.get(GENERATION_KEY)
    return value


def _new_generation() -> None:
    _state_cache().set(GENERATION_KEY, secrets.token_hex(8), None)


# --- writing ---------------------------------------------------------------------------


def writable(request: HttpRequest) -> str | None:
    """The files generation to write this request's page under, None if its page is
    not to be written (off, a query string, another address than the site's, the files
    another release's)."""
    if not enabled() or request.method != "GET" or request.META.get("QUERY_STRING"):
        return None
    site = urlsplit(settings.SITE_URL)
    try:
        host = request.get_host()
    except Exception:
        return None
    if request.scheme != site.scheme or host != site.netloc:
        return None
    # The generation first: a claim between the two reads moves it, and the file goes.
    written_under = generation()
    serving = _state_cache().get(RELEASE_KEY)
    if serving == release():
        return written_under
    # Lost (the shared state restarted), or a claim at this web process's start failed.
    if _serving.web and (serving is None or not _serving.claimed) and _claim():
        return generation()
    return None  # another release's files: its processes write them


class _Serving:
    """This process: a web process (`claim` called), and whether its claim succeeded."""

    web = False
    claimed = False


_serving = _Serving()


def claim() -> None:
    """As a web process starts (think_tank/wsgi.py, asgi.py): make the published files
    this release's (`articles.releases`). Unless they already are, serve an empty tree,
    so that no page rendered by another release's templates stays on disk, and let no
    process of another release write any more. A claim that fails (the shared state
    unreachable) is tried again at the next page written. Only web processes claim: a
    task worker or a command writes the files of the release serving them, or none.
    During a deployment the releases may take the files from each other; once it is
    over, the last web process started is of the new release. No database work: a
    process forked after this (gunicorn's preload) inherits no connection."""
    _serving.web = True
    _claim()


def _claim() -> bool:
    if not enabled():
        return False
    try:
        state = _state_cache()
        if state.get(RELEASE_KEY) != release():
            _new_generation()  # no writer racing with this keeps its file
            _swap_tree()  # the old trees are removed with the next tree started
            state.set(RELEASE_KEY, release(), None)  # last: only once the tree is empty
        _serving.claimed = True
    except Exception:  # every page is still served, from Django
        logger.exception("Could not make the published files this release's")
        _serving.claimed = False
    return _serving.claimed


def keep(path: str, content: bytes, content_type: str, written_under: str, *, missing_only=False):
    """Write the page at `path` as a file with its compressed copies, unless a change
    came after `written_under` was read (then nothing written remains)."""
    target = file_for(path, content_type)
    if target is None or (missing_only and target.exists()):
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # The copies first: a reader offered the page is offered its copies too.
        _write(target.with_name(target.name + ".gz"), gzip.compress(content, 6, mtime=0))
        _write(target.with_name(target.name + ".br"), brotli.compress(content, quality=5))
        _write(target, content)
    except OSError:
        logger.exception("Could not write the published file of %s", path)
        return
    if generation() != written_under:  # a change came meanwhile: its page is not this
        _remove_files([target])


def _write(target: Path, content: bytes) -> None:
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, target)


# --- removing --------------------------------------------------------------------------


def remove(paths, *, also=()) -> int:
    """Remove the files of the pages at these addresses, and the files `also` (after
    replacing the files generation, so that no writer racing with this keeps an older
    page). Returns how many files were removed."""
    _new_generation()
    files = [file for path in paths for file in candidates(path)]
    return _remove_files([*files, *also])


def _remove_files(files) -> int:
    removed = 0
    for file in files:
        for name in (file, *(file.with_name(file.name + suffix) for suffix in COPIES)):
            try:
                name.unlink()
                removed += 1
            except FileNotFoundError:
                pass
    return removed


def remove_all() -> None:
    """Serve an empty tree from now on; the old trees are removed in the background."""
    _new_generation()
    _swap_tree()
    prune_trees.enqueue()


def prune() -> int:
    """Remove every tree but the one being served. Returns how many."""
    root = _root()
    if not root.is_dir():
        return 0
    served = os.readlink(root / CURRENT) if (root / CURRENT).is_symlink() else None
    pruned = 0
    for tree in root.glob("tree-*"):
        if tree.name != served:
            shutil.rmtree(tree, ignore_errors=True)
            pruned += 1
    return pruned


# --- which pages a change affects ------------------------------------------------------


def _urls(*names_and_kwargs) -> list[str]:
    urls = []
    for name, kwargs in names_and_kwargs:
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return urls


def _feeds(name: str, kwargs: dict | None = None) -> list[tuple[str, dict]]:
    kwargs = kwargs or {}
    return [
        (f"{name}{kind}{summary}", kwargs) for kind in ("", "_atom") for summary in ("", "_summary")
    ]


def site_pages() -> list[str]:
    """The pages every publication changes: home, the lists, the feeds, the sitemap."""
    named = [
        ("articles:list", {}),
        ("articles:archive", {}),
        ("articles:research", {}),
        ("articles:topic_list", {}),
        ("articles:programme_list", {}),
        ("articles:region_list", {}),
        ("authors:list", {}),
        ("authors:experts", {}),
        ("sitemap", {}),
        *_feeds("articles:feed"),
    ]
    return _urls(*named)


def sitemap_sections() -> list[Path]:
    """The files of the sitemap's sections (each publication changes one), as written."""
    tree = _tree()
    return sorted(tree.glob("sitemap-*.xml"))


def article_pages(article: Article, *, times=()) -> tuple[list[str], list[str]]:
    """(the pages that show `article`; the pages of the articles that may show it
    beside them). The first: its page, its topics', programmes', regions' (with the
    regions around them) and authors' pages and feeds, the archive of its year and
    month. The second: the articles just before and after it and those whose
    suggestions may list it (`page_records.showing_ids`). Both where it is, and where it
    was at each of `times` (before a change)."""
    hot = [article.get_absolute_url()]
    named = []
    for placed in at_times(article, times):
        year, month = placed.published_at.year, placed.published_at.month
        named += [
            ("articles:archive_year", {"year": f"{year:04d}"}),
            ("articles:archive_month", {"year": f"{year:04d}", "month": f"{month:02d}"}),
        ]
    topics = list(article.tags.values_list("pk", "slug"))
    for _pk, slug in topics:
        named += [("articles:tag", {"slug": slug}), *_feeds("articles:tag_feed", {"slug": slug})]
    for slug in article.programmes.values_list("slug", flat=True):
        named += [("articles:programme", {"slug": slug})]
        named += _feeds("articles:programme_feed", {"slug": slug})
    for slug in _regions_around(article):
        named += [("articles:region", {"slug": slug})]
        named += _feeds("articles:region_feed", {"slug": slug})
    for slug in AuthorProfile.objects.filter(authorships__article=article).values_list(
        "slug", flat=True
    ):
        named += _author_pages(slug)
    hot += _urls(*named)
    ids = showing_ids(article, tag_ids=[pk for pk, _slug in topics], times=times)
    slugs = Article.objects.filter(pk__in=ids).values_list("slug", flat=True)
    return hot, [reverse("articles:detail", kwargs={"slug": slug}) for slug in slugs]


def _author_pages(slug: str) -> list[tuple[str, dict]]:
    return [("authors:detail", {"slug": slug}), *_feeds("authors:feed", {"slug": slug})]


def _regions_around(article: Article) -> list[str]:
    """The slugs of the article's regions and of every region containing one."""
    by_pk = {region.pk: region for region in Region.objects.tree().regions}
    slugs = set()
    for pk in article.regions.values_list("pk", flat=True):
        region = by_pk.get(pk)
        while region is not None:
            slugs.add(region.slug)
            region = by_pk.get(region.parent_id)
    return sorted(slugs)


# --- writing pages again, in the background ------------------------------------------


@task()
def write_pages(paths: list[str]) -> int:
    """Render these public pages as a reader without a session would get them (the
    page cache middleware writes each file). Returns how many were written."""
    return sum(render(path) == 200 for path in paths)


@task()
def prune_trees() -> int:
    """Remove the trees no longer served."""
    return prune()


@task()
def refresh_at_publication(article_id: int) -> bool:
    """At a scheduled article's publication time: the pages it now appears on."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None or not article.is_public or not enabled():
        return False  # withdrawn, or moved later (that change asked again)
    refresh(article_ids=[article_id])
    return True


def refresh_later(article: Article) -> None:
    """Refresh the pages of a scheduled article at its publication time."""
    chosen = refresh_at_publication
    if chosen.get_backend().supports_defer:
        chosen.using(run_after=article.published_at).enqueue(article.pk)


def render(path: str) -> int:
    """GET `path` at the site's address through the whole middleware stack, as a
    reader without a session (the page cache middleware writes its file); returns the
    status."""
    return response_for(path).status_code


def response_for(path: str):
    """The response a reader without a session gets for `path` at the site's address."""
    site = urlsplit(settings.SITE_URL)
    secure = site.scheme == "https"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": site.hostname or "localhost",
        "SERVER_PORT": str(site.port or (443 if secure else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": site.netloc,
        "wsgi.url_scheme": site.scheme,
        "wsgi.input": io.BytesIO(b""),
    }
    if secure and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    # Not closed: closing a response announces the end of a request, which would close
    # the database connection of the task (or request) running this.
    return _handler().get_response(WSGIRequest(environ))


@functools.cache
def _handler() -> BaseHandler:
    handler = BaseHandler()
    handler.load_middleware()
    return handler


# --- keeping in step -------------------------------------------------------------------

_pending = Local()


def _state():
    if not hasattr(_pending, "paths"):
        _pending.paths, _pending.article_ids, _pending.everything = set(), set(), False
        _pending.times = {}
    return _pending


def _track_article(article: Article) -> None:
    """Note a change to an article readers may see (or saw) for the commit."""
    was_approved = getattr(article, "_files_was_approved", False)
    loaded_slug = getattr(article, "_files_loaded_slug", None)
    loaded_time = getattr(article, "_files_loaded_published_at", None)
    _loaded(Article, article)  # the next save of this instance compares with this one
    if not (was_approved or _approved(article)):
        return  # a draft before and after: on no public page
    state = _state()
    state.article_ids.add(article.pk)
    if loaded_slug and loaded_slug != article.slug:  # the old address's file too
        state.paths.add(reverse("articles:detail", kwargs={"slug": loaded_slug}))
    if was_approved and loaded_time and loaded_time != article.published_at:
        state.times.setdefault(article.pk, set()).add(loaded_time)  # its old place too
    transaction.on_commit(_flush)


def _approved(article: Article) -> bool:
    values = article.__dict__
    return values.get("status") == Article.Status.PUBLISHED and values.get("deleted_at") is None


def _track_everything() -> None:
    _state().everything = True
    transaction.on_commit(_flush)


def _flush() -> None:
    """Once the change committed: remove the files of the pages it affects, then ask
    for the most read of them to be written again."""
    state = _state()
    paths, article_ids, everything = state.paths, state.article_ids, state.everything
    times = state.times
    if not (paths or article_ids or everything):
        return
    state.paths, state.article_ids, state.everything, state.times = set(), set(), False, {}
    try:
        refresh(article_ids=article_ids, paths=paths, everything=everything, times=times)
    except Exception:  # the change is committed; it must not look failed
        logger.exception("Could not update the published files after a commit")


def refresh(*, article_ids=(), paths=(), everything=False, times=None) -> dict:
    """Remove the files of the pages these articles (and `paths`) are on (and were on,
    at the publication times `times` gives by article id), then enqueue
    the writing of the most read of them (home, the site's feeds, each article's page
    and its topics' pages); the others are written when first asked for. Returns what
    was done, counted."""
    article_ids = set(article_ids)
    rewrite = set(_urls(("articles:list", {}), *_feeds("articles:feed")))
    if everything or len(article_ids) > MAX_TRACKED_ARTICLES:
        remove_all()
        affected, removed = None, None
    else:
        affected = set(paths) | set(site_pages())
        for article in Article.objects.filter(pk__in=article_ids):
            shows, suggests = article_pages(article, times=(times or {}).get(article.pk, ()))
            affected.update(shows, suggests)
            topics = article.tags.values_list("slug", flat=True)
            rewrite.add(article.get_absolute_url())
            rewrite.update(_urls(*(("articles:tag", {"slug": slug}) for slug in topics)))
            if article.is_approved and not article.is_public:
                refresh_later(article)
        removed = remove(affected | rewrite, also=sitemap_sections())
    write_pages.enqueue(sorted(rewrite))
    return {
        "rewritten": len(rewrite),
        "removed_pages": None if affected is None else len(affected | rewrite),
        "removed_files": removed,
    }


def _loaded(sender, instance, **kwargs):
    instance._files_loaded_slug = instance.__dict__.get("slug")
    instance._files_loaded_published_at = instance.__dict__.get("published_at")
    instance._files_was_approved = _approved(instance)


def _article_changed(sender, instance, raw=False, signal=None, **kwargs):
    if not enabled() or raw:
        return
    if signal is post_delete:  # gone from the database: its page goes by its address
        instance._files_was_approved = True
        _state().paths.add(instance.get_absolute_url())
    _track_article(instance)


def _credit_changed(sender, instance, raw=False, **kwargs):
    if not enabled() or raw:
        return
    article = Article.objects.filter(pk=instance.article_id).first()
    if article is not None:
        credits_changed(article, author_ids=[instance.author_id])


def article_changed(article: Article) -> None:
    """What the pages of `article` print changed without its row being saved (a PDF
    made or removed, a DOI assigned, its HTML rendered again): their files, at commit."""
    if enabled() and _approved(article):
        _track_article(article)


def credits_changed(article: Article, *, author_ids) -> None:
    """The credits of `article` changed, adding or removing these authors."""
    if not enabled() or not _approved(article):
        return
    # The authors' pages list it (or did): by address, as the credits may be gone.
    for slug in AuthorProfile.objects.filter(pk__in=author_ids).values_list("slug", flat=True):
        _state().paths.update(_urls(*_author_pages(slug)))
    _track_article(article)


def _placed(sender, instance, action, reverse, pk_set, **kwargs):
    """An article's topics, programmes or regions changed (or a topic's articles)."""
    if not enabled() or action not in ("pre_remove", "pre_clear", "post_add", "post_remove",
                                       "post_clear"):  # fmt: skip
        return
    if reverse:
        _track_everything()  # a topic's, programme's or region's articles, all at once
        return
    if action in ("pre_remove", "pre_clear") and _approved(instance):
        # The pages it is on and leaves: worked out before it leaves them.
        hot, cold = article_pages(instance)
        _state().paths.update(hot, cold)
    if action.startswith("post"):
        instance._files_was_approved = _approved(instance)
        _track_article(instance)


def _wide_change(sender, instance=None, created=False, raw=False, action="post", **kwargs):
    """A change that reaches many pages: an author, a topic, a programme, a region, a
    library image (its alt text and credit are printed), an area of expertise."""
    if not enabled() or raw or not action.startswith("post"):
        return
    if created and sender in (LibraryImage, AuthorProfile, Tag):
        return  # new, and on no public page yet
    _track_everything()


def connect_signals() -> None:
    """Follow every change to what readers see (the models articles.caching follows)."""
    post_init.connect(_loaded, sender=Article, dispatch_uid="files.article.loaded")
    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(_article_changed, sender=Article, dispatch_uid=f"files.article.{name}")
        signal.connect(_credit_changed, sender=ArticleAuthor, dispatch_uid=f"files.credit.{name}")
        for model in (AuthorProfile, Tag, LibraryImage, Programme, Region, ExpertiseArea,
                      PublicationType):  # fmt: skip
            uid = f"files.{model._meta.label_lower}.{name}"
            signal.connect(_wide_change, sender=model, dispatch_uid=uid)
    for manager in (Article.tags, Article.programmes, Article.regions):
        uid = f"files.{manager.through._meta.label_lower}"
        m2m_changed.connect(_placed, sender=manager.through, dispatch_uid=uid)
    for manager in (AuthorProfile.expertise, AuthorProfile.programmes, AuthorProfile.regions):
        uid = f"files.{manager.through._meta.label_lower}"
        m2m_changed.connect(_wide_change, sender=manager.through, dispatch_uid=uid)
