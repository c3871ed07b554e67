import io
import logging

import openpyxl
import pytest
from django.utils import translation

from catalogue.choices import Tier
from catalogue.exporting import (
    HELP_SHEET,
    LISTS_SHEET,
    error_rows_xlsx_bytes,
    export_csv_bytes,
    export_xlsx_bytes,
    template_xlsx_bytes,
)
from catalogue.importing import UNCHANGED, messages
from catalogue.importing.columns import COLUMNS, HEADERS, Kind
from catalogue.models import MobileChannel, ServiceItem
from catalogue.services.importing import items_import, items_import_plan
from catalogue.spreadsheet_text import neutralise_formula
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.factories import MainItemFactory, ServiceItemFactory, UserFactory

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")


def _rows(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def catalogue(department, sector):
    department, sector = department, sector
    channels = list(MobileChannel.objects.order_by("sort_order"))
    ServiceItemFactory(
        code="X1", department=department, sector=sector, is_mobile=True,
        mobile_channels=channels[:2], mobile_services=3, tiers=Tier.TOWNSHIP | Tier.VILLAGE,
        main_item=MainItemFactory(department=department, name="施工许可"),
    )  # fmt: skip
    ServiceItemFactory(
        code="X2", department=department, sector=sector, name="=HYPERLINK(\"http://x\")",
        location="+86 大厅", consult_phone="-", complaint_phone="@12345",
        legal_basis="-依据", fee_basis="", online_depth=None, is_online=False, legal_limit=None,
        legal_limit_unit="",
    )  # fmt: skip
    return ServiceItem.objects.all()


def test_export_then_import_changes_nothing(catalogue):
    result = items_import(file=export_xlsx_bytes(catalogue))

    assert not result.plan.has_errors, [str(error) for error in result.plan.errors]
    assert [(row.action, row.changed) for row in result.plan.rows] == [(UNCHANGED, [])] * 2


def test_export_is_in_the_template_format(catalogue):
    rows = _rows(export_xlsx_bytes(catalogue))
    first = dict(zip(HEADERS, rows[1], strict=True))

    assert rows[0] == list(HEADERS)
    assert first["行使层级"] == "镇（乡、街道）级、村（社区）级"
    assert first["指尖办渠道"] == "广东政务服务网APP、粤省事"
    assert first["指尖办服务"] == "查阅、预约"
    assert first["主项名称"] == "施工许可"
    assert first["是否网办"] == "是"
    assert first["网上办理深度"] == "Ⅳ级（全程网办）"
    assert first["法定办结时限"] == 20


def test_export_neutralises_formulas_in_xlsx(catalogue):
    second = dict(zip(HEADERS, _rows(export_xlsx_bytes(catalogue))[2], strict=True))

    assert second["事项名称"] == '\'=HYPERLINK("http://x")'
    assert second["办理地点"] == "'+86 大厅"
    assert second["咨询电话"] == "'-"
    assert second["监督投诉电话"] == "'@12345"
    assert second["设定依据"] == "'-依据"


def test_export_writes_markup_as_text_and_imports_back_unchanged(department, sector):
    # Written by xlsxwriter, a value in "<r>…</r>" went into the XML as it was: a formula cell.
    injection = (
        '<r><t>x</t></r></is></c><c r="C2"><f>HYPERLINK("http://x")</f></c><c><is><r><t>y</t></r>'
    )
    ServiceItemFactory(
        code="X3", department=department, sector=sector,
        name=injection, legal_basis="A & B <条例> _x0041_", location="大厅\n二楼",
    )  # fmt: skip
    data = export_xlsx_bytes(ServiceItem.objects.all())

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    row = {header: cell for header, cell in zip(HEADERS, sheet[2], strict=True)}
    assert row["事项名称"].value == injection
    assert row["设定依据"].value.startswith("A & B <条例> ")  # openpyxl keeps _x005F_ escapes
    assert row["办理地点"].value == "大厅\n二楼"
    assert all(cell.data_type != "f" for cell in sheet[2])
    result = items_import(file=data)
    assert [(row.action, row.changed) for row in result.plan.rows] == [(UNCHANGED, [])]


def test_template_writes_reference_names_as_text(department):
    department = department
    department.name = "<r><t>x</t></r></is></c><c><f>1+1</f></c><c><is><r><t>y</t></r>"
    department.save()
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes()))

    listed = [cell.value for (cell,) in workbook[LISTS_SHEET]["A2:A3"]]
    assert department.name in listed
    assert department.name in workbook[HELP_SHEET]["D6"].value  # 实施主体's allowed values
    for sheet in (workbook[LISTS_SHEET], workbook[HELP_SHEET]):
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_export_has_a_bom_and_neutralises_formulas(catalogue):
    data = export_csv_bytes(catalogue)

    assert data.startswith(
        b"\xef\xbb\xbf\xe5\xae\x9e\xe6\x96\xbd\xe7\xbc\x96\xe7\xa0\x81"
    )  # BOM 实施编码
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'+86 大厅," in text
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")


def test_export_queries_do_not_grow_with_rows(department, sector, django_assert_num_queries):
    department, sector = department, sector
    ServiceItemFactory.create_batch(3, department=department, sector=sector)
    # the drop-down lists: departments, sectors, channels; then the channels of the selected
    # items, and the items with their names in one streamed query
    with django_assert_num_queries(5):
        export_xlsx_bytes(ServiceItem.objects.all())
    ServiceItemFactory.create_batch(30, department=department, sector=sector)
    with django_assert_num_queries(5):
        assert len(_rows(export_xlsx_bytes(ServiceItem.objects.all()))) == 34


def test_template_has_the_header_row_and_one_example_row_skipped_on_import(department, sector):
    header, example = _rows(template_xlsx_bytes())

    assert header == list(HEADERS)
    assert example[0].startswith("示例")
    # Imported as it is, the template has no item row.
    assert items_import(file=template_xlsx_bytes()).plan.file_problem == messages.NO_ROWS


def test_template_validates_whole_numbers_and_prompts_for_multi_value_columns(db):
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes())).worksheets[0]
    by_header = {
        sheet[f"{str(v.sqref).split(':')[0].rstrip('0123456789')}1"].value: v
        for v in sheet.data_validations.dataValidation
    }

    for header in ("法定办结时限", "承诺办结时限", "到办事现场次数"):
        assert by_header[header].type == "whole"
        assert by_header[header].errorStyle == "warning"
    # No drop-down (one value per cell) that would refuse “市级、区级”: a prompt only.
    for header in ("行使层级", "指尖办渠道", "指尖办服务"):
        assert by_header[header].type is None and by_header[header].prompt


def test_template_offers_a_drop_down_for_every_fixed_choice_column():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes()))
    sheet = workbook.worksheets[0]
    lists = workbook[LISTS_SHEET]
    validated = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type != "list":
            continue
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        source = validation.formula1.split("!")[1].replace("$", "")
        start, end = source.split(":")
        validated[sheet[f"{column}1"].value] = [cell.value for (cell,) in lists[f"{start}:{end}"]]

    # Multi-value columns (行使层级, 指尖办服务, 指尖办渠道) have a prompt instead (issue 10).
    fixed_choice = {c.header for c in COLUMNS if c.kind in (Kind.BOOL, Kind.CHOICE)}
    assert fixed_choice | {"实施主体", "所属行业"} == set(validated)
    assert validated["办件类型"] == ["即办件", "承诺件"]
    assert validated["是否网办"] == ["是", "否"]
    assert validated["实施主体"] == ["深圳市光明区住房和建设局", "深圳市光明区民政局"]
    assert validated["网上办理深度"] == ["Ⅰ级", "Ⅱ级", "Ⅲ级", "Ⅳ级（全程网办）"]
    assert lists.sheet_state == "hidden"


def test_export_in_an_english_session_writes_the_chinese_labels(catalogue):
    with translation.override("en"):
        english = _rows(export_xlsx_bytes(catalogue))
        csv_text = export_csv_bytes(catalogue).decode("utf-8-sig")

    assert english == _rows(export_xlsx_bytes(catalogue))
    first = dict(zip(HEADERS, english[1], strict=True))
    assert first["行使层级"] == "镇（乡、街道）级、村（社区）级"
    assert first["指尖办服务"] == "查阅、预约"
    assert first["网上办理深度"] == "Ⅳ级（全程网办）"
    assert "Administrative" not in csv_text and "Immediate" not in csv_text


def test_template_in_an_english_session_offers_the_chinese_labels_and_explains_in_english():
    with translation.override("en"):
        workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes()))
    lists = {
        column[0].value: [cell.value for cell in column[1:]]
        for column in workbook[LISTS_SHEET].columns
    }
    help_rows = list(workbook[HELP_SHEET].iter_rows(values_only=True))
    explained = {row[0]: row for row in help_rows}

    assert [cell.value for cell in workbook.worksheets[0][1]] == list(HEADERS)
    assert lists["办件类型"][:2] == ["即办件", "承诺件"]
    assert lists["指尖办服务"][:5] == ["查阅", "预约", "申办", "咨询", "投诉"]
    assert help_rows[0] == (
        "Column header",
        "Required column",
        "How to fill in",
        "Allowed values",
    )
    assert explained["事项状态"][2:] == ("Blank means “在用” (in use)", "在用、暂停、取消")
    assert explained["指尖办服务"][2].startswith("查阅、预约、申办、咨询、投诉; one or more")


def test_template_explains_every_column(db):
    help_sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes()))[HELP_SHEET]
    rows = list(help_sheet.iter_rows(values_only=True))

    assert rows[0] == ("列标题", "必需列", "填写说明", "可选值")
    assert [row[0] for row in rows[1:]] == list(HEADERS)
    explained = {row[0]: row for row in rows[1:]}
    assert explained["实施编码"][1] == "是"
    assert explained["事项状态"][3] == "在用、暂停、取消"


def test_a_filled_in_template_imports():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes()))
    workbook.worksheets[0].append(list(valid_row().values()))
    stream = io.BytesIO()
    workbook.save(stream)

    assert items_import(file=stream.getvalue()).written
    assert xlsx_bytes  # the helper builds the same layout without the template extras


def test_each_export_logs_one_line_with_who_the_file_and_the_count(catalogue, caplog):
    user = UserFactory(username="clerk")

    with caplog.at_level(logging.INFO, logger="catalogue.exporting"):
        export_xlsx_bytes(catalogue, user=user, file_name="实施清单.xlsx")
        export_csv_bytes(catalogue, user=user, file_name="实施清单.csv")

    assert [record.getMessage() for record in caplog.records] == [
        "Export of 2 items to '实施清单.xlsx' by clerk",
        "Export of 2 items to '实施清单.csv' by clerk",
    ]


@pytest.mark.parametrize(
    "header",
    [
        "<r><t>x</t></r></si><si><t>INJECTED</t></si><si><r><t>y</t></r>",
        "<r><t>unclosed</r>",
        "=1+1",
        "A & B <c>",
    ],
)
def test_failing_rows_file_writes_uploaded_headers_exactly_as_text(header):
    plan = items_import_plan(rows=[{**valid_row(办件类型="马上办"), header: "值"}])
    assert plan.has_errors and header in plan.header

    sheet = openpyxl.load_workbook(io.BytesIO(error_rows_xlsx_bytes(plan))).worksheets[0]

    titles = [cell.value for cell in sheet[1]]
    expected = neutralise_formula(header)
    assert titles == ["行号", *HEADERS, expected, "错误"]
    assert all(cell.data_type == "s" and cell.font.bold for cell in sheet[1])
    assert sheet.cell(2, len(titles)).value.startswith("第 2 行")


def test_failing_rows_file_leaves_a_column_without_a_title_untitled():
    plan = items_import_plan(rows=[{**valid_row(办件类型="马上办"), "": "无标题列的值"}])

    sheet = openpyxl.load_workbook(io.BytesIO(error_rows_xlsx_bytes(plan))).worksheets[0]

    assert [cell.value for cell in sheet[1]] == ["行号", *HEADERS, None, "错误"]
    assert sheet.cell(1, len(HEADERS) + 2).font.bold  # blank, with the header's format
    assert sheet.cell(2, len(HEADERS) + 2).value == "无标题列的值"
