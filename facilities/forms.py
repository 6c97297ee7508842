from django import forms

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
                raise ValueError(f"“{part[:20]}” is not a program number.")
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
    homepage = forms.CharField(required=False, label="Leave this empty")

    class Meta:
        model = Correction
        fields = ["field", "suggested_value", "contact_email"]
        widgets = {"suggested_value": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}
        labels = {
            "field": "What is wrong or missing?",
            "suggested_value": "What should it say?",
            "contact_email": "Your email (optional)",
        }
        error_messages = {
            "suggested_value": {
                "required": "Tell us what it should say.",
                "max_length": "Please keep it under 2,000 characters.",
            },
            "field": {"required": "Choose what is wrong or missing."},
        }
        help_texts = {
            "contact_email": "Only if you are willing to answer a question about your "
            "suggestion. We never show it or use it for anything else.",
        }

    @property
    def is_spam(self):
        return bool(self.cleaned_data.get("homepage"))
