"""Alerts follow publication: an article that becomes approved (published now or
scheduled) gets its alert planned; bounces and complaints from the provider's webhooks
suppress the address. Connected once, from the app's ready(); `articles` never imports
this app."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save

from articles.models import Article
from subscribers import sending, tasks, webhooks


def _note_loaded_state(sender, instance: Article, raw=False, **kwargs):
    # Read before articles.related's post_save handler replaces what was loaded.
    instance._alert_was_approved = getattr(instance, "_loaded_approved", None)


def _article_saved(sender, instance: Article, created, raw=False, **kwargs):
    if raw or not instance.is_approved:
        return
    was_approved = getattr(instance, "_alert_was_approved", None)
    if created or was_approved is False:
        sending.alert_plan(article=instance)


def connect_signals() -> None:
    pre_save.connect(_note_loaded_state, sender=Article, dispatch_uid="subscribers.loaded")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="subscribers.alert")
    tasks.connect_signals()
    webhooks.connect_signals()
