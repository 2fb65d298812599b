import json

from django.core.management.base import BaseCommand, CommandError

from subscribers.models import Subscriber
from subscribers.services import subscriber_export


class Command(BaseCommand):
    help = "Print, as JSON, everything stored about one subscriber's address."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        subscriber = Subscriber.objects.filter(email=email.strip().lower()).first()
        if subscriber is None:
            raise CommandError(f"No subscriber has the address {email}.")
        self.stdout.write(json.dumps(subscriber_export(subscriber=subscriber), indent=2))
