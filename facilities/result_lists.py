"""A search's programs as lists a Paginator (or the API's ChainedResults) reads a page of,
with work bounded however dense the directory is around the place.

A search in a large city can match tens of thousands of programs. Counting all of them, and
measuring all of them to find the nearest twenty, cost most of a search at 250,000
facilities; no one reads past the first pages. So counts stop at COUNT_LIMIT (the page says
"more than 1,000", the API `count_exact: false`), and past that a page of nearest-first
results is read first from a smaller circle around the place, sized from the count: a circle
of r miles holds, in order, every program nearer than r.
"""

import math

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
            # The ids rather than COUNT(*) of a subquery: the same rows read, and a
            # simpler statement to build.
            ids = self.queryset.order_by().values_list("pk", flat=True)[: COUNT_LIMIT + 1]
            self._found = len(ids)
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

    def __init__(self, matching, latitude, longitude, *, within=None, beyond=0, reach=None):
        """`reach`: a state; only the online programs licensed for it, found through the
        index of the states reached (ProgramQuerySet.reaching_online)."""
        self.matching, self.point = matching, (latitude, longitude)
        self.within, self.beyond, self.reach = within, beyond, reach
        super().__init__(self.everything())

    def circle(self, miles):
        """The programs farther than `beyond` and within `miles`, nearest first."""
        found = self.matching
        if self.reach:
            found = found.reaching_online(self.reach, near=(*self.point, miles))
        found = found.near(*self.point, miles)
        return found.filter(distance_miles__gt=self.beyond) if self.beyond else found

    def everything(self):
        if self.within is not None:
            return self.circle(self.within)
        found = self.matching.reaching_online(self.reach) if self.reach else self.matching
        return found.beyond(*self.point, self.beyond)

    def circles(self, stop):
        """Radii to try before everything. Within a radius, only when more than COUNT_LIMIT
        programs match (else reading them all costs little more than a circle would): the
        circle that holds twice `stop` programs if they are spread evenly. Beyond it: a
        quarter and then a whole radius farther out, or only the whole radius when they
        are fewer."""
        if self.within is not None:
            if self.exact:
                return []
            share = min(1.0, 2 * stop / self.found())
            return [max(self.within * math.sqrt(share), self.within / 16)]
        if self.exact:
            # A state's online programs are many (thousands in California), each measured
            # to sort them; the ring out to twice the radius, read through the reach rows'
            # index, most often holds the first page.
            return [min(self.beyond * 2, NEAREST_BEYOND_MILES)]
        return [
            min(self.beyond * 1.25, NEAREST_BEYOND_MILES),
            min(self.beyond * 2, NEAREST_BEYOND_MILES),
        ]

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= COUNT_LIMIT:
            for miles in self.circles(stop):
                if miles <= self.beyond:
                    continue
                rows = list(self.circle(miles)[start:stop])
                if len(rows) == stop - start:  # the circle holds the whole slice, in order
                    return rows
        return list(self.queryset[index])
