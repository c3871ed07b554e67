import random

import pytest

from catalogue.importing.columns import COLUMNS
from catalogue.models import ServiceItem
from catalogue.rules import item_rule_errors
from demo.synthetic import (
    REPORT_MIX,
    VARIED_MIX,
    SyntheticReference,
    import_row,
    synthetic_import_rows,
    synthetic_item_fields,
    valid_import_row,
    valid_item_fields,
)
from tests.factories import DepartmentFactory, SectorFactory

REFERENCE = SyntheticReference(
    departments=[1, 2, 3],
    sectors=[10, 11],
    main_items={1: [100, 101], 2: [200]},
    channels=[7, 8, 9, 10],
)


def _rule_values(fields, channels):
    values = {key: value for key, value in fields.items() if key not in ("department", "main_item")}
    return {**values, "mobile_channels": channels}


@pytest.mark.parametrize("mix", [REPORT_MIX, VARIED_MIX], ids=["report", "varied"])
def test_synthetic_items_break_no_consistency_rule(mix):
    rng = random.Random(1)
    for number in range(500):
        fields, channels = synthetic_item_fields(rng, REFERENCE, mix)
        assert item_rule_errors(_rule_values(fields, channels)) == {}, number


@pytest.mark.parametrize("mix", [REPORT_MIX, VARIED_MIX], ids=["report", "varied"])
def test_synthetic_items_take_their_rows_from_the_reference(mix):
    rng = random.Random(2)
    for _ in range(300):
        fields, channels = synthetic_item_fields(rng, REFERENCE, mix)
        assert fields["department"] in REFERENCE.departments
        assert fields["sector"] in REFERENCE.sectors
        main_items = REFERENCE.main_items.get(fields["department"], [])
        assert fields["main_item"] is None or fields["main_item"] in main_items
        assert set(channels) <= set(REFERENCE.channels)
        assert bool(channels) == fields["is_mobile"]


def test_varied_mix_reaches_every_edge_the_report_tests_need():
    rng = random.Random(4)
    drawn = [synthetic_item_fields(rng, REFERENCE, VARIED_MIX)[0] for _ in range(400)]

    assert {item["legal_limit"] for item in drawn} >= {None, 0, 1, 2, 10, 11, 30, 31}
    assert {item["status"] for item in drawn} == set(VARIED_MIX.statuses)
    assert max(item["onsite_visits"] for item in drawn) == 4


def test_the_same_seed_gives_the_same_items():
    first = [synthetic_item_fields(random.Random(5), REFERENCE) for _ in range(3)]
    second = [synthetic_item_fields(random.Random(5), REFERENCE) for _ in range(3)]

    assert first == second


@pytest.mark.django_db
def test_valid_item_fields_make_an_item_that_passes_full_clean():
    item = ServiceItem(
        code="11440300MB2C0000000000000000009",
        name="测试事项",
        department=DepartmentFactory(),
        sector=SectorFactory(),
        **valid_item_fields(),
    )

    item.full_clean()
    assert item_rule_errors({**item.rule_values(), "mobile_channels": []}) == {}


def test_import_rows_have_every_column_header_in_order():
    row = valid_import_row(department="某局", sector="某行业")

    assert list(row) == [column.header for column in COLUMNS]
    assert list(import_row({})) == [column.header for column in COLUMNS]
    assert set(import_row({}).values()) == {""}


def test_valid_import_row_puts_department_sector_and_overrides_under_their_headers():
    headers = {column.field: column.header for column in COLUMNS}

    row = valid_import_row(department="某局", sector="某行业", name="另一个事项")

    assert row[headers["department"]] == "某局"
    assert row[headers["sector"]] == "某行业"
    assert row[headers["name"]] == "另一个事项"


def test_synthetic_import_rows_have_unique_codes_and_name_their_references():
    headers = {column.field: column.header for column in COLUMNS}

    rows = list(synthetic_import_rows(50, departments=4, sectors=3, main_items_per_department=5))

    assert len({row[headers["code"]] for row in rows}) == 50
    assert {row[headers["department"]] for row in rows} == {
        f"深圳市光明区合成局{n:02d}" for n in range(4)
    }
    assert {row[headers["sector"]] for row in rows} == {f"合成行业{n:02d}" for n in range(3)}
