from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    """Readers who follow the institute's work by e-mail: sign-up with double opt-in,
    alerts and digests, deliveries, suppression. Its own models and life cycle, so its own
    app; it depends on `articles` and `authors`, which never import it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "subscribers"
    verbose_name = "Subscribers"

    def ready(self):
        from subscribers import admin_stats, signals  # noqa: F401 — admin_stats registers

        signals.connect_signals()  # alerts follow publication; bounces suppress
