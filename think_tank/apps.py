from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin, on a site that asks for a second factor where one is set up."""

    default_site = "think_tank.admin.ThinkTankAdminSite"
