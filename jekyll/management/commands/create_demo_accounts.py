"""python manage.py create_demo_accounts [--force]"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jekyll.sample_content.loader import demo_accounts_create


class Command(BaseCommand):
    help = (
        "Create the demo logins admin, editor and fellow, or reset them to their documented "
        "passwords and permissions. For local development only: refuses to run unless "
        "DEBUG is on or --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run although DEBUG is off. Never use this on a site others can reach.",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo accounts have published passwords, so they are for local development "
                "only, and DEBUG is off. If this really is a development database, re-run "
                "with --force."
            )
        try:
            results = demo_accounts_create()
        except ValidationError as exc:
            raise CommandError("A demo password was rejected: " + " ".join(exc.messages)) from exc

        rows = [("username", "password", "role")]
        rows += [(account.username, account.password, account.role) for account, _, _ in results]
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        rows.insert(1, ("-" * widths[0], "-" * widths[1], "----"))
        for username, password, role in rows:
            self.stdout.write(f"{username:<{widths[0]}}  {password:<{widths[1]}}  {role}")
        created = sum(1 for *_, is_new in results if is_new)
        self.stdout.write(
            f"\n{created} created, {len(results) - created} reset. These passwords are "
            "published in the source code: use these accounts for local development only."
        )
