import pytest
import tablib
from django.core.management import CommandError, call_command

from catalogue.exporting import export_rows
from catalogue.importing.columns import HEADERS
from catalogue.models import MobileChannel, ServiceItem
from catalogue.resources import ResourceImportRefused, ServiceItemResource
from tests.catalogue.importing_support import valid_row
from tests.factories import ServiceItemFactory


def _valid_dataset():
    row = valid_row()
    dataset = tablib.Dataset(headers=list(HEADERS))
    dataset.append([row[header] for header in HEADERS])
    return dataset


def test_resource_columns_are_the_template_headers_in_order():
    assert ServiceItemResource().get_export_headers() == list(HEADERS)


@pytest.mark.django_db
def test_resource_export_matches_the_fast_exporter(department, sector):
    ServiceItemFactory(
        department=department,
        sector=sector,
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
def test_resource_reads_cells_with_the_importer_parsers(department, other_department, sector):
    resource = ServiceItemResource()
    dataset = tablib.Dataset(headers=["办件类型", "行使层级", "是否网办"])
    dataset.append(["承諾件", "市区两级", "√"])
    row = dataset.dict[0]

    assert resource.fields["handling_type"].clean(row) == "promised"
    assert resource.fields["tiers"].clean(row) == 12
    assert resource.fields["is_online"].clean(row) is True


@pytest.mark.django_db
@pytest.mark.parametrize("raise_errors", [True, False])
def test_resource_refuses_to_import_a_valid_file_and_writes_nothing(
    department, other_department, sector, raise_errors
):
    with pytest.raises(ResourceImportRefused):
        ServiceItemResource().import_data(
            _valid_dataset(), dry_run=False, raise_errors=raise_errors
        )

    assert not ServiceItem.objects.exists()


@pytest.mark.django_db
def test_resource_refuses_to_import_a_single_row(department, other_department, sector):
    dataset = _valid_dataset()

    with pytest.raises(ResourceImportRefused):
        ServiceItemResource().import_row(dataset.dict[0], instance_loader=None)

    assert not ServiceItem.objects.exists()


@pytest.mark.django_db
def test_import_command_of_django_import_export_cannot_import_through_the_resource(
    department, other_department, sector, tmp_path
):
    path = tmp_path / "items.csv"
    path.write_text(_valid_dataset().export("csv"), encoding="utf-8")

    with pytest.raises(CommandError, match="import_items"):
        call_command("import", "catalogue.resources.ServiceItemResource", str(path), "--no-input")

    assert not ServiceItem.objects.exists()


@pytest.mark.django_db
def test_import_command_of_django_import_export_cannot_import_into_the_model(
    department, sector, tmp_path
):
    # With a model instead of a resource the stock command builds a resource of its own, which
    # stored an item type "nonsense" without a word.
    dataset = tablib.Dataset(headers=["code", "name", "department", "sector", "tiers", "item_type"])
    dataset.append(["X1", "事项", department.pk, sector.pk, 12, "x"])
    path = tmp_path / "items.csv"
    path.write_text(dataset.export("csv"), encoding="utf-8")

    with pytest.raises(CommandError, match="import_items"):
        call_command("import", "catalogue.ServiceItem", str(path), "--no-input")

    assert not ServiceItem.objects.exists()
