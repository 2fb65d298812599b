"""What the commands about one reader share: finding the subscriber by address."""

from django.core.management.base import BaseCommand, CommandError

from subscribers.models import Subscriber


class SubscriberCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        subscriber = Subscriber.objects.filter(email=email.strip().lower()).first()
        if subscriber is None:
            raise CommandError(f"No subscriber has the address {email}.")
        self.act(subscriber)

    def act(self, subscriber: Subscriber) -> None:
        raise NotImplementedError
