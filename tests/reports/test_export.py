from io import BytesIO
from zipfile import ZipFile

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tests.factories import DepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("reports:export")
FORMULA = '=HYPERLINK("http://example.com","短")'


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_names_that_a_spreadsheet_would_run_are_written_as_text_in_every_sheet(
    admin_client, trigger
):
    name = FORMULA if trigger == "=" else f"{trigger}1+1"
    department = DepartmentFactory(name=f"{trigger}局", short_name=name)
    ServiceItemFactory(department=department)

    response = admin_client.get(EXPORT, {"department": department.pk})

    workbook = load_workbook(BytesIO(response.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # Read as the import reads (calamine): openpyxl leaves a CR escaped as _x000D_.
    book = CalamineWorkbook.from_filelike(BytesIO(response.content))
    texts = {
        value
        for sheet_name in book.sheet_names
        for row in book.get_sheet_by_name(sheet_name).to_python()
        for value in row
        if isinstance(value, str)
    }
    assert f"'{name}" in texts  # the department's short name in 实施主体事项分布
    assert f"'{trigger}局" in texts  # the filter's value in 报表说明
    assert name not in texts


def test_every_table_sheet_carries_a_native_excel_chart_beside_its_table(
    admin_client, varied_items
):
    response = admin_client.get(EXPORT)

    workbook = load_workbook(BytesIO(response.content))
    names = workbook.sheetnames
    with ZipFile(BytesIO(response.content)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        drawings = [name for name in archive.namelist() if name.startswith("xl/drawings/drawing")]
        chart_xml = "".join(archive.read(name).decode() for name in charts)
    # Every sheet but 报表说明 has a table with rows (varied items), so a chart.
    assert len(charts) == len(drawings) == len(names) - 1
    assert "<c:dLbls>" in chart_xml and '<c:showVal val="1"/>' in chart_xml
    assert "<c:barDir" in chart_xml and "<c:doughnutChart>" in chart_xml
