import pytest
import tablib

from catalogue.exporting import export_rows
from catalogue.importing.columns import HEADERS
from catalogue.models import MobileChannel, ServiceItem
from catalogue.resources import ServiceItemResource
from tests.factories import ServiceItemFactory


def test_resource_columns_are_the_template_headers_in_order():
    assert ServiceItemResource().get_export_headers() == list(HEADERS)


@pytest.mark.django_db
def test_resource_export_matches_the_fast_exporter(import_references):
    ServiceItemFactory(
        department=import_references["department"],
        sector=import_references["sector"],
        is_mobile=True,
        mobile_services=5,
        mobile_channels=list(MobileChannel.objects.order_by("sort_order")[:1]),
    )
    queryset = ServiceItem.objects.all()

    dataset = ServiceItemResource().export(queryset)

    assert [list(row) for row in dataset] == [
        ["" if cell is None else cell for cell in row] for row in export_rows(queryset)
    ]


@pytest.mark.django_db
def test_resource_reads_cells_with_the_importer_parsers(import_references):
    resource = ServiceItemResource()
    dataset = tablib.Dataset(headers=["办件类型", "行使层级", "是否网办"])
    dataset.append(["承諾件", "市区两级", "√"])
    row = dataset.dict[0]

    assert resource.fields["handling_type"].clean(row) == "promised"
    assert resource.fields["tiers"].clean(row) == 12
    assert resource.fields["is_online"].clean(row) is True
