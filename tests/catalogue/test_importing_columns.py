import pytest
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

from catalogue.importing.columns import COLUMN_BY_FIELD, COLUMNS, HEADERS, Kind
from catalogue.importing.values import CellProblem
from catalogue.models import ServiceItem


def _model_field(column):
    return ServiceItem._meta.get_field(column.field)


@pytest.mark.parametrize("column", COLUMNS, ids=lambda column: column.field)
def test_every_column_has_the_limits_of_its_model_field(column):
    field = _model_field(column)

    if field.is_relation:
        assert column.max_length == field.related_model._meta.get_field("name").max_length
    else:
        assert column.max_length == field.max_length
    if column.kind == Kind.NUMBER:
        # The strictest of the field's validators and of its column type's range on PostgreSQL
        # (SQLite takes any 64-bit integer; the contract stays the same on every database).
        low, high = PostgresOperations.integer_field_ranges[field.get_internal_type()]
        validators = field.validators
        assert column.minimum == max(
            [low, *(v.limit_value for v in validators if isinstance(v, MinValueValidator))]
        )
        assert column.maximum == min(
            [high, *(v.limit_value for v in validators if isinstance(v, MaxValueValidator))]
        )
        for value in (column.minimum, column.maximum):
            field.clean(value, None)
            assert column.parse(value) == value
        for value in (column.minimum - 1, column.maximum + 1):
            with pytest.raises(CellProblem):
                column.parse(value)
        assert column.parse("") == column.default == field.get_default()
    if column.kind == Kind.CHOICE:
        assert list(column.choices.choices) == list(field.choices)
    if column.kind == Kind.FLAGS:
        assert column.choices is field.flags


def test_a_code_column_checks_the_pattern_of_its_model_field():
    column = COLUMN_BY_FIELD["basic_code"]
    field = _model_field(column)
    (validator,) = [v for v in field.validators if hasattr(v, "regex")]

    assert column.pattern is validator.regex
    assert COLUMN_BY_FIELD["code"].pattern is None


def test_the_explanations_state_the_limits_of_the_model():
    assert "36" in str(COLUMN_BY_FIELD["code"].allowed)
    assert str(_model_field(COLUMN_BY_FIELD["name"]).max_length) in str(
        COLUMN_BY_FIELD["name"].allowed
    )
    assert str(COLUMN_BY_FIELD["onsite_visits"].allowed).startswith("0 到 20 的整数，不填为 0")


def test_columns_keep_their_header_and_field_in_the_contract_order():
    assert HEADERS[:3] == ("实施编码", "事项名称", "基本编码")
    assert len(HEADERS) == len(set(HEADERS)) == len(COLUMNS)
    assert {column.field for column in COLUMNS} <= {
        field.name for field in ServiceItem._meta.get_fields()
    }
