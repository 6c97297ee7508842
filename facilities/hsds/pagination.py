"""HSDS's Page object: the list's counts and place around its `contents`.

Not DRF's pagination: HSDS names its fields otherwise (total_items, total_pages, page_number,
size, first_page, last_page, empty) and pages with `page` and `per_page`.
"""

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError


class HSDSPage:
    """A page of a list (a queryset in a fixed order, or a list): `items` to map, and
    `answer(contents)` the Page object around what they were mapped to."""

    def __init__(self, rows, page_number, per_page):
        paginator = Paginator(rows, per_page)
        if page_number > paginator.num_pages:
            raise ValidationError(
                {"page": [f"There is no page {page_number}: the last is {paginator.num_pages}."]}
            )
        self.paginator, self.page_number = paginator, page_number
        self.items = list(paginator.page(page_number).object_list)

    def answer(self, contents):
        total, pages = self.paginator.count, self.paginator.num_pages
        return {
            "total_items": total,
            "total_pages": pages,
            "page_number": self.page_number,
            "size": len(contents),
            "first_page": self.page_number == 1,
            "last_page": self.page_number == pages,
            "empty": total == 0,
            "contents": contents,
        }
