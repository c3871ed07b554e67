from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

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
    # XML readers give back a CR as a line feed.
    texts = {cell.value.replace("\n", "\r") for cell in cells if isinstance(cell.value, str)}
    name, trigger = name.replace("\n", "\r"), trigger.replace("\n", "\r")
    assert f"'{name}" in texts  # the department's short name in 实施主体事项分布
    assert f"'{trigger}局" in texts  # the filter's value in 报表说明
    assert name not in texts
