"""The Excel columns of an item for django-import-export: header <-> field, nothing else.

The admin's export and import use the column spec in catalogue/importing/columns.py through the
fast paths (catalogue.exporting, catalogue.services.importing); this resource describes the same
columns with the same parsing and rendering, so that django-import-export's export page lists
exactly the template's columns.

It exports only. Items are imported by catalogue.services.importing alone, which checks every
rule, keeps to the user's departments, finds main items within their department and records
the history; a Resource's import does none of that, so ServiceItemResource refuses to import.
"""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from .importing.columns import COLUMNS, Kind, cell_renderers
from .models import Department, MainItem, MobileChannel, Sector, ServiceItem


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


def item_resource_fields() -> dict[str, fields.Field]:
    """One resource field per template column, in the template's order."""
    renderers = cell_renderers()
    return {
        column.field: fields.Field(
            attribute=column.field,
            column_name=column.header,
            widget=_widget(column, renderers),
        )
        for column in COLUMNS
    }


class ResourceImportRefused(Exception):
    """Raised when code tries to import items through a django-import-export Resource."""

    def __init__(self):
        super().__init__(
            "ServiceItemResource exports only; import items with catalogue.services.importing."
        )


class ServiceItemResource(resources.ModelResource):
    locals().update(item_resource_fields())

    class Meta:
        model = ServiceItem
        fields = tuple(column.field for column in COLUMNS)
        export_order = fields
        name = _("实施清单事项（导入模板格式）")

    # import_data is the entry of the admin's stock import, of `manage.py import` and of any
    # script; import_row is the one below it that a caller could reach directly.
    def import_data(self, *args, **kwargs):
        raise ResourceImportRefused

    def import_row(self, *args, **kwargs):
        raise ResourceImportRefused
