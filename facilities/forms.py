from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from facilities.models import Correction, Program

MAX_LISTED_PROGRAMS = 50


def parse_program_ids(values):
    """Program ids from "1,2,3" and/or repeated values, in order, without repeats.

    Raises ValueError with a message for the visitor when something is not an id.
    """
    ids = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or len(part) > 12:
                raise ValueError(_("“%(value)s” is not a program number.") % {"value": part[:20]})
            if int(part) not in ids:
                ids.append(int(part))
    return ids[:MAX_LISTED_PROGRAMS]


def published_programs(ids, place=None):
    """The published programs with these ids, in the order given, ready to show; with
    `distance_miles` from the place when one is given."""
    programs = Program.objects.published().with_answers()
    if place is not None:
        programs = programs.with_distance(place.latitude, place.longitude)
    found = programs.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


class CorrectionForm(forms.ModelForm):
    # Left empty by people; bots that fill every field give themselves away.
    homepage = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))

    class Meta:
        model = Correction
        fields = ["field", "suggested_value", "contact_email"]
        widgets = {"suggested_value": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}
        labels = {
            "field": gettext_lazy("What is wrong or missing?"),
            "suggested_value": gettext_lazy("What should it say?"),
            "contact_email": gettext_lazy("Your email (optional)"),
        }
        error_messages = {
            "suggested_value": {
                "required": gettext_lazy("Tell us what it should say."),
                "max_length": gettext_lazy("Please keep it under 2,000 characters."),
            },
            "field": {"required": gettext_lazy("Choose what is wrong or missing.")},
        }
        help_texts = {
            "contact_email": gettext_lazy(
                "Only if you are willing to answer a question about your suggestion. "
                "We never show it or use it for anything else."
            ),
        }

    @property
    def is_spam(self):
        return bool(self.cleaned_data.get("homepage"))
