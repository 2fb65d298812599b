"""The sign-up and manage forms: an address (sign-up only), what to follow, how often."""

from django import forms
from django.conf import settings
from taggit.models import Tag

from articles.models import Programme, PublicationType
from authors.models import AuthorProfile
from subscribers.models import Subscriber
from subscribers.services import Follows

CONSENT_TEXT = (
    "We store your e-mail address, what you follow and when you agreed, only to send you "
    "what you asked for. No tracking pixels, no sharing. Every e-mail has a link to change "
    "or end your subscription."
)


class FollowsForm(forms.Form):
    everything = forms.BooleanField(required=False, label="Everything we publish")
    programmes = forms.ModelMultipleChoiceField(
        Programme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    topics = forms.ModelMultipleChoiceField(
        Tag.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    authors = forms.ModelMultipleChoiceField(
        AuthorProfile.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    publication_types = forms.ModelMultipleChoiceField(
        PublicationType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Publication types",
    )
    frequency = forms.ChoiceField(
        choices=Subscriber.Frequency.choices,
        initial=Subscriber.Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
        label="How often",
    )

    def follows(self) -> Follows:
        data = self.cleaned_data
        return Follows(
            everything=data["everything"],
            programmes=tuple(data["programmes"]),
            topics=tuple(data["topics"]),
            authors=tuple(data["authors"]),
            publication_types=tuple(data["publication_types"]),
        )

    def clean(self):
        data = super().clean()
        if not self.errors and self.follows().empty:
            raise forms.ValidationError("Choose at least one thing to follow.")
        return data


class SignupForm(FollowsForm):
    email = forms.EmailField(label="E-mail address", max_length=254)
    # Left empty by people; filled by bots that fill every field.
    website = forms.CharField(required=False, label="Leave this empty")
    source = forms.CharField(required=False, widget=forms.HiddenInput, max_length=300)

    field_order = ["email"]


def digest_when() -> str:
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    weekday = int(getattr(settings, "DIGEST_WEEKDAY", 0)) % 7
    hour = int(getattr(settings, "DIGEST_HOUR", 8))
    return f"{days[weekday]}s at {hour:02d}:00 ({settings.TIME_ZONE})"
