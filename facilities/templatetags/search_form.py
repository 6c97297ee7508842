from django import template
from django.utils.html import format_html, format_html_join

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
    base = bound_field.auto_id
    options = format_html_join(
        "",
        '<div><label for="{0}_{1}"><input type="checkbox" name="{2}" value="{3}" '
        'id="{0}_{1}"{4}> {5}</label></div>',
        (
            (
                base,
                index,
                bound_field.html_name,
                slug,
                " checked" if str(slug) in chosen else "",
                label,
            )
            for index, (slug, label) in enumerate(choices)
        ),
    )
    return format_html('<div id="{}">{}</div>', base, options)
