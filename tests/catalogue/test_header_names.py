"""The list of other systems' column names (issue 10) is consistent with the column contract."""

from collections import Counter

from catalogue.importing.columns import COLUMNS, header_key
from catalogue.importing.header_names import (
    HEADER_NAMES,
    KNOWN_UNUSED_NAMES,
    SERIAL_NUMBER_NAMES,
    UNIT_HEADER_NAMES,
)


def _all_names():
    return {**HEADER_NAMES, **UNIT_HEADER_NAMES}


def test_every_contract_column_has_its_names_and_no_other_field_is_named():
    assert set(_all_names()) == {column.field for column in COLUMNS}


def test_each_field_lists_the_template_header_first():
    for column in COLUMNS:
        assert _all_names()[column.field][0] == column.header


def test_the_existing_aliases_are_kept():
    for column in COLUMNS:
        assert set(column.aliases) <= set(_all_names()[column.field]), column.field


def test_no_name_belongs_to_two_fields_once_normalised():
    keys = Counter(header_key(name) for names in _all_names().values() for name in names)
    assert [key for key, count in keys.items() if count > 1] == []


def test_names_set_aside_are_no_field_s_name():
    field_keys = {header_key(name) for names in _all_names().values() for name in names}
    for name in (*KNOWN_UNUSED_NAMES, *SERIAL_NUMBER_NAMES):
        assert header_key(name) not in field_keys, name


def test_the_issue_s_names_are_listed_under_their_element():
    expected = {
        "code": ("事项编码", "实施清单编码"),
        "item_type": ("事项类别",),
        "sector": ("所属领域",),
        "in_hall": ("是否进驻政务大厅",),
        "is_online": ("是否支持网上办理", "可网上办理"),
        "online_depth": ("网办深度", "办理深度"),
        "onsite_visits": ("跑动次数",),
        "legal_limit": ("法定期限",),
        "promised_limit": ("承诺期限",),
        "legal_limit_unit": ("法定办结时限单位",),
        "promised_limit_unit": ("承诺办结时限单位",),
        "onsite_reason": ("办理现场办理原因说明", "必须现场办理原因说明"),
        "consult_phone": ("咨询方式",),
        "complaint_phone": ("投诉电话", "监督投诉方式"),
    }
    for field, names in expected.items():
        assert set(names) <= set(_all_names()[field]), field
