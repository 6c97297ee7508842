from django import template

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
