"""The item list of the admin at province scale (1,000,000 items; docs/benchmarks.md, "Item list").

- `IdPagePaginator` counts once and fetches a page by the ids of its rows: a subquery that reads
  only the sort index, from the nearer end of the list (the last page reads the index backwards).
- `ItemChangeList` sorts by the chosen column and then the id in the same direction, so that one
  index (column, id) serves both directions; it computes the facet counts of every filter that
  shares the list's queryset in one conditional aggregate, and those of the department and sector
  filters as grouped counts.
- the search itself is `ServiceItemQuerySet.matching` (a fragment of the name, a code prefix).
"""

from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import Count
from django.utils.functional import cached_property


class IdPagePaginator(Paginator):
    """Counts the rows once and fetches a page by its ids, read in the list's order from the
    nearer end: the page's rows are then looked up by primary key.

    A filtered or searched list is counted up to `count_limit` rows (`count_capped` says the
    list holds more): an exact count of 150,000 items named 许可 reads them all (1.3 s at
    1,000,000 items). The whole list is counted exactly, from an index.
    """

    count_limit = 10_000

    @cached_property
    def count(self):
        rows = self.object_list
        if not rows.query.has_filters():
            self.count_capped = False
            return rows.count()
        count = rows.order_by()[: self.count_limit + 1].count()
        self.count_capped = count > self.count_limit
        return min(count, self.count_limit)

    count_capped = False

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom > self.count - top and not self.count_capped:
            ids = rows.reverse().values("pk")[self.count - top : self.count - bottom]
        else:
            ids = rows.values("pk")[bottom:top]
        return self._get_page(rows.filter(pk__in=ids), number, self)


class ItemChangeList(ChangeList):
    # Filters whose choices are rows (departments, sectors): counted with one grouped query
    # each, instead of a conditional count per row.
    grouped_facets = {"department": "department_id", "sector": "sector_id"}

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        # Sorted by one column, Django adds the default order (the code) or -pk to break ties;
        # the id in the column's direction lets one index (column, id) serve both directions.
        first, *rest = ordering
        if (
            isinstance(first, str)
            and first.lstrip("-") not in {"code", "pk", "id"}
            and rest in (["code"], ["pk"], ["-pk"])
        ):
            ordering = [first, "-pk" if first.startswith("-") else "pk"]
        return ordering

    def facet_counts(self, spec) -> dict:
        """The facet counts of `spec` (a list filter), as its get_facet_queryset gives them."""
        if not self._uses(spec):
            return self._shared_facet_counts[spec]
        # The list without this filter's own choice; get_queryset sets the filters anew, which
        # the page being rendered still iterates.
        kept = self.filter_specs, self.has_filters, self.has_active_filters
        queryset = self.get_queryset(spec.request, exclude_parameters=spec.expected_parameters())
        self.filter_specs, self.has_filters, self.has_active_filters = kept
        return self._facet_counts_of([spec], queryset)[spec]

    def _uses(self, spec) -> bool:
        return any(name in self.params for name in spec.expected_parameters())

    @cached_property
    def _shared_facet_counts(self) -> dict:
        specs = [spec for spec in self.filter_specs if not self._uses(spec)]
        return self._facet_counts_of(specs, self.queryset)

    def _facet_counts_of(self, specs, queryset) -> dict:
        queryset = queryset.order_by()
        counts, aggregates = {spec: {} for spec in specs}, {}
        for index, spec in enumerate(specs):
            field = getattr(spec, "field_path", None)
            if field in self.grouped_facets:
                column = self.grouped_facets[field]
                grouped = dict(queryset.values_list(column).annotate(count=Count("*")).order_by())
                counts[spec] = {f"{pk}__c": grouped.get(pk, 0) for pk, _ in spec.lookup_choices}
            else:
                for key, count in spec.get_facet_counts(self.pk_attname, queryset).items():
                    aggregates[f"f{index}_{key}"] = count
        if aggregates:
            values = queryset.aggregate(**aggregates)
            for index, spec in enumerate(specs):
                prefix = f"f{index}_"
                counts[spec].update(
                    (key.removeprefix(prefix), value)
                    for key, value in values.items()
                    if key.startswith(prefix)
                )
        return counts
