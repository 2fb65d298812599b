import json

from subscribers.management.commands._by_address import SubscriberCommand
from subscribers.services import subscriber_export


class Command(SubscriberCommand):
    help = "Print, as JSON, everything stored about one subscriber's address."

    def act(self, subscriber):
        self.stdout.write(json.dumps(subscriber_export(subscriber=subscriber), indent=2))
