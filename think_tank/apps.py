from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpConfig
from django_tasks_db.apps import TasksAppConfig
from taggit.apps import TaggitAppConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin, on a site that asks for a second factor where one is set up."""

    default_site = "think_tank.admin.ThinkTankAdminSite"


# Readable names for the apps the admin lists (its sidebar and index group models by app).


class TopicsConfig(TaggitAppConfig):
    verbose_name = "Topics"


class LoginAttemptsConfig(AxesConfig):
    verbose_name = "Login attempts"


class TwoFactorDevicesConfig(TotpConfig):
    verbose_name = "Two-factor devices"


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = "Background tasks"
