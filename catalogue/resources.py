"""The Excel columns of an item for django-import-export: header <-> field, nothing else.

The admin's export and import use the column spec in catalogue/importing/columns.py through the
fast paths (catalogue.exporting, catalogue.importing); this resource describes the same columns
with the same parsing and rendering, so that django-import-export's own views and any code
using a Resource see exactly the template format.
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
        return self.column.parse(value) if self.column.parse else value

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


class ServiceItemResource(resources.ModelResource):
    locals().update(_declared_fields())

    class Meta:
        model = ServiceItem
        fields = tuple(column.field for column in COLUMNS)
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True
        use_bulk = True
        name = _("实施清单事项（导入模板格式）")
