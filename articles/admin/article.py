"""The editors' and fellows' interface: the article editor and its workflow panel.

Status and publication time are never form fields: they change only through the
workflow buttons (drawn from `articles.workflow`'s table, for the actions the user may
take), each of which calls a service that checks the user's role.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from articles import services, workflow
from articles.admin.bin import BinMixin
from articles.admin.doi import DOIMixin
from articles.admin.images import thumbnail
from articles.admin.publications import PublicationPDFMixin
from articles.admin.review_queue import ReviewQueueMixin
from articles.markdown import smart_quotes
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleRevision,
    Autosave,
    PreviewLink,
    PublicationType,
)
from articles.permissions import allowed_actions, is_editor
from articles.previews import preview_url
from articles.validators import single_line
from authors.models import AuthorProfile


class CreditFormSet(forms.BaseInlineFormSet):
    """The credits as typed: an approved article cannot be credited to its approver."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data["author"]
            for form in self.forms
            if form.cleaned_data.get("author") and not form.cleaned_data.get("DELETE")
        ]
        services.article_check_credits(article=self.instance, authors=kept)


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    formset = CreditFormSet
    extra = 1
    autocomplete_fields = ["author"]
    ordering = ["position", "id"]
    verbose_name_plural = "Credited authors (in printed order)"


class ArticleAdminForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "title", "subtitle", "slug", "body", "author_note", "tags", "hero_image",
            "hero_image_url", "hero_alt", "hero_caption", "hero_credit", "is_featured",
            "publication_type", "programmes", "regions", "series", "series_number",
            "key_findings", "summary", "recommendations", "doi",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version
        for name in ("title", "subtitle"):
            if name in self.fields:
                _sized_for_writing(self.fields[name])
        if "slug" in self.fields:
            # The live preview of the address (static/js/field-limits.js).
            self.fields["slug"].widget.attrs["data-address-prefix"] = reverse(
                "articles:detail", kwargs={"slug": "-"}
            )[:-2]
        if "publication_type" in self.fields:
            # Left out (a script's POST, an older form): the article keeps its type, or a
            # new one gets the default, as the choice shown would have been.
            self.fields["publication_type"].required = False

    def clean_publication_type(self):
        chosen = self.cleaned_data.get("publication_type")
        if chosen is None:
            if self.instance.publication_type_id:
                return self.instance.publication_type
            return PublicationType.objects.default()
        return chosen

    def clean_tags(self):
        tags = self.cleaned_data.get("tags") or []
        for tag in tags:
            single_line(tag)
        return tags

    def clean_title(self):
        return smart_quotes(self.cleaned_data.get("title") or "")

    def clean_subtitle(self):
        return smart_quotes(self.cleaned_data.get("subtitle") or "")

    def clean_slug(self):
        # Emptied on an existing article: keep its address rather than break links.
        return self.cleaned_data.get("slug") or self.instance.slug

    known_conflict: services.EditConflict | None = None  # found while saving

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        if self.known_conflict is not None:
            self._show_conflict(self.known_conflict, cleaned)
        loaded = cleaned.get("loaded_version")
        if loaded is None:
            # Without the version it was loaded at, a save could overwrite someone's work.
            raise ValidationError(
                "This form does not say which version of the article it was opened at, so "
                "it cannot be saved safely. Copy your text, reload the page and apply it again."
            )
        # Locked until the save's transaction ends, so no save can slip in between.
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
        )
        if current and current[0] != loaded:
            self._show_conflict(services.edit_conflict(self.instance, cleaned.get("body")), cleaned)
        self._take_theirs(cleaned)
        return cleaned

    # --- edit conflicts, resolved field by field ----------------------------------------

    field_conflicts: list = []

    def _show_conflict(self, conflict: services.EditConflict, cleaned: dict):
        """Refuse the save and show, side by side, every field where the form and the saved
        article differ. The form keeps what was typed; its version becomes the saved one,
        so the next save applies each field's choice ("keep mine" or "take theirs")."""
        self.conflict_changes = conflict.changes
        self.field_conflicts = services.article_conflicts(self.instance, self._typed(cleaned))
        self.data = self.data.copy()
        self.data["loaded_version"] = str(
            Article.objects.values_list("version", flat=True).get(pk=self.instance.pk)
        )
        for choice in [key for key in self.data if key.startswith("conflict_")]:
            del self.data[choice]
        raise ValidationError(conflict.messages[0])

    def _typed(self, cleaned: dict) -> dict:
        """What the refused form held, field by field (text as typed, even if invalid)."""
        typed = {name: self.data.get(name, "") for name in ("title", "subtitle", "body")}
        for name in ("hero_alt", "hero_caption", "hero_credit"):
            if name in self.data:
                typed[name] = self.data.get(name, "")
        if "hero_image" in self.fields:
            typed["hero_image"] = cleaned.get("hero_image")
        if "tags" in self.fields:
            typed["tags"] = cleaned.get("tags") or []
        if "authorships-TOTAL_FORMS" in self.data:
            typed["credits"] = _typed_credits(self.data)
        return typed

    def _take_theirs(self, cleaned: dict) -> None:
        """Apply "take theirs" to each field chosen so after a refused save."""
        chosen = [key[len("conflict_") :] for key, value in self.data.items() if value == "theirs"]
        if not chosen or not self.instance.pk:
            return
        saved = Article.objects.select_related("hero_image").get(pk=self.instance.pk)
        for name in chosen:
            if name == "credits":
                continue  # ArticleAdmin.get_formsets_with_inlines leaves the credits be
            if name == "tags":
                cleaned["tags"] = list(saved.tags.values_list("name", flat=True))
            elif name in self.fields and name in dict(services.CONFLICT_FIELDS):
                cleaned[name] = getattr(saved, name)


# What the panel pins, by state: the step whose comment still applies, and its heading.
_PINNED = {
    Article.Status.CHANGES_REQUESTED: ("changes_requested", "Changes requested by"),
    Article.Status.WITHDRAWN: ("withdrawn", "Withdrawn by"),
    Article.Status.DRAFT: ("returned_to_draft", "Sent back to draft by"),
}


def _pinned_comment(article: Article, events: list) -> tuple[str, object] | None:
    """(heading, step) of the comment that applies to the article's state now, if any: the
    last step must be the one that put it there, with a comment."""
    if article.status not in _PINNED or not events:
        return None
    action, heading = _PINNED[article.status]
    last = events[-1]
    if last.action != action or not last.comment:
        return None
    return heading, last


def _typed_credits(data) -> list[int]:
    """The credited AuthorProfile ids an article form's credits rows hold, in order."""
    rows = []
    total = _number(data.get("authorships-TOTAL_FORMS") or "0")
    for n in range(min(total, 1000)):
        author = data.get(f"authorships-{n}-author")
        if not author or data.get(f"authorships-{n}-DELETE"):
            continue
        try:
            rows.append((int(data.get(f"authorships-{n}-position") or n), n, int(author)))
        except ValueError:
            continue
    return [author for _position, _n, author in sorted(rows)]


def _sized_for_writing(field: forms.Field) -> None:
    """A headline field as wide as the page, with its limit stated and counted as one types
    (static/js/field-limits.js); the browser no longer cuts a pasted text short: too long
    is refused with the count, and nothing typed is lost."""
    limit = field.max_length
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs.update({"data-limit": limit, "class": "vTextField vTextField--full"})
    field.help_text = f"{field.help_text} Up to {limit} characters; straight quotes become curly."


def _number(value: str) -> int:
    """A whole number typed in a form, or a ValidationError that says so."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"“{value}” is not a whole number.") from None


class TransitionForm(forms.Form):
    """What a workflow button sends: a comment, and a publication time when approving.

    Shown for one transition of the table, it has only the fields that transition asks
    for; read from a POST, all of them (the service says what is missing).
    """

    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    publish_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label=f"Publish at (site time, {settings.TIME_ZONE})",
        help_text="Leave empty to publish now.",
    )

    def __init__(self, *args, transition: workflow.Transition | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        if transition is not None:
            kwargs.setdefault("auto_id", f"id_{transition.action}_%s")
        super().__init__(*args, **kwargs)
        if transition is None:
            return
        if transition.comment:
            self.fields["comment"].label = transition.comment
            # Required in the browser; the service refuses an empty one with its reason.
            self.fields["comment"].widget.attrs["required"] = True
        else:
            del self.fields["comment"]
        if not transition.asks_time:
            del self.fields["publish_at"]
        elif transition.scheduled:  # rescheduling: a new time is the point
            self.fields["publish_at"].label = f"New time (site time, {settings.TIME_ZONE})"
            self.fields["publish_at"].help_text = "A time ahead; to publish at once, Publish now."
            self.fields["publish_at"].widget.attrs["required"] = True


class AutosaveForm(forms.Form):
    """What the editor's autosave sends: the three texts as typed (not stripped) and the
    version the form was opened at; the service checks them as the article would."""

    title = forms.CharField(required=False, strip=False)
    subtitle = forms.CharField(required=False, strip=False)
    body = forms.CharField(required=False, strip=False)
    loaded_version = forms.IntegerField(
        error_messages={
            "required": "The editor did not say which version it was opened at.",
            "invalid": "The editor did not say which version it was opened at.",
        }
    )


# The session's list of browser copies the next page may forget (saved in the meantime).
AUTOSAVE_SAVED = "autosave_saved"


def _autosave_storage_key(article: Article, user) -> str:
    """Where the editor's script keeps its copy of the text, per article and user."""
    return f"autosave:article-{article.pk}:user-{user.pk}"


def _autosave_json(slot: Autosave) -> dict:
    """A slot as the editor's script reads it, its time in the site's time zone."""
    saved_at = timezone.localtime(slot.saved_at, timezone.get_default_timezone())
    return {
        "saved_at": saved_at.isoformat(),
        "display": f"Saved {date_format(saved_at, 'H:i')}",
    }


def _autosave_refusal(exc: ValidationError) -> JsonResponse:
    """A refused autosave as JSON: 403 for someone who may not edit, 400 for the text."""
    if hasattr(exc, "error_dict"):
        fields = exc.message_dict
        labels = {name: Article._meta.get_field(name).verbose_name for name in fields}
        text = " ".join(
            f"{labels[name].capitalize()}: {message}"
            for name, messages_ in fields.items()
            for message in messages_
        )
        return JsonResponse({"error": text, "fields": fields}, status=400)
    status = 403 if exc.code == services.AUTOSAVE_NOT_ALLOWED else 400
    return JsonResponse({"error": " ".join(exc.messages)}, status=status)


@admin.register(Article)
class ArticleAdmin(PublicationPDFMixin, ReviewQueueMixin, BinMixin, DOIMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    list_display = ["title", "status_label", "published_at", "author_names", "updated_at"]
    # Only the topics of articles the user may open (a fellow sees no one else's).
    list_filter = [
        "status",
        "publication_type",
        "programmes",
        "is_featured",
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "subtitle", "authors__name"]
    date_hierarchy = "published_at"
    inlines = [ArticleAuthorInline]
    autocomplete_fields = ["hero_image", "programmes", "regions"]
    readonly_fields = [
        "hero_preview",
        "status_label",
        "published_at",
        "reading_time",
        "created_at",
        "updated_at",
        "source_path",
        "public_link",
    ]
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "subtitle",
                    "slug",
                    "body",
                    "author_note",
                    "tags",
                    "loaded_version",
                ]
            },  # fmt: skip
        ),
        (
            "Research",
            {
                "fields": [
                    "publication_type",
                    "programmes",
                    "regions",
                    ("series", "series_number"),
                    "key_findings",
                    "summary",
                    "recommendations",
                    "doi",
                ]
            },  # fmt: skip
        ),
        (
            "Hero image",
            {
                "fields": [
                    "hero_image",
                    "hero_preview",
                    "hero_image_url",
                    "hero_alt",
                    "hero_caption",
                    "hero_credit",
                ]
            },  # fmt: skip
        ),
        ("Publication", {"fields": ["status_label", "published_at", "is_featured", "public_link"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": ["reading_time", "created_at", "updated_at", "source_path"],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/admin-editor.css"]}
        js = [
            "js/editor.js",
            "js/editor-toolbar.js",
            "js/field-limits.js",
            "js/autosave.js",
            "js/edit-conflict.js",
        ]

    # --- who sees what ----------------------------------------------------------------

    def get_queryset(self, request):
        return (
            Article.objects.editable_by(request.user)
            .prefetch_related("authorships__author")
            .order_by("-updated_at")
        )

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or "view" in allowed_actions(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or "edit" in allowed_actions(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if is_editor(request.user):
            return fieldsets
        # Only editors choose what is featured on the home page.
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "is_featured"]})
            for name, opts in fieldsets
        ]

    # --- saving -------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.article_save(
            article=obj, by=request.user, expected_version=form.cleaned_data.get("loaded_version")
        )
        if change:
            # The page the admin goes on to tells the editor's script that this browser's
            # autosaved copy is saved now (the server's slot went with the save).
            saved = request.session.get(AUTOSAVE_SAVED, [])
            key = _autosave_storage_key(obj, request.user)
            request.session[AUTOSAVE_SAVED] = [*saved, key][-20:]

    def get_formsets_with_inlines(self, request, obj=None):
        # "Take theirs" for the credits after a refused save: the saved credits stay, and
        # the form's copy of them (perhaps of rows since replaced) is neither read nor saved.
        take_theirs = request.method == "POST" and request.POST.get("conflict_credits") == "theirs"
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if not (take_theirs and isinstance(inline, ArticleAuthorInline)):
                yield formset, inline

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        profile = AuthorProfile.objects.filter(user=request.user).first()
        if not article.authorships.exists() and profile is not None:
            # A fellow's new article is theirs: credit them so they can go on editing it.
            services.article_set_authors(article=article, authors=[profile])

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.EditConflict as conflict:
            # Someone saved between the form's check and this save (the check cannot lock
            # on SQLite): show the form again with what was typed, and the conflict.
            request._edit_conflict = conflict
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if conflict := getattr(request, "_edit_conflict", None):
            return type(form.__name__, (form,), {"known_conflict": conflict})
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._workflow_context(request, obj))
            if self.has_change_permission(request, obj):
                context["autosave"] = self._autosave_context(request, obj)
        if request.method == "GET":
            context["autosave_saved"] = request.session.pop(AUTOSAVE_SAVED, [])
        form = context.get("adminform").form
        context["conflict_changes"] = getattr(form, "conflict_changes", "")
        context["field_conflicts"] = getattr(form, "field_conflicts", [])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _workflow_context(self, request, article: Article) -> dict:
        allowed = allowed_actions(request.user, article)
        events = list(article.events.select_related("actor"))
        links = (
            [link for link in article.preview_links.all() if link.is_active]
            if "create_preview_link" in allowed
            else []
        )
        return {
            "workflow_actions": allowed,
            "workflow_events": events,
            # The comment that applies now: the current round's request for changes while
            # the article waits for them, the reason while withdrawn or sent back.
            "pinned_comment": _pinned_comment(article, events),
            "review_rounds": [
                (number, list(steps)) for number, steps in groupby(events, key=lambda e: e.round)
            ],
            "checklist": services.publication_problems(article),
            # The table's transitions this user may take now, each with its form.
            "workflow_buttons": [
                (row, TransitionForm(transition=row))
                for row in workflow.TRANSITIONS
                if row.button and row.action in allowed
            ],
            "preview_links": [
                (link, request.build_absolute_uri(preview_url(link))) for link in links
            ],
            "revision_count": article.revisions.count(),
            "is_public": article.is_public,
            "site_time_zone": settings.TIME_ZONE,
        }

    def _autosave_context(self, request, article: Article) -> dict:
        """What the editor's autosave script needs: where to send the text, where the
        browser keeps its copy, and the server's slot if it may hold unsaved text."""
        slot = Autosave.objects.worth_offering(article=article, user=request.user)
        return {
            "url": reverse("admin:articles_article_autosave", args=[article.pk]),
            "discard_url": reverse("admin:articles_article_autosave_discard", args=[article.pk]),
            "storage_key": _autosave_storage_key(article, request.user),
            "time_zone": settings.TIME_ZONE,
            "slot": None
            if slot is None
            else {
                **{name: getattr(slot, name) for name in services.AUTOSAVED_FIELDS},
                **_autosave_json(slot),
                "loaded_version": slot.loaded_version,
            },
        }

    # --- list display -------------------------------------------------------------------

    @admin.display(description="Status", ordering="status")
    def status_label(self, article: Article) -> str:
        if article.status == Article.Status.PUBLISHED and not article.is_public:
            when = timezone.localtime(article.published_at).strftime("%d %b %Y %H:%M")
            return f"Scheduled for {when}"
        return article.get_status_display()

    @admin.display(description="Authors")
    def author_names(self, article: Article) -> str:
        return ", ".join(author.name for author in article.credited_authors)

    @admin.display(description="Hero as saved")
    def hero_preview(self, article: Article) -> str:
        if article.hero_image_id:
            return thumbnail(article.hero_image)
        return "No library image chosen." if not article.hero_image_url else article.hero_image_url

    @admin.display(description="Public page")
    def public_link(self, article: Article) -> str:
        if not article.pk:
            return "Saved articles get an address."
        return format_html('<a href="{0}" target="_blank">{0}</a>', article.get_absolute_url())

    # --- workflow views -----------------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "<int:pk>/workflow/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="articles_article_transition",
            ),
            path(
                "<int:pk>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="articles_article_restore",
            ),
            path(
                "<int:pk>/preview-links/",
                self.admin_site.admin_view(self.preview_link_view),
                name="articles_article_preview_links",
            ),
            path(
                "<int:pk>/autosave/",
                self.admin_site.admin_view(self.autosave_view),
                name="articles_article_autosave",
            ),
            path(
                "<int:pk>/autosave/discard/",
                self.admin_site.admin_view(self.autosave_discard_view),
                name="articles_article_autosave_discard",
            ),
        ]
        return own + super().get_urls()

    def _article_for(self, request: HttpRequest, pk: int) -> Article:
        article = get_object_or_404(Article.objects.prefetch_related("authorships__author"), pk=pk)
        if "view" not in allowed_actions(request.user, article):
            raise PermissionDenied
        return article

    def _back(self, article: Article) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def transition_view(self, request: HttpRequest, pk: int, action: str):
        if request.method != "POST":
            raise PermissionDenied
        article = self._article_for(request, pk)
        form = TransitionForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        publish_at: datetime | None = data.get("publish_at")
        calls = {
            "submit": lambda: services.article_submit(article=article, by=request.user),
            "request_changes": lambda: services.article_request_changes(
                article=article, by=request.user, comment=data.get("comment", "")
            ),
            "approve": lambda: services.article_approve(
                article=article,
                by=request.user,
                publish_at=publish_at,
                comment=data.get("comment", ""),
            ),  # fmt: skip
            "withdraw": lambda: services.article_withdraw(
                article=article, by=request.user, reason=data.get("comment", "")
            ),
            "return_to_draft": lambda: services.article_return_to_draft(
                article=article, by=request.user
            ),
            "publish_now": lambda: services.article_publish_now(article=article, by=request.user),
            "reschedule": lambda: services.article_reschedule(
                article=article, by=request.user, publish_at=publish_at
            ),
            "unschedule": lambda: services.article_unschedule(article=article, by=request.user),
            "release": lambda: services.article_release(
                article=article, by=request.user, publish_at=publish_at
            ),
            "back_to_draft": lambda: services.article_back_to_draft(
                article=article, by=request.user, comment=data.get("comment", "")
            ),
        }
        if action not in calls:
            raise PermissionDenied
        if form.errors:
            for errors in form.errors.values():
                self.message_user(request, " ".join(errors), messages.ERROR)
            return self._back(article)
        try:
            article = calls[action]()
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                f"“{article.title}” is now {self.status_label(article).lower()}.",
                messages.SUCCESS,
            )
        if "view" not in allowed_actions(request.user, article):
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
        return self._back(article)

    def revisions_view(self, request: HttpRequest, pk: int):
        article = self._article_for(request, pk)
        revisions = list(article.revisions.select_related("created_by"))
        published = services.published_revision(article)
        chosen = None
        if number := request.GET.get("diff"):
            chosen = next((r for r in revisions if str(r.number) == number), None)
        against = published or (revisions[0] if revisions else None)
        if request.GET.get("against"):
            against = next(
                (r for r in revisions if str(r.number) == request.GET["against"]), against
            )
        diff = services.revision_diff(older=against, newer=chosen) if chosen else None
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of “{article.title}”",
            "opts": self.model._meta,
            "article": article,
            "revisions": revisions,
            "published": published,
            "chosen": chosen,
            "against": against,
            "diff": diff,
            "can_restore": "edit" in allowed_actions(request.user, article),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def restore_view(self, request: HttpRequest, pk: int, number: int):
        if request.method != "POST":
            raise PermissionDenied
        article = self._article_for(request, pk)
        revision = get_object_or_404(ArticleRevision, article=article, number=number)
        try:
            services.article_restore_revision(article=article, revision=revision, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request, f"Revision {number} restored as a new revision.", messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:articles_article_revisions", args=[pk]))

    def preview_link_view(self, request: HttpRequest, pk: int):
        """The preview links panel's forms: create a review or press link, revoke one,
        put the article under embargo or lift it."""
        if request.method != "POST":
            raise PermissionDenied
        article = self._article_for(request, pk)
        post = request.POST
        try:
            if revoke := post.get("revoke"):
                link = PreviewLink.objects.filter(article=article, pk=_number(revoke)).first()
                if link is None:
                    raise ValidationError("That preview link is not one of this article's.")
                services.preview_link_revoke(link=link, by=request.user)
                message = "The preview link no longer works."
            elif "embargo" in post:
                embargoed = post["embargo"] == "on"
                services.article_set_embargo(article=article, by=request.user, embargoed=embargoed)
                message = (
                    "Embargoed: press links may now be given."
                    if embargoed
                    else "The embargo is lifted: press links no longer work."
                )
            elif post.get("kind") == PreviewLink.Kind.PRESS:
                link = services.press_link_create(
                    article=article,
                    by=request.user,
                    name=post.get("recipient_name", ""),
                    email=post.get("recipient_email", ""),
                    note=post.get("note", ""),
                )
                message = f"Press link sent to {link.recipient_email}."
            else:
                services.preview_link_create(
                    article=article,
                    by=request.user,
                    days=_number(post.get("days") or "0") or None,
                    note=post.get("note", ""),
                )
                message = "Preview link created."
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, message, messages.SUCCESS)
        return self._back(article)

    def _autosave_article(self, request: HttpRequest, pk: int) -> Article | JsonResponse:
        """The article an autosave request is about, or the JSON refusal to answer."""
        if request.method != "POST":
            response = JsonResponse({"error": "Send the text with POST."}, status=405)
            response["Allow"] = "POST"
            return response
        article = (
            Article.objects.prefetch_related("authorships__author").filter(pk=pk).first()
            if pk <= 2**63 - 1
            else None
        )
        if article is None or "view" not in allowed_actions(request.user, article):
            return JsonResponse({"error": "There is no such article to save."}, status=404)
        return article

    def autosave_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        """POST the editor's title, subtitle and body: kept in the user's one slot."""
        article = self._autosave_article(request, pk)
        if isinstance(article, JsonResponse):
            return article
        form = AutosaveForm(request.POST)
        if not form.is_valid():
            text = " ".join(message for errors in form.errors.values() for message in errors)
            return JsonResponse({"error": text, "fields": form.errors}, status=400)
        try:
            slot = services.autosave_store(article=article, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            return _autosave_refusal(exc)
        return JsonResponse(_autosave_json(slot))

    def autosave_discard_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        """POST to forget the user's autosave of the article."""
        article = self._autosave_article(request, pk)
        if isinstance(article, JsonResponse):
            return article
        discarded = services.autosave_discard(article=article, user=request.user)
        return JsonResponse({"discarded": discarded})

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if request.method == "GET":
            extra_context["autosave_saved"] = request.session.pop(AUTOSAVE_SAVED, [])
        if is_editor(request.user):
            extra_context["review_count"] = Article.objects.in_review().count()
            extra_context["bin_count"] = Article.all_objects.binned().count()
        return super().changelist_view(request, extra_context)


# Credits (ArticleAuthor) have no admin of their own: they are edited only inline, on an
# article the user may edit, so the article's rules are the credits' rules.
