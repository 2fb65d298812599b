"""Create the two editorial roles, so a fresh database has them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FELLOW = "Research fellow"
EDITOR = "Editor"

FELLOW_PERMISSIONS = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "add_articleauthor"),
    ("articles", "change_articleauthor"),
    ("articles", "delete_articleauthor"),
    ("articles", "view_articleauthor"),
    ("authors", "view_authorprofile"),
    ("taggit", "view_tag"),
]
EDITOR_PERMISSIONS = [
    *FELLOW_PERMISSIONS,
    ("articles", "review_article"),
    ("articles", "delete_article"),
    ("articles", "view_articleevent"),
    ("articles", "view_articlerevision"),
    ("articles", "add_previewlink"),
    ("articles", "change_previewlink"),
    ("articles", "view_previewlink"),
    ("authors", "add_authorprofile"),
    ("authors", "change_authorprofile"),
    ("taggit", "add_tag"),
    ("taggit", "change_tag"),
    ("taggit", "delete_tag"),
]


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so the roles
    # can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ((FELLOW, FELLOW_PERMISSIONS), (EDITOR, EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[FELLOW, EDITOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_editorial_workflow"),
        ("authors", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
