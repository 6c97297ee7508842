from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from facilities import phones
from facilities.models import PHONE_FIELDS, Correction, Facility, Program, web_address_in
from facilities.querysets import load_answers

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
            # ASCII digits only: "²" and "①" pass str.isdigit() and int() refuses them.
            if not (part.isascii() and part.isdigit()) or len(part) > 12:
                raise ValueError(_("“%(value)s” is not a program number.") % {"value": part[:20]})
            if int(part) not in ids:
                ids.append(int(part))
    return ids[:MAX_LISTED_PROGRAMS]


def published_programs(ids, place=None):
    """The published programs with these ids, in the order given, ready to show; with
    `distance_miles` from the place when one is given."""
    programs = Program.objects.published().select_related("facility")
    if place is not None:
        programs = programs.with_distance(place.latitude, place.longitude)
    found = programs.in_bulk(ids)
    return load_answers(found[pk] for pk in ids if pk in found)


# Room for a note beside the value ("323-555-0199, ask for intake"), so a suggestion is
# never refused for the length of the field it is about.
NOTE_LENGTH = 200


class CorrectionForm(forms.ModelForm):
    """A visitor's suggestion. The value input is of the kind of field asked about (a phone
    number, a web address, text): the field comes from ?field= on the page's address or
    from the form sent."""

    # Left empty by people; bots that fill every field give themselves away.
    homepage = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))

    INPUTS = {
        "phone": {"type": "tel", "autocomplete": "tel", "inputmode": "tel"},
        "intake_phone": {"type": "tel", "autocomplete": "tel", "inputmode": "tel"},
        "website": {"type": "url", "autocomplete": "url", "inputmode": "url"},
        "name": {"type": "text"},
        "street": {"type": "text", "autocomplete": "street-address"},
    }

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        asked = self.asked_field()
        if asked in self.INPUTS:
            attrs = {**self.INPUTS[asked], "maxlength": self.longest(asked)}
            self.fields["suggested_value"].widget = forms.TextInput(attrs=attrs)

    def asked_field(self):
        value = self.data.get("field") if self.is_bound else self.initial.get("field")
        return value if value in Correction.Field.values else None

    @staticmethod
    def longest(field_name):
        """The field's own length plus room for a note; 2,000 for long text."""
        length = Facility._meta.get_field(field_name).max_length
        return min(length + NOTE_LENGTH, 2000) if length else 2000

    def clean(self):
        cleaned = super().clean()
        field, value = cleaned.get("field"), cleaned.get("suggested_value")
        if not (field and value):
            return cleaned
        if field in Correction.APPLICABLE_FIELDS and len(value) > self.longest(field):
            self.add_error(
                "suggested_value",
                _("Please keep it under %(count)s characters.") % {"count": self.longest(field)},
            )
        elif field in PHONE_FIELDS and not phones.find(value):
            self.add_error(
                "suggested_value",
                _("Give the phone number with its area code, e.g. 323-555-0199."),
            )
        elif field == "website" and not web_address_in(value):
            self.add_error(
                "suggested_value", _("Give the web address, e.g. https://www.example.org.")
            )
        return cleaned

    @property
    def is_spam(self):
        return bool(self.cleaned_data.get("homepage"))
