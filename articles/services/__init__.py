"""Changing articles: every state change is a named function that checks its rule.

By concern: `workflow` (the transitions of `articles.workflow`'s table), `editing` (text,
revisions, credits, re-rendering), `autosave` (the editor's slot of unsaved text),
`images` (the image library and its renditions), `bin` (deleting and restoring),
`previews` (preview links), `imports` (articles from elsewhere).
Code calls them through this package (`from articles import services`, then
`services.article_approve(...)`), which re-exports every public name.
"""

from articles.services.autosave import (
    AUTOSAVE_NOT_ALLOWED,
    AUTOSAVED_FIELDS,
    autosave_discard,
    autosave_store,
)
from articles.services.bin import article_bin, article_restore_from_bin, bin_purge
from articles.services.doi import doi_prepare, doi_register
from articles.services.editing import (
    RENDERED_FIELDS,
    TEXT_FIELDS,
    WORKFLOW_FIELDS,
    EditConflict,
    _add_revision,
    article_check_credits,
    article_refresh_bio_links,
    article_rerender,
    article_restore_revision,
    article_save,
    article_set_authors,
    edit_conflict,
    published_revision,
    revision_diff,
)
from articles.services.images import (
    IMAGE_TEXT_FIELDS,
    image_add,
    image_adopt,
    image_create,
    image_delete,
    image_describe,
    image_renditions_complete,
    image_renditions_make,
    image_renditions_rebuild,
    images_purge_unused,
)
from articles.services.imports import article_import_upsert
from articles.services.previews import (
    article_set_embargo,
    press_link_create,
    preview_link_create,
    preview_link_revoke,
)
from articles.services.publications import pdf_make, pdf_remove, pdf_request, pdf_retry, pdf_upload
from articles.services.workflow import (
    article_approve,
    article_back_to_draft,
    article_publish_now,
    article_release,
    article_request_changes,
    article_reschedule,
    article_return_to_draft,
    article_submit,
    article_unschedule,
    article_withdraw,
    publication_problems,
)

__all__ = [
    "AUTOSAVE_NOT_ALLOWED",
    "AUTOSAVED_FIELDS",
    "IMAGE_TEXT_FIELDS",
    "RENDERED_FIELDS",
    "TEXT_FIELDS",
    "WORKFLOW_FIELDS",
    "EditConflict",
    "_add_revision",
    "article_approve",
    "article_bin",
    "article_check_credits",
    "article_import_upsert",
    "article_request_changes",
    "article_refresh_bio_links",
    "article_rerender",
    "article_restore_from_bin",
    "article_restore_revision",
    "article_back_to_draft",
    "article_publish_now",
    "article_release",
    "article_reschedule",
    "article_return_to_draft",
    "article_unschedule",
    "article_save",
    "article_set_authors",
    "article_submit",
    "article_withdraw",
    "autosave_discard",
    "autosave_store",
    "bin_purge",
    "doi_prepare",
    "doi_register",
    "edit_conflict",
    "image_add",
    "image_adopt",
    "image_create",
    "image_delete",
    "image_describe",
    "image_renditions_complete",
    "image_renditions_make",
    "image_renditions_rebuild",
    "images_purge_unused",
    "pdf_make",
    "pdf_remove",
    "pdf_request",
    "pdf_retry",
    "pdf_upload",
    "preview_link_create",
    "preview_link_revoke",
    "press_link_create",
    "article_set_embargo",
    "publication_problems",
    "published_revision",
    "revision_diff",
]
