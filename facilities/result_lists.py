"""A search's programs as lists a Paginator (or the API's ChainedResults) reads a page of,
with work bounded however dense the directory is around the place.

A search in a large city can match tens of thousands of programs. Counting all of them, and
measuring all of them to find the nearest twenty, cost most of a search at 250,000
facilities; no one reads past the first pages. So counts stop at COUNT_LIMIT (the page says
"more than 1,000", the API `count_exact: false`). Up to the limit, the count keeps each
program's id (and distance), and a page is read by those ids; past it, a page of
nearest-first results is read from widening circles around the place: a circle of r miles
holds, in order, every program nearer than r.
"""

import heapq
from dataclasses import dataclass

from facilities.querysets import BY_NAME, WIDEST_NEAR_MILES

COUNT_LIMIT = 1000
# The online programs past the radius are counted to a tenth of that (ten pages of ten): a
# state's online programs are read through their programs one by one, and thousands of them
# serve a large state; a search that needs more of them than that says so and can be narrowed.
ONLINE_COUNT_LIMIT = 100
# A relaxation's count (the same search changed by one thing) is shown up to here: "more
# than 100" says enough to choose between them.
RELAXATION_COUNT_LIMIT = 100


class CountedUpTo:
    """A queryset's rows, counted up to `limit` (COUNT_LIMIT unless given): the count reads
    the ids of no more than that many rows plus one, unordered. When that is all of them, a
    page is read by those ids: a few matches in a large directory are not looked for again
    through all of it in the page's order (a name, a date).

    `counting`: the same rows, told in a form the count reads faster (a search with no place
    and a rare term asked, ProgramFilter.nearby_results); `queryset` when not given."""

    def __init__(self, queryset, limit=None, counting=None):
        self.queryset = queryset
        self.counting = queryset if counting is None else counting
        self.limit = COUNT_LIMIT if limit is None else limit
        self._ids = None  # what the count read

    def found(self):
        """How many rows there are, or the limit + 1 for more than the limit."""
        if self._ids is None:
            ids = self.counting.order_by().values_list("pk", flat=True)[: self.limit + 1]
            self._ids = list(ids)
        return len(self._ids)

    @property
    def exact(self):
        return self.found() <= self.limit

    def count(self):
        return min(self.found(), self.limit)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        if self.exact:
            return list(self.queryset.filter(pk__in=self._ids)[index]) if self._ids else []
        return list(self.queryset[index])


class NearestFirst(CountedUpTo):
    """The matching programs nearest the place first: within `within` miles (the nearby
    list), or beyond `beyond` miles with no outer bound (the online programs past the
    radius).

    The count reads each matching program's id and distance, up to the limit + 1. When
    that is all of them, a page is read by the ids of its programs, so the programs are not
    walked and sorted a second time; past the limit, a page is read from the smallest of
    widening circles that holds it."""

    def __init__(
        self,
        matching,
        latitude,
        longitude,
        *,
        within=None,
        beyond=0,
        reach=None,
        limit=None,
        by_id=None,
    ):
        """`reach`: a state; only the online programs licensed for it, found through the
        index of the states reached (ProgramQuerySet.reaching_online). `by_id`: the
        programs (with what a row reads joined) that a page of counted ones is read from by
        their ids, without the search's tests: they were passed already. `matching` when
        not given."""
        self.matching, self.point = matching, (latitude, longitude)
        self.by_id = matching if by_id is None else by_id
        self.within, self.beyond, self.reach = within, beyond, reach
        self._distances = None
        super().__init__(self.everything(), limit)

    def circle(self, miles):
        """The programs farther than `beyond` and within `miles`, nearest first."""
        found = self.matching
        if self.reach:
            found = found.reaching_online(self.reach, (*self.point, miles), self.beyond)
        found = found.near(*self.point, miles)
        return found.filter(distance_miles__gt=self.beyond) if self.beyond else found

    def everything(self):
        if self.within is not None:
            return self.circle(self.within)
        found = self.matching.reaching_online(self.reach) if self.reach else self.matching
        return found.beyond(*self.point, self.beyond)

    def found(self):
        if self._distances is None:
            distances = self.queryset.order_by().values_list("pk", "distance_miles")
            self._distances = list(distances[: self.limit + 1])
        return len(self._distances)

    def farthest_of_nearest(self, stop):
        """The distance of the stop-th nearest of the programs the count read."""
        return heapq.nsmallest(stop, (miles for _, miles in self._distances))[-1]

    def nearest_ids(self, stop):
        """The ids of the `stop` nearest programs, and of any as near as the last of them
        (their order among equals is the queryset's)."""
        if stop >= len(self._distances):
            return [pk for pk, _ in self._distances]
        farthest = self.farthest_of_nearest(stop)
        return [pk for pk, miles in self._distances if miles <= farthest]

    def counted(self, ids):
        """The programs of these ids, nearest first, each with the distance the count read:
        a statement on their ids alone. Among equals, in BY_NAME's order, as the search's
        own order would have them."""
        if not ids:  # an empty page: nothing to read, and no statement to build for it
            return []
        distance = dict(self._distances)
        rows = list(self.by_id.filter(pk__in=ids).order_by(*BY_NAME))
        for row in rows:
            row.distance_miles = distance[row.pk]
        rows.sort(key=lambda row: row.distance_miles)  # stable: equals keep BY_NAME's order
        return rows

    def circles(self, stop):
        """Radii to try, past the limit, for the first `stop` programs. The last is the
        distance of the stop-th nearest of the programs the count read: that circle holds at
        least `stop` programs, so nothing is ever sorted in full. Within a radius, smaller
        circles come first, from a sixteenth of it, each twice the last: cheaper where
        programs are dense (the count reads the box in the index's order, so its distances
        are a poor sample near the place). Beyond it, that circle alone: the online programs
        the count read are a state's, spread over it, and a ring out to twice the radius held
        the page in one search of four while costing a statement in the others (the online
        page read in 2.65 ms without it, 3.45 with it, SQLite; 4.1 and 5.4, PostgreSQL).
        Beyond the radius the circle is widened a little: near() measures on the local plane,
        within 0.45 % of the great-circle miles the count read there, out to
        WIDEST_NEAR_MILES (farther, everything is sorted)."""
        enough = self.farthest_of_nearest(stop)
        if self.within is None:
            return [min(enough * 1.005, WIDEST_NEAR_MILES)]
        smaller = [self.within / 16, self.within / 8, self.within / 4, self.within / 2]
        enough = min(enough * (1 + 1e-9), self.within)
        return [miles for miles in smaller if miles < enough] + [enough]

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= self.limit:
            if self.exact:
                return self.counted(self.nearest_ids(stop))[start:stop]
            for miles in self.circles(stop):
                rows = list(self.circle(miles)[start:stop])
                if len(rows) == stop - start:  # the circle holds the whole slice, in order
                    return rows
        return list(self.queryset[index])


@dataclass(frozen=True)
class Relaxation:
    """The search changed by one thing, and how many programs it would find nearby."""

    label: str  # "Without Medicaid", "Within 25 miles", in the page's language
    change: dict  # {"remove": {"time_of_day": "evening"}} or {"radius": 25}
    count: int  # up to RELAXATION_COUNT_LIMIT
    count_exact: bool  # False: more than the count
    within_miles: int  # the radius the count is within
    url: str  # the changed search
