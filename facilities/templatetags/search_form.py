from html import escape

from django import template
from django.utils.safestring import mark_safe

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
    does, written in Python: the filter form has about 110 of them, and the widget
    templates spent some 15 ms a page on them."""
    choices = bound_field.field.choices  # a vocabulary's come from the terms in memory
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
