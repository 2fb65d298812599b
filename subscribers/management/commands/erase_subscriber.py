from subscribers.management.commands._by_address import SubscriberCommand
from subscribers.services import subscriber_erase


class Command(SubscriberCommand):
    help = "Forget one subscriber's address and every message sent to it."

    def act(self, subscriber):
        email = subscriber.email
        subscriber_erase(subscriber=subscriber)
        self.stdout.write(f"Erased {email}.")
