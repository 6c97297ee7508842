"""A search's programs as lists a Paginator (or the API's ChainedResults) reads a page of,
with work bounded however dense the directory is around the place.

A search in a large city can match tens of thousands of programs. Counting all of them, and
measuring all of them to find the nearest twenty, cost most of a search at 250,000
facilities; no one reads past the first pages. So counts stop at COUNT_LIMIT (the page says
"more than 1,000", the API `count_exact: false`), and a page of nearest-first results is read
from the smallest circle around the place that holds it: a circle of r miles holds, in
order, every program nearer than r.
"""

from facilities.querysets import NEAREST_BEYOND_MILES

COUNT_LIMIT = 1000


class CountedUpTo:
    """A queryset's rows, counted up to COUNT_LIMIT: the count reads no more than that many
    rows plus one, unordered."""

    def __init__(self, queryset):
        self.queryset = queryset
        self._found = None

    def found(self):
        """How many rows there are, or COUNT_LIMIT + 1 for more than COUNT_LIMIT."""
        if self._found is None:
            self._found = self.queryset.order_by()[: COUNT_LIMIT + 1].count()
        return self._found

    @property
    def exact(self):
        return self.found() <= COUNT_LIMIT

    def count(self):
        return min(self.found(), COUNT_LIMIT)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return list(self.queryset[index])


class NearestFirst(CountedUpTo):
    """The matching programs nearest the place first: within `within` miles (the nearby
    list), or beyond `beyond` miles with no outer bound (the online programs past the
    radius). A slice is read from the smallest of a few circles that holds all of it."""

    def __init__(self, matching, latitude, longitude, *, within=None, beyond=0):
        self.matching, self.point = matching, (latitude, longitude)
        self.within, self.beyond = within, beyond
        super().__init__(self.everything())

    def circle(self, miles):
        """The programs farther than `beyond` and within `miles`, nearest first."""
        found = self.matching.near(*self.point, miles)
        return found.filter(distance_miles__gt=self.beyond) if self.beyond else found

    def everything(self):
        if self.within is not None:
            return self.circle(self.within)
        return self.matching.beyond(*self.point, self.beyond)

    def circles(self):
        """Radii to try before everything: a quarter and a half of the radius, or twice
        and four times the radius and on to NEAREST_BEYOND_MILES past it."""
        if self.within is not None:
            return [self.within / 4, self.within / 2]
        radii, miles = [], max(self.beyond, 1)
        while miles < NEAREST_BEYOND_MILES:
            miles = min(miles * 4, NEAREST_BEYOND_MILES)
            radii.append(miles)
        return radii

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= COUNT_LIMIT:
            for miles in self.circles():
                if miles <= self.beyond:
                    continue
                rows = list(self.circle(miles)[start:stop])
                if len(rows) == stop - start:  # the circle holds the whole slice, in order
                    return rows
        return list(self.queryset[index])
