from html import escape

from django import forms, template
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


def attributes(attrs):
    """A widget's attributes as Django's attrs.html writes them, in their order: True as
    the bare name, False left out."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def widget_html(bound_field):
    """A field's text input or single-choice select, marked up as Django's widget templates
    do (the attributes, aria-invalid and aria-describedby among them, are Django's own),
    written in Python: the select's templates, one for each option and for its attributes,
    cost more than the rest of the search form around them. Other widgets render as
    Django renders them."""
    widget = bound_field.field.widget
    is_select = type(widget) is forms.Select
    input_type = None if is_select else getattr(widget, "input_type", None)
    if not is_select and input_type not in ("text", "number", "search"):
        return str(bound_field)
    attrs = bound_field.build_widget_attrs({}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)["widget"]
    name = escape(context["name"])
    if input_type is not None:
        value = "" if context["value"] is None else f' value="{escape(str(context["value"]))}"'
        return mark_safe(
            f'<input type="{input_type}" name="{name}"{value}{attributes(context["attrs"])}>'
        )
    options = "".join(
        f'<option value="{escape(str(option["value"]))}"{attributes(option["attrs"])}>'
        f"{escape(str(option['label']))}</option>"
        for _, group, _ in context["optgroups"]
        for option in group
    )
    return mark_safe(f'<select name="{name}"{attributes(context["attrs"])}>{options}</select>')
