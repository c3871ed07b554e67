"""Department files as they really arrive (issue 10): other systems' column names, title rows,
hidden and several sheets, units and codes as clerks type them, updates that keep blanks.

The files under files/real/ were built by files/make_real_files.py and saved by openpyxl, pandas
and LibreOffice; files/real/README.md says, per file, what the import must do. Every test runs on
the three writers' files.

Written before the implementation, against the public entry points the other import tests use
(`items_import`, `items_import_plan`). Where the issue leaves a choice, or the plan needs a new
attribute, the test states the assumption in a comment; the names are proposals the implementer
may change (together with these tests). The message constants referred to as `messages.X` do not
exist yet: files/real/README.md proposes their wording.
"""

from pathlib import Path

import pytest

from catalogue.choices import (
    HandlingType,
    ItemStatus,
    ItemType,
    OnlineDepth,
    PowerSource,
    Tier,
    TimeUnit,
)
from catalogue.importing import ERROR, NEW, UNCHANGED, UPDATE, messages
from catalogue.models import Department, ServiceItem
from catalogue.services.importing import items_import, items_import_plan
from catalogue.validators import credit_code_check_character
from tests.catalogue.importing_support import DEPARTMENT, valid_row

pytestmark = [
    pytest.mark.usefixtures("department", "other_department", "sector"),
]

REAL = Path(__file__).parent / "files" / "real"
WRITERS = ("openpyxl", "pandas", "libreoffice")
CREDIT_CODE = "11440300MB2C00000" + credit_code_check_character("11440300MB2C00000")


@pytest.fixture(params=WRITERS)
def writer(request):
    return request.param


def real_file(shape: str, writer: str) -> Path:
    return REAL / f"{shape}.{writer}.xlsx"


def _imported(shape, writer, **options):
    result = items_import(file=real_file(shape, writer), **options)
    assert result.written, (result.plan.file_problem, [str(e) for e in result.plan.errors])
    return result


def _refused(shape, writer, **options):
    before = list(ServiceItem.objects.values_list("code", "updated_at"))
    result = items_import(file=real_file(shape, writer), **options)
    assert not result.written
    assert list(ServiceItem.objects.values_list("code", "updated_at")) == before
    return result.plan


def _only_error(plan):
    (error,) = plan.errors
    return error


# ---------------------------------------------------------------------------------------------
# 1. Columns by meaning


def test_provincial_headers_are_read_as_their_elements(writer):
    result = _imported("provincial_headers", writer)

    first = ServiceItem.objects.get(code="P-01")
    assert (first.in_hall, first.is_online, first.online_depth) == (True, True, OnlineDepth.LEVEL_4)
    assert first.onsite_visits == 0
    assert (first.legal_limit, first.legal_limit_unit) == (20, TimeUnit.WORKING_DAY)
    assert first.complaint_phone == "0755-12345"
    second = ServiceItem.objects.get(code="P-02")
    assert (second.in_hall, second.online_depth) == (False, OnlineDepth.LEVEL_3)
    assert (second.onsite_visits, second.onsite_reason) == (1, "需核验原件")
    assert (second.legal_limit, second.legal_limit_unit) == (15, TimeUnit.WORKING_DAY)
    # Assumed: plan.column_readings lists (the file's header, the model field) in file order;
    # the preview shows it as “是否进驻政务大厅 → 是否进驻大厅”.
    readings = dict(result.plan.column_readings)
    assert readings["是否进驻政务大厅"] == "in_hall"
    assert readings["是否支持网上办理"] == "is_online"
    assert readings["网办深度"] == "online_depth"
    assert readings["跑动次数"] == "onsite_visits"
    assert readings["法定期限"] == "legal_limit"
    assert readings["投诉电话"] == "complaint_phone"
    assert result.plan.unknown_columns == []


def test_national_element_names_are_read_as_their_elements(writer):
    _imported("national_names", writer)

    item = ServiceItem.objects.get(code="N-01")
    assert (item.legal_limit, item.legal_limit_unit) == (30, TimeUnit.NATURAL_DAY)
    assert (item.promised_limit, item.promised_limit_unit) == (10, TimeUnit.NATURAL_DAY)
    assert (item.onsite_visits, item.onsite_reason) == (1, "需现场勘验")
    assert item.consult_phone == "0755-88211234"
    assert item.complaint_phone == "0755-12345"


def test_code_type_sector_and_promised_limit_under_other_names_are_read(writer, sector):
    _imported("other_element_names", writer)

    item = ServiceItem.objects.get(code="O-01")
    assert item.item_type == ItemType.CONFIRMATION
    assert item.sector == sector
    assert item.promised_limit == 3


def test_columns_like_no_element_are_left_out_without_blocking(writer):
    result = _imported("columns_like_no_element", writer)

    assert ServiceItem.objects.filter(code="L-01").exists()
    # Assumed: plan.left_out lists the headers set aside, in file order (shown in the preview).
    assert result.plan.left_out == ["备注", "服务对象"]


def test_a_column_resembling_an_element_blocks_until_a_person_places_it(writer):
    plan = _refused("column_resembling_an_element", writer)

    # Assumed: plan.unplaced maps each such header to the closest elements, closest first, and
    # the file-level problem names it. 办结时限 is no known name of either time limit.
    assert plan.unplaced == {"办结时限": ["promised_limit", "legal_limit"]}
    assert plan.file_problem == messages.UNPLACED_COLUMNS.format(
        columns="“办结时限”（最接近：承诺办结时限、法定办结时限）"
    )

    # Assumed: `mapping` ({header: field, or None to set it aside}) is what the admin's choice and
    # `import_items --map '办结时限=承诺办结时限'` pass on.
    _imported("column_resembling_an_element", writer, mapping={"办结时限": "promised_limit"})
    assert ServiceItem.objects.get(code="R-01").promised_limit == 7


# ---------------------------------------------------------------------------------------------
# 2. What a missing column means


def test_missing_counted_columns_on_new_items_are_a_warning_naming_the_defaults(writer):
    # Chosen: a warning, not an error. Provincial exports never carry the local columns (秒批,
    # 指尖办), so an error would make them unimportable; the warning names each column and the
    # value the new items get, in the preview before anyone confirms, so nothing is defaulted
    # silently. (On the command line the warning is printed; --dry-run shows it beforehand.)
    plan = items_import_plan(file=real_file("counted_columns_missing", writer))

    assert not plan.has_errors
    # Assumed: plan.warnings holds file-level warnings as text, row warnings as RowError.
    assert str(messages.MISSING_COUNTED_COLUMNS.format(
        columns="到办事现场次数、是否秒批、是否指尖办", defaults="0、否、否", count=1
    )) in plan.warnings  # fmt: skip

    _imported("counted_columns_missing", writer)
    item = ServiceItem.objects.get(code="K-01")
    assert (item.onsite_visits, item.instant_approval, item.is_mobile) == (0, False, False)


def test_missing_columns_keep_the_stored_values_of_existing_items(writer):
    stored = valid_row(实施编码="K-01", 是否秒批="是", 是否指尖办="是")
    items_import(rows=[{**stored, "指尖办渠道": "粤省事", "指尖办服务": "查阅"}])

    result = _imported("counted_columns_missing", writer)

    item = ServiceItem.objects.get(code="K-01")
    assert (item.instant_approval, item.is_mobile) == (True, True)
    assert [channel.name for channel in item.mobile_channels.all()] == ["粤省事"]
    assert result.plan.counts[UNCHANGED] == 1
    # The warning concerns new items only.
    assert not any("是否秒批" in str(warning) for warning in result.plan.warnings)


# ---------------------------------------------------------------------------------------------
# 3. The header where it is


def test_the_first_visible_sheet_is_read_and_named(writer):
    result = _imported("hidden_sheet_first", writer)

    item = ServiceItem.objects.get()
    assert (item.name, item.promised_limit) == ("今年的名称", 4)
    # Assumed: plan.sheet_name, and the summary names the sheet.
    assert result.plan.sheet_name == "2025"
    assert "“2025”" in result.plan.summary()


def test_several_candidate_sheets_are_refused_until_one_is_chosen(writer):
    plan = _refused("several_candidate_sheets", writer)

    assert plan.file_problem == messages.SEVERAL_SHEETS.format(sheets="“住房和建设局”、“民政局”")
    assert plan.sheet_choices == ["住房和建设局", "民政局"]

    _imported("several_candidate_sheets", writer, sheet="民政局")
    assert list(ServiceItem.objects.values_list("code", "department__name")) == [
        ("M-02", "深圳市光明区民政局")
    ]


@pytest.mark.parametrize(
    ("shape", "header_row", "code"),
    [("title_row_merged", 2, "H-01"), ("title_rows_plain", 3, "H-02")],
)
def test_the_header_is_found_under_title_rows(writer, shape, header_row, code):
    result = _imported(shape, writer)

    assert ServiceItem.objects.filter(code=code).exists()
    # Assumed: plan.header_row is the header's Excel row; rows keep their Excel numbers.
    assert result.plan.header_row == header_row
    assert [row.row for row in result.plan.rows] == [header_row + 1]


def test_a_serial_number_column_is_skipped(writer):
    result = _imported("serial_number_column", writer)

    assert sorted(ServiceItem.objects.values_list("code", flat=True)) == ["S-01", "S-02"]
    # Chosen: 序号 is skipped without being listed as left out (nearly every file has one).
    assert "序号" not in result.plan.left_out
    assert "序号" not in dict(result.plan.column_readings)


# ---------------------------------------------------------------------------------------------
# 4. Values as clerks type them


def test_time_limits_with_the_unit_in_the_cell_are_stored_as_they_say(writer):
    _imported("time_limits_in_cells", writer)

    items = {item.code: item for item in ServiceItem.objects.all()}
    limits = {
        code: (item.legal_limit, item.legal_limit_unit, item.promised_limit,
               item.promised_limit_unit)
        for code, item in items.items()
    }  # fmt: skip
    assert limits == {
        "T-01": (30, TimeUnit.NATURAL_DAY, 15, TimeUnit.NATURAL_DAY),
        "T-02": (30, TimeUnit.NATURAL_DAY, 10, TimeUnit.NATURAL_DAY),
        # 无: no statutory limit; 即办: 0 (the promised unit keeps its default 工作日).
        "T-03": (None, "", 0, TimeUnit.WORKING_DAY),
        "T-04": (20, TimeUnit.WORKING_DAY, 5, TimeUnit.WORKING_DAY),
    }
    assert items["T-03"].handling_type == HandlingType.IMMEDIATE


def test_days_without_a_kind_are_refused_naming_both_readings(writer):
    error = _only_error(_refused("time_limit_in_days", writer))

    assert (error.row, error.column, error.value) == (2, "法定办结时限", "10天")
    assert error.problem == messages.DAYS_WITHOUT_KIND.format(number=10)
    assert "10个工作日" in error.problem and "10个自然日" in error.problem


def test_a_unit_in_the_cell_contradicting_the_unit_column_is_refused(writer):
    error = _only_error(_refused("time_limit_unit_conflict", writer))

    assert (error.row, error.column, error.value) == (2, "法定办结时限", "20个工作日")
    assert error.problem == messages.UNIT_CONFLICT.format(
        cell_unit="工作日", unit_column="法定时限单位", column_unit="自然日"
    )


def test_fee_words_are_read(writer):
    _imported("fee_words", writer)

    assert ServiceItem.objects.get(code="F-01").charges_fee is False
    charged = ServiceItem.objects.get(code="F-02")
    assert (charged.charges_fee, charged.fee_basis) == (True, "《不动产登记收费标准》")


def test_national_code_values_of_the_coded_elements_are_read(writer):
    _imported("national_code_values", writer)

    first = ServiceItem.objects.get(code="C-01")
    assert first.power_source == PowerSource.LOCAL_STATUTORY
    assert first.tiers == Tier.CITY | Tier.COUNTY
    assert first.handling_type == HandlingType.PROMISED
    assert first.status == ItemStatus.ACTIVE
    second = ServiceItem.objects.get(code="C-02")
    assert second.power_source == PowerSource.ENTRUSTED_BY_SUPERIOR
    assert second.entrusting_body == "深圳市住房和建设局"
    assert second.tiers == Tier.COUNTY
    assert second.handling_type == HandlingType.IMMEDIATE
    assert second.status == ItemStatus.SUSPENDED


def test_a_date_in_a_time_limit_cell_is_named_as_a_date(writer):
    error = _only_error(_refused("date_in_time_limit", writer))

    assert (error.row, error.column, error.value) == (2, "法定办结时限", "2024-01-05")
    assert error.problem == messages.DATE_IN_NUMBER_CELL.format(date="2024-01-05")


def test_codes_in_number_cells_keep_the_exact_digits_stored(writer):
    _imported("code_in_number_cell", writer)

    item = ServiceItem.objects.get()
    assert (item.code, item.basic_code) == ("123456789012345", "440300000001")


@pytest.mark.parametrize("shape", ["code_18_digits_in_number_cell", "code_rounded_by_excel"])
def test_a_code_the_spreadsheet_has_rounded_is_refused_with_the_way_out(writer, shape):
    error = _only_error(_refused(shape, writer))

    assert (error.row, error.column) == (2, "实施编码")
    # The cell as stored: 9.144030012345679e+17 (openpyxl, pandas), 9.14403001234568E+017
    # (LibreOffice). Refused whatever the spelling: E notation, or more than 15 significant digits.
    assert error.value.startswith("9.14403001234")
    assert error.problem == messages.CODE_ROUNDED


def test_a_basic_code_that_lost_its_leading_zero_is_refused_with_why(writer):
    error = _only_error(_refused("basic_code_lost_zero", writer))

    assert (error.row, error.column, error.value) == (2, "基本编码", "12345678901")
    assert error.problem == messages.BASIC_CODE_LOST_ZERO.format(digits="12345678901")


# ---------------------------------------------------------------------------------------------
# 5. Updates keep what a file leaves blank


def _stored_items():
    items_import(rows=[
        valid_row(实施编码="U-01", 咨询电话="0755-11111111"),
        valid_row(实施编码="U-02", 咨询电话="0755-22222222"),
    ])  # fmt: skip


def test_blank_cells_keep_stored_values_and_clearing_is_explicit(writer):
    _stored_items()
    stored = ServiceItem.objects.get(code="U-01")

    _imported("blank_cells_on_update", writer)

    kept = ServiceItem.objects.get(code="U-01")
    for name in ("in_hall", "comprehensive_window", "is_online", "online_depth", "legal_limit",
                 "legal_limit_unit", "promised_limit", "legal_basis", "location",
                 "consult_phone", "complaint_phone", "status", "updated_at"):  # fmt: skip
        assert getattr(kept, name) == getattr(stored, name), name
    cleared = ServiceItem.objects.get(code="U-02")
    assert cleared.consult_phone == ""  # the 清空 marker
    assert (cleared.is_online, cleared.online_depth) == (False, None)  # no longer applies
    assert cleared.legal_basis == "《建筑法》第七条"  # blank: kept
    assert cleared.location == "光明区行政服务大厅"


def test_the_preview_shows_old_and_new_values_and_counts_the_cleared_ones(writer):
    _stored_items()

    plan = items_import_plan(file=real_file("blank_cells_on_update", writer))

    assert [row.action for row in plan.rows] == [UNCHANGED, UPDATE]
    # Assumed: row.changes lists (header, old, new) as the preview shows them.
    assert plan.rows[1].changes == [
        ("是否网办", "是", "否"),
        ("网上办理深度", "Ⅳ级（全程网办）", ""),
        ("咨询电话", "0755-22222222", ""),
    ]
    assert plan.cleared_count == 2
    assert str(messages.WILL_CLEAR.format(count=2)) in plan.summary()


# ---------------------------------------------------------------------------------------------
# 6. Codes checked against the department's 统一社会信用代码 and the 基本编码


def test_codes_not_matching_credit_code_or_basic_code_are_warnings_counted(writer):
    Department.objects.filter(name=DEPARTMENT).update(credit_code=CREDIT_CODE)

    result = _imported("code_check_against_credit_code", writer)

    assert result.plan.counts[NEW] == 3 and result.plan.counts[ERROR] == 0
    # Assumed: row warnings are RowError objects in plan.warnings.
    warned = [(w.row, w.column) for w in result.plan.warnings if not isinstance(w, str)]
    assert warned == [(3, "实施编码"), (4, "实施编码")]
    assert str(messages.CODE_MISMATCH_SUMMARY.format(count=2)) in result.plan.summary()
