"""How the report writes numbers and lists."""

import pytest

from reports import formatting


@pytest.mark.parametrize(
    ("part", "whole", "digits", "expected"),
    [(641, 681, 0, 94.0), (1, 8, 1, 12.5), (1, 16, 1, 6.3), (2, 3, 1, 66.7), (5, 0, 1, 0.0)],
)
def test_percent_rounds_half_up_and_is_zero_of_nothing(part, whole, digits, expected):
    assert formatting.percent(part, whole, digits) == expected


def test_format_percent_drops_a_zero_decimal():
    assert [formatting.format_percent(v) for v in (94.0, 26.9, 0.0)] == ["94%", "26.9%", "0%"]


def test_average_is_rounded_to_one_decimal_and_zero_of_nothing():
    assert formatting.average(17596, 681) == 25.8
    assert formatting.average(10, 0) == 0.0


def test_join_names_lists_with_and_or_with_more():
    assert formatting.join_names(["查阅", "预约", "申办"]) == "查阅、预约和申办"
    assert formatting.join_names(["查阅"]) == "查阅"
    assert formatting.join_names(["粤省事", "微信公众号"], more=True) == "粤省事、微信公众号等"
