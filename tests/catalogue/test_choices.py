import pytest
from django.utils import translation

from catalogue.choices import (
    ALL_MOBILE_SERVICES_MASK,
    ALL_TIERS_MASK,
    ITEM_TYPE_GUANGDONG_CODES,
    ITEM_TYPE_NATIONAL_CODES,
    ItemType,
    MobileService,
    Tier,
    flags_of,
    tier_span_display,
    tier_span_label,
)

P, C, D, T, V = Tier.PROVINCE, Tier.CITY, Tier.COUNTY, Tier.TOWNSHIP, Tier.VILLAGE


@pytest.mark.parametrize(
    ("mask", "label"),
    [
        (D, "区本级"),
        (D | T, "区街两级"),
        (C | D, "市区两级"),
        (C | D | T, "市区街三级"),
        (P | C | D, "省市区三级"),
        (D | T | V, "区街村三级"),
        (P | C | D | T, "省市区街四级"),
        (C | D | T | V, "市区街村四级"),
        (P | C | D | T | V, "省市区街村五级"),
        (C, "市本级"),
        (Tier.NATIONAL | P | C | D | T | V, "国省市区街村六级"),
    ],
)
def test_tier_span_label_names_tiers_from_highest_then_counts_them(mask, label):
    assert tier_span_label(mask) == label


def test_tier_span_label_of_no_tier_is_empty():
    assert tier_span_label(0) == ""


def test_tier_span_label_ignores_the_order_the_tiers_were_chosen_in():
    assert tier_span_label(V | P) == tier_span_label(P | V) == "省村两级"


def test_tier_span_display_in_chinese_is_the_stored_label():
    with translation.override("zh-hans"):
        shown = {mask: tier_span_display(mask) for mask in range(ALL_TIERS_MASK + 1)}

    assert shown == {mask: tier_span_label(mask) for mask in range(ALL_TIERS_MASK + 1)}


@pytest.mark.parametrize(
    ("mask", "label"),
    [
        (D, "District only"),
        (C | D, "City–District"),
        (P | C | D, "Province–City–District"),
        (Tier.NATIONAL | P | C | D | T | V, "National–Province–City–District–Subdistrict–Village"),
    ],
)
def test_tier_span_display_in_english_joins_the_tier_names(mask, label):
    with translation.override("en"):
        assert tier_span_display(mask) == label


def test_all_tiers_mask_covers_the_six_tiers():
    assert ALL_TIERS_MASK == 0b111111
    assert ALL_MOBILE_SERVICES_MASK == 0b11111


def test_flags_of_lists_the_set_bits_in_order():
    assert flags_of(C | D, Tier) == [Tier.CITY, Tier.COUNTY]
    assert flags_of(MobileService.LOOKUP | MobileService.COMPLAINT, MobileService) == [
        MobileService.LOOKUP,
        MobileService.COMPLAINT,
    ]
    assert flags_of(0, Tier) == []


def test_item_types_are_the_twelve_of_the_national_list():
    assert [str(label) for label in ItemType.labels] == [
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政征收",
        "行政给付",
        "行政检查",
        "行政确认",
        "行政奖励",
        "行政裁决",
        "其他行政权力",
        "公共服务",
        "行政备案",
    ]


def test_code_20_means_public_service_nationally_and_other_power_in_guangdong():
    assert ITEM_TYPE_NATIONAL_CODES["20"] == ItemType.PUBLIC_SERVICE
    assert ITEM_TYPE_NATIONAL_CODES["10"] == ItemType.OTHER_POWER
    assert ITEM_TYPE_GUANGDONG_CODES["20"] == ItemType.OTHER_POWER
    assert ITEM_TYPE_GUANGDONG_CODES["21"] == ItemType.PUBLIC_SERVICE
    assert ITEM_TYPE_GUANGDONG_CODES["01"] == ItemType.LICENSING
    assert "10" not in ITEM_TYPE_GUANGDONG_CODES
