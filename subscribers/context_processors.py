"""What the public pages need to show the sign-up form in their footer: its address.
Templates test for it, so the site works without this app."""

from django.urls import reverse


def subscribe(request) -> dict:
    return {"subscribe_url": reverse("subscribers:signup")}
