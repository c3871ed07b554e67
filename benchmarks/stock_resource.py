"""django-import-export's stock row-by-row import of the template format, for comparison only.

`benchmark_import` times it against the catalogue's own import (docs/benchmarks.md). It reads
each cell with the column spec's parser (catalogue/importing/columns.py) but validates no rule,
records no history and ignores the department scope: never a write path of the product.
"""

from import_export import resources

from catalogue.importing.columns import COLUMNS
from catalogue.models import ServiceItem
from catalogue.resources import item_resource_fields


class StockServiceItemResource(resources.ModelResource):
    """Stock settings: no bulk writes, every row saved even when unchanged."""

    locals().update(item_resource_fields())

    class Meta:
        model = ServiceItem
        fields = tuple(column.field for column in COLUMNS)
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = False
        use_bulk = False
