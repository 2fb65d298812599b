from django.core.management.base import BaseCommand, CommandError

from subscribers.models import Subscriber
from subscribers.services import subscriber_erase


class Command(BaseCommand):
    help = "Forget one subscriber's address and every message sent to it."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        subscriber = Subscriber.objects.filter(email=email.strip().lower()).first()
        if subscriber is None:
            raise CommandError(f"No subscriber has the address {email}.")
        subscriber_erase(subscriber=subscriber)
        self.stdout.write(f"Erased {email}.")
