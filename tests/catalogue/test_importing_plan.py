"""The checked plan of a file (catalogue.importing.plan): what each row's cells become, and the
columns a person must place."""

import pytest

from catalogue.choices import TimeUnit
from catalogue.importing import ERROR, UPDATE, messages
from catalogue.importing.plan import mapping_from_text
from catalogue.models import ServiceItem
from catalogue.services.importing import items_import, items_import_plan
from tests.catalogue.importing_support import valid_row
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")


def test_a_blank_department_or_sector_cell_is_required():
    plan = items_import_plan(rows=[valid_row(实施主体="", 所属行业=" ")])

    assert [(e.column, e.value, e.problem) for e in plan.errors] == [
        ("实施主体", "", str(messages.REQUIRED)),
        ("所属行业", "", str(messages.REQUIRED)),
    ]


def test_the_clear_marker_in_the_basic_code_clears_the_stored_code(department, sector):
    ServiceItemFactory(code="C-1", basic_code="440300000001", department=department, sector=sector)

    result = items_import(rows=[valid_row(实施编码="C-1", 基本编码="清空")])

    assert result.plan.rows[0].action == UPDATE
    assert ServiceItem.objects.get(code="C-1").basic_code == ""


def test_the_clear_marker_in_the_item_code_leaves_it_missing():
    plan = items_import_plan(rows=[valid_row(实施编码="清空")])

    (error,) = plan.errors
    assert (error.column, error.problem) == ("实施编码", str(messages.REQUIRED))


def test_a_header_resembling_elements_is_asked_for_with_the_closest_first():
    row = valid_row()
    row["事项的名称"] = row.pop("事项名称")

    plan = items_import_plan(rows=[row])

    assert plan.unplaced == {"事项的名称": ["name", "main_item"]}
    assert "“事项的名称”（最接近：事项名称、主项名称）" in plan.file_problem
    assert not plan.rows


def test_the_command_lines_map_sets_a_column_aside_with_the_ignore_word_or_nothing():
    assert mapping_from_text(["办结时限=忽略", " 备注 = ", "时限=承诺办结时限"]) == {
        "办结时限": None,
        "备注": None,
        "时限": "promised_limit",
    }


def test_days_in_a_time_limit_cell_take_their_kind_from_the_unit_column():
    items_import(rows=[valid_row(实施编码="D-1", 法定办结时限="20天", 法定时限单位="自然日")])

    item = ServiceItem.objects.get(code="D-1")
    assert (item.legal_limit, item.legal_limit_unit) == (20, TimeUnit.NATURAL_DAY)


def test_a_file_without_main_items_cannot_move_an_item_away_from_its_main_items_department(
    department, other_department, main_item
):
    ServiceItemFactory(code="M-1", department=department, main_item=main_item)
    row = valid_row(实施编码="M-1", 实施主体=other_department.name)
    del row["主项名称"]

    plan = items_import_plan(rows=[row])

    assert plan.rows[0].action == ERROR
    (error,) = plan.errors
    assert error.column == "主项名称"
    assert "主项必须属于同一实施主体" in error.problem
    assert ServiceItem.objects.get(code="M-1").department == department
