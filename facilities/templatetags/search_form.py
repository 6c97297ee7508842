from html import escape

from django import template
from django.utils.safestring import mark_safe

from facilities.querysets import vocabulary_terms

register = template.Library()


@register.simple_tag
def fields_named(form, names):
    """The bound fields of a form named in a space-separated string, in that order."""
    return [form[name] for name in names.split()]


def chosen(field):
    value = field.value()
    if isinstance(value, list | tuple):
        return len([v for v in value if v])
    return 1 if value not in (None, "", False, "false") else 0


@register.filter
def count_chosen(fields):
    return sum(chosen(field) for field in fields)


@register.filter
def any_wrong(fields):
    return any(field.errors for field in fields)


@register.simple_tag
def checkboxes(bound_field):
    """A multiple-choice field's checkboxes, marked up as Django's CheckboxSelectMultiple
    does, written in Python from the vocabularies held in memory: the filter form has about
    110 of them, and the widget templates spent some 15 ms a page on them."""
    field = bound_field.field
    if hasattr(field, "queryset"):  # a vocabulary: its slugs and labels, in display order
        terms = sorted(
            vocabulary_terms(field.queryset.model).values(),
            key=lambda term: (term.position, term.label),
        )
        choices = [(term.slug, term.display_label) for term in terms]
    else:
        choices = field.choices
    value = bound_field.value() or []
    chosen = {str(one) for one in (value if isinstance(value, list | tuple) else [value])}
    base, name = escape(bound_field.auto_id), escape(bound_field.html_name)
    options = "".join(
        f'<div><label for="{base}_{index}"><input type="checkbox" name="{name}" '
        f'value="{escape(str(slug))}" id="{base}_{index}"'
        f"{' checked' if str(slug) in chosen else ''}> {escape(str(label))}</label></div>"
        for index, (slug, label) in enumerate(choices)
    )
    return mark_safe(f'<div id="{base}">{options}</div>')
