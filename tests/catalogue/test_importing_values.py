import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from catalogue.choices import (
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
    TimeUnit,
)
from catalogue.importing import messages
from catalogue.importing.values import (
    CellProblem,
    cell_text,
    code_cell_text,
    code_text,
    parse_bool,
    parse_handling_type,
    parse_item_type,
    parse_mobile_services,
    parse_online_depth,
    parse_power_source,
    parse_promised_unit,
    parse_status,
    parse_tiers,
    split_values,
    time_limit_parser,
    whole_number_parser,
)
from catalogue.spreadsheet_text import neutralise_formula


@pytest.mark.parametrize(
    "raw", ["是", "Y", "y", "yes", "1", 1, 1.0, "√", "✓", True, " 是 ", "ｙ", "TRUE"]
)
def test_yes_styles_read_as_true(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "n", "no", "0", 0, 0.0, "×", "✗", False, "", None])
def test_no_styles_and_blank_read_as_false(raw):
    assert parse_bool(raw) is False


def test_unknown_yes_no_value_is_rejected_with_the_allowed_values():
    with pytest.raises(CellProblem) as problem:
        parse_bool("可以")
    assert problem.value.message == messages.NOT_A_BOOLEAN


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("行政许可", ItemType.LICENSING),
        ("行政許可", ItemType.LICENSING),
        (" 行政 许可 ", ItemType.LICENSING),
        ("01", ItemType.LICENSING),
        ("1", ItemType.LICENSING),
        (1.0, ItemType.LICENSING),
        ("０１", ItemType.LICENSING),
        ("10", ItemType.OTHER_POWER),
        ("20", ItemType.PUBLIC_SERVICE),  # the national code
        ("21", ItemType.PUBLIC_SERVICE),  # only Guangdong's list has 21
        ("20 其他行政权力", ItemType.OTHER_POWER),  # Guangdong's 20, told by its label
        ("21公共服务", ItemType.PUBLIC_SERVICE),
        ("20-公共服务", ItemType.PUBLIC_SERVICE),
        ("公共服務", ItemType.PUBLIC_SERVICE),
        ("行政备案", ItemType.FILING),
    ],
)
def test_item_type_accepts_labels_and_national_or_guangdong_codes(raw, expected):
    assert parse_item_type(raw) == expected


def test_item_type_code_contradicting_its_label_is_rejected():
    with pytest.raises(CellProblem) as problem:
        parse_item_type("01 公共服务")
    assert str(problem.value.message).startswith("代码与名称不一致")


@pytest.mark.parametrize("raw", ["99", "许可", "行政许可证"])
def test_unknown_item_type_lists_the_labels_and_codes(raw):
    with pytest.raises(CellProblem) as problem:
        parse_item_type(raw)
    assert "行政许可、行政处罚" in str(problem.value.message)
    assert "01–10" in str(problem.value.message)


def test_unknown_item_type_in_an_english_session_lists_the_chinese_labels():
    with translation.override("en"), pytest.raises(CellProblem) as problem:
        parse_item_type("99")
    message = str(problem.value.message)

    assert message.startswith("Not an allowed value. Allowed: 行政许可、行政处罚")
    assert "Administrative" not in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ⅰ", OnlineDepth.LEVEL_1),
        ("Ⅱ级", OnlineDepth.LEVEL_2),
        ("III", OnlineDepth.LEVEL_3),
        ("iv", OnlineDepth.LEVEL_4),
        ("Ⅳ级（全程网办）", OnlineDepth.LEVEL_4),
        ("4", OnlineDepth.LEVEL_4),
        (3.0, OnlineDepth.LEVEL_3),
        ("２", OnlineDepth.LEVEL_2),
        ("一级", OnlineDepth.LEVEL_1),
        ("四級", OnlineDepth.LEVEL_4),
        ("全程网办", OnlineDepth.LEVEL_4),
        ("", None),
    ],
)
def test_online_depth_accepts_roman_latin_arabic_and_chinese_numbers(raw, expected):
    assert parse_online_depth(raw) == expected


def test_online_depth_out_of_range_is_rejected():
    with pytest.raises(CellProblem) as problem:
        parse_online_depth("5")
    assert "Ⅰ、Ⅱ、Ⅲ、Ⅳ" in str(problem.value.message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("省级、市级、区级", Tier.PROVINCE | Tier.CITY | Tier.COUNTY),
        ("市级,区级", Tier.CITY | Tier.COUNTY),
        ("市级，区级", Tier.CITY | Tier.COUNTY),
        ("市级；区级", Tier.CITY | Tier.COUNTY),
        ("市级;区级", Tier.CITY | Tier.COUNTY),
        ("市级/区级", Tier.CITY | Tier.COUNTY),
        ("市级\n区级", Tier.CITY | Tier.COUNTY),
        ("市級、區級", Tier.CITY | Tier.COUNTY),
        ("县级（区）", Tier.COUNTY),
        ("县级", Tier.COUNTY),
        ("镇（乡、街道）级、村（社区）级", Tier.TOWNSHIP | Tier.VILLAGE),
        ("街道级、社区", Tier.TOWNSHIP | Tier.VILLAGE),
        ("镇级", Tier.TOWNSHIP),
        ("国家级", Tier.NATIONAL),
        ("市区两级", Tier.CITY | Tier.COUNTY),
        ("省市区三级", Tier.PROVINCE | Tier.CITY | Tier.COUNTY),
        ("區本級", Tier.COUNTY),
        ("省市区街", Tier.PROVINCE | Tier.CITY | Tier.COUNTY | Tier.TOWNSHIP),
        ("市 区", Tier.CITY | Tier.COUNTY),
    ],
)
def test_tiers_accept_full_short_and_combined_names(raw, expected):
    assert parse_tiers(raw) == expected


def test_unknown_tier_is_rejected_with_the_allowed_values():
    with pytest.raises(CellProblem) as problem:
        parse_tiers("市级、州级")
    assert "省级、市级、区级（县级）" in str(problem.value.message)


def test_blank_tiers_are_required():
    with pytest.raises(CellProblem) as problem:
        parse_tiers("")
    assert problem.value.message == messages.REQUIRED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("查阅、预约", MobileService.LOOKUP | MobileService.APPOINTMENT),
        ("查閱/預約", MobileService.LOOKUP | MobileService.APPOINTMENT),
        ("申办；咨询，投诉", MobileService.APPLICATION | MobileService.CONSULTATION | 16),
        ("", 0),
    ],
)
def test_mobile_services_accept_any_separator_and_traditional_characters(raw, expected):
    assert parse_mobile_services(raw) == expected


def test_unknown_mobile_service_is_rejected():
    with pytest.raises(CellProblem) as problem:
        parse_mobile_services("查阅、点赞")
    assert "查阅、预约、申办、咨询、投诉" in str(problem.value.message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(20, 20), (20.0, 20), ("20", 20), ("２０", 20), (" 20 ", 20), ("20天", 20), ("20.0", 20)],
)
def test_whole_numbers_accept_text_and_full_width_digits(raw, expected):
    parse = whole_number_parser(minimum=0, maximum=100, default=None)
    assert parse(raw) == expected


@pytest.mark.parametrize("raw", ["二十", "-1", "2.5", 2.5, "101"])
def test_bad_whole_numbers_are_rejected_with_the_range(raw):
    parse = whole_number_parser(minimum=0, maximum=100, default=None)
    with pytest.raises(CellProblem) as problem:
        parse(raw)
    assert problem.value.message == messages.NOT_A_WHOLE_NUMBER.format(minimum=0, maximum=100)


def test_blank_whole_number_gives_the_default():
    assert whole_number_parser(minimum=0, maximum=20, default=0)("") == 0


@pytest.mark.parametrize(
    ("parse", "raw", "expected"),
    [
        (parse_handling_type, "承諾件", HandlingType.PROMISED),
        (parse_handling_type, "即办", HandlingType.IMMEDIATE),
        (parse_status, "暫停", ItemStatus.SUSPENDED),
        (parse_status, "", ItemStatus.ACTIVE),
        (parse_power_source, "法定本級行使", PowerSource.LOCAL_STATUTORY),
        (parse_power_source, "上级委托", PowerSource.ENTRUSTED_BY_SUPERIOR),
        (parse_promised_unit, "自然日", TimeUnit.NATURAL_DAY),
        (parse_promised_unit, "", TimeUnit.WORKING_DAY),
    ],
)
def test_fixed_labels_accept_simplified_and_traditional_characters(parse, raw, expected):
    assert parse(raw) == expected


def test_unknown_fixed_label_lists_the_labels():
    with pytest.raises(CellProblem) as problem:
        parse_handling_type("马上办")
    assert problem.value.message == messages.NOT_A_CHOICE.format(allowed="即办件、承诺件")


def test_codes_lose_spaces_and_full_width_characters():
    assert code_text(" １１４４０３００ MB2C\u3000 ") == "11440300MB2C"


def test_numbers_typed_in_numeric_cells_lose_the_trailing_point_zero():
    assert cell_text(440300000001.0) == "440300000001"


def test_multi_value_cells_split_outside_brackets_only():
    assert split_values("镇（乡、街道）级、村（社区）级") == ["镇(乡、街道)级", "村(社区)级"]


@pytest.mark.parametrize("text", ["=1+1", "+86", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_neutralised_and_read_back_unchanged(text):
    neutralised = neutralise_formula(text)
    assert neutralised == "'" + text
    assert cell_text(neutralised) == text.strip()


def test_ordinary_text_is_not_neutralised():
    assert neutralise_formula("0755-123") == "0755-123"


def test_full_width_and_no_break_spaces_inside_a_text_cell_become_plain_spaces():
    assert cell_text("\ufeff粤\u3000省事\xa0 ") == "粤 省事"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, "是"),  # a TRUE/FALSE cell
        (False, "否"),
        (Decimal("1.50"), "1.50"),
        (datetime.date(2026, 12, 1), "2026-12-01"),
        (SafeString(" 粤\u3000省事 "), "粤 省事"),  # a str subclass is read as text too
        (SafeString("'=1+1"), "=1+1"),  # and its formula guard is taken off
    ],
)
def test_cells_that_are_not_plain_text_read_as_their_text(raw, expected):
    assert cell_text(raw) == expected


def test_blank_required_choice_is_required():
    with pytest.raises(CellProblem) as problem:
        parse_handling_type(" ")
    assert problem.value.message == messages.REQUIRED


def test_blank_item_type_is_required():
    with pytest.raises(CellProblem) as problem:
        parse_item_type("")
    assert problem.value.message == messages.REQUIRED


# Two codes, or a number of three or four digits, name no type: 100 is not 10, nor 2021 20.
@pytest.mark.parametrize("raw", ["100", "2021", 2021, 2021.0, "01 20", "10-21", "1 行政许可 2 3"])
def test_item_type_of_no_code_and_label_shape_lists_the_labels_and_codes(raw):
    with pytest.raises(CellProblem) as problem:
        parse_item_type(raw)
    assert str(problem.value.message).startswith("不是可选值。可填：行政许可、行政处罚")
    assert "01–10" in str(problem.value.message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (5, 5),
        ("5个工作日", (5, TimeUnit.WORKING_DAY.value)),
        ("５ 自然日", (5, TimeUnit.NATURAL_DAY.value)),
        ("5天", (5, "days")),
        ("即办", 0),
        ("无", None),
    ],
)
def test_time_limits_read_the_number_and_the_unit_the_cell_gives(raw, expected):
    assert time_limit_parser(minimum=0, maximum=999, default=None)(raw) == expected


@pytest.mark.parametrize("raw", ["三个工作日", "5周", "1000", 1000, "1000工作日"])
def test_time_limits_that_are_no_number_in_range_are_refused_with_the_range(raw):
    parse = time_limit_parser(minimum=0, maximum=999, default=None)
    with pytest.raises(CellProblem) as problem:
        parse(raw)
    assert problem.value.message == messages.NOT_A_WHOLE_NUMBER.format(minimum=0, maximum=999)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (datetime.datetime(2026, 1, 20), "2026-01-20"),  # midnight: the date alone
        (datetime.datetime(2026, 1, 20, 8, 30), "2026-01-20T08:30:00"),
        (datetime.timedelta(days=20), "20 days, 0:00:00"),  # a duration format
    ],
)
def test_a_date_or_duration_in_a_time_limit_cell_is_refused_showing_it(raw, shown):
    parse = time_limit_parser(minimum=0, maximum=999, default=None)
    with pytest.raises(CellProblem) as problem:
        parse(raw)
    assert problem.value.message == messages.DATE_IN_NUMBER_CELL.format(date=shown)


@pytest.mark.parametrize("raw", ["9.14403E+17", " 4.4e12 "])
def test_a_code_typed_as_text_in_e_notation_is_refused_as_rounded(raw):
    with pytest.raises(CellProblem) as problem:
        code_cell_text(raw)
    assert problem.value.message == messages.CODE_ROUNDED
