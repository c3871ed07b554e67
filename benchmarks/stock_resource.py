"""django-import-export's stock row-by-row import of the template format, for comparison only.

`benchmark_import` times it against the catalogue's own import (docs/benchmarks.md). It reads
each cell with the column spec's parser (catalogue/importing/columns.py) but validates no rule,
records no history and ignores the department scope: never a write path of the product.
"""

from import_export import fields, resources, widgets

from catalogue.importing.columns import COLUMNS, Kind, cell_renderers
from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem


class ColumnWidget(widgets.Widget):
    """Reads a cell with the importer's parser and writes it as the export does."""

    def __init__(self, column, render):
        super().__init__()
        self.column, self._render = column, render

    def clean(self, value, row=None, **kwargs):
        if self.column.parse:
            return self.column.parse(value)
        # tablib reads an empty cell as None; the text fields are NOT NULL.
        return "" if value is None else value

    def render(self, value, obj=None, **kwargs):
        if self._render is not None:
            value = self._render(value)
        return "" if value is None else value


def _widget(column, renderers):
    if column.kind == Kind.DEPARTMENT:
        return widgets.ForeignKeyWidget(Department, field="name")
    if column.kind == Kind.SECTOR:
        return widgets.ForeignKeyWidget(Sector, field="name")
    if column.kind == Kind.MAIN_ITEM:
        return widgets.ForeignKeyWidget(MainItem, field="name")
    if column.kind == Kind.CHANNELS:
        return widgets.ManyToManyWidget(MobileChannel, separator="、", field="name")
    return ColumnWidget(column, renderers[column.field])


def _declared_fields():
    renderers = cell_renderers()
    return {
        column.field: fields.Field(
            attribute=column.field,
            column_name=column.header,
            widget=_widget(column, renderers),
        )
        for column in COLUMNS
    }


class StockServiceItemResource(resources.ModelResource):
    """Stock settings: no bulk writes, every row saved even when unchanged."""

    locals().update(_declared_fields())

    class Meta:
        model = ServiceItem
        fields = tuple(column.field for column in COLUMNS)
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = False
        use_bulk = False
