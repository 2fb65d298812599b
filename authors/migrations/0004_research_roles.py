"""Editors manage the research taxonomies (publication types, programmes, regions,
expertise areas), PDFs and DOI deposits; fellows see them, to file their work."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SEE = [
    ("articles", "view_publicationtype"),
    ("articles", "view_programme"),
    ("articles", "view_region"),
    ("authors", "view_expertisearea"),
]
MANAGE = [
    (app, f"{verb}_{model}")
    for app, model in [
        ("articles", "publicationtype"),
        ("articles", "programme"),
        ("articles", "region"),
        ("authors", "expertisearea"),
    ]
    for verb in ("add", "change", "delete", "view")
] + [
    ("articles", "view_publicationpdf"),
    ("articles", "change_publicationpdf"),
    ("articles", "view_doideposit"),
    ("articles", "add_doideposit"),
]
ROLES = {"Research fellow": SEE, "Editor": MANAGE}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_research"),
        ("authors", "0003_research"),
        ("articles", "0004_editorial_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
