"""How the report writes numbers and lists."""

import pytest

from reports import formatting


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(641, 681, 94.1), (1, 8, 12.5), (1, 16, 6.3), (2, 3, 66.7), (5, 0, 0.0)],
)
def test_percent_rounds_half_up_to_one_decimal_and_is_zero_of_nothing(part, whole, expected):
    assert formatting.percent(part, whole) == expected


def test_format_percent_always_writes_the_one_decimal():
    assert [formatting.format_percent(v) for v in (94.0, 26.9, 0.0, 7.0)] == [
        "94.0%",
        "26.9%",
        "0.0%",
        "7.0%",
    ]


def test_a_sentence_and_a_table_write_a_share_the_same_way():
    # Two of 681 items: the "占比0%" beside a table's 0.3%.
    assert formatting.percent_text(2, 681) == formatting.format_percent(formatting.percent(2, 681))
    assert formatting.percent_text(2, 681) == "0.3%"


def test_average_is_rounded_to_one_decimal_and_zero_of_nothing():
    assert formatting.average(17596, 681) == 25.8
    assert formatting.average(10, 0) == 0.0


def test_join_names_lists_with_and_or_with_more():
    assert formatting.join_names(["查阅", "预约", "申办"]) == "查阅、预约和申办"
    assert formatting.join_names(["查阅"]) == "查阅"
    assert formatting.join_names(["粤省事", "微信公众号"], more=True) == "粤省事、微信公众号等"
