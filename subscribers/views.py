"""Public pages of subscriptions: sign up, confirm, manage, unsubscribe (one click).

Signed links replace accounts; none of these pages is cached or reveals whether an
address is subscribed."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from subscribers import services
from subscribers.forgetting import schedule_forgetting
from subscribers.forms import CONSENT_TEXT, FollowsForm, SignupForm, digest_when
from subscribers.models import Subscriber


def _initial_from(request) -> dict:
    """A follow chosen on the page the visitor came from (?programme=…, ?topic=…)."""
    initial = {"everything": not request.GET, "source": request.GET.get("from", "")[:300]}
    for field, key in (
        ("programmes", "programme"),
        ("topics", "topic"),
        ("authors", "author"),
        ("publication_types", "type"),
    ):
        values = [v for v in request.GET.getlist(key) if v.isdigit()][:20]
        if values:
            initial[field] = values
    return initial


# The footer form is on cached public pages, which carry no CSRF token; a forged sign-up
# only asks for a confirmation e-mail, which is throttled and needs the address's owner.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            if not form.cleaned_data["website"]:  # a bot filled the honeypot: say nothing
                sent = services.subscriber_signup(
                    email=form.cleaned_data["email"],
                    follows=form.follows(),
                    frequency=form.cleaned_data["frequency"],
                    ip=request.META.get("REMOTE_ADDR", ""),
                    source=form.cleaned_data["source"] or request.headers.get("Referer", ""),
                    consent_text=CONSENT_TEXT,
                )
                if sent:
                    schedule_forgetting()
            return redirect("subscribers:check_your_inbox")
    else:
        form = SignupForm(initial=_initial_from(request))
    return render(
        request,
        "subscribers/signup.html",
        {"form": form, "consent_text": CONSENT_TEXT, "digest_when": digest_when()},
        status=400 if form.errors else 200,
    )


@never_cache
def check_your_inbox(request):
    return render(request, "subscribers/check_your_inbox.html")


def _link_ended(request):
    return render(request, "subscribers/link_ended.html", status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    subscriber = services.subscriber_from_token(token, confirmation=True)
    if subscriber is None:
        return _link_ended(request)
    if request.method == "GET":  # mail scanners follow links: confirm only on a click
        return render(request, "subscribers/confirm.html", {"subscriber": subscriber})
    try:
        services.subscriber_confirm(subscriber=subscriber)
    except ValidationError as error:
        return render(request, "subscribers/link_ended.html", {"error": error}, status=410)
    return redirect("subscribers:manage", token=services.tokens.manage_token(subscriber))


def _follows_initial(subscriber: Subscriber) -> dict:
    return {
        "everything": subscriber.follows_everything,
        "programmes": list(subscriber.programmes.all()),
        "topics": list(subscriber.topics.all()),
        "authors": list(subscriber.authors.all()),
        "publication_types": list(subscriber.publication_types.all()),
        "frequency": subscriber.frequency,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token: str):
    subscriber = services.subscriber_from_token(token)
    if subscriber is None or subscriber.status == Subscriber.Status.PENDING:
        return _link_ended(request)
    form = FollowsForm(initial=_follows_initial(subscriber))
    saved = False
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("pause", "resume"):
                services.subscriber_pause(subscriber=subscriber, paused=action == "pause")
                saved = True
            else:
                form = FollowsForm(request.POST)
                if form.is_valid():
                    services.subscriber_update(
                        subscriber=subscriber,
                        follows=form.follows(),
                        frequency=form.cleaned_data["frequency"],
                    )
                    saved = True
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "subscribers/manage.html",
        {
            "form": form,
            "subscriber": subscriber,
            "token": token,
            "saved": saved,
            "digest_when": digest_when(),
        },
        status=400 if form.errors else 200,
    )


@csrf_exempt  # RFC 8058: mail providers POST here without a page; the token is the authority
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    subscriber = services.subscriber_from_token(token)
    if subscriber is None:
        return _link_ended(request)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(request, "subscribers/unsubscribed.html", {"token": token})
    return render(request, "subscribers/unsubscribe.html", {"subscriber": subscriber})
