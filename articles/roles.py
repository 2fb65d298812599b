"""The editorial roles as groups of permissions.

Migration 0004 creates them on every database; `ensure_roles()` re-creates them where a
database was emptied (for example between browser tests) and is safe to call anytime.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

FELLOW = "Research fellow"
EDITOR = "Editor"

FELLOW_PERMISSIONS = (
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.add_articleauthor",
    "articles.change_articleauthor",
    "articles.delete_articleauthor",
    "articles.view_articleauthor",
    "articles.add_libraryimage",
    "articles.change_libraryimage",  # their own uploads only (see LibraryImageAdmin)
    "articles.view_libraryimage",
    "authors.view_authorprofile",
    "taggit.view_tag",
    "articles.view_publicationtype",
    "articles.view_programme",
    "articles.view_region",
    "authors.view_expertisearea",
)
_TAXONOMIES = ("articles.publicationtype", "articles.programme", "articles.region",
               "authors.expertisearea")  # fmt: skip
EDITOR_PERMISSIONS = (
    *FELLOW_PERMISSIONS,
    "articles.review_article",
    "articles.delete_article",
    "articles.view_articleevent",
    "articles.view_articlerevision",
    "articles.add_previewlink",
    "articles.change_previewlink",
    "articles.view_previewlink",
    "articles.delete_libraryimage",
    "authors.add_authorprofile",
    "authors.change_authorprofile",
    "taggit.add_tag",
    "taggit.change_tag",
    "taggit.delete_tag",
    *(f"{app}.{verb}_{model}" for app, model in (t.split(".") for t in _TAXONOMIES)
      for verb in ("add", "change", "delete")),
    "articles.view_publicationpdf",
    "articles.change_publicationpdf",
    "articles.view_doideposit",
    "articles.add_doideposit",
)  # fmt: skip
ROLES = {FELLOW: FELLOW_PERMISSIONS, EDITOR: EDITOR_PERMISSIONS}


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """The role groups, created with their permissions if missing."""
    groups = {}
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for label in wanted:
            app_label, codename = label.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        groups[name] = group
    return groups
