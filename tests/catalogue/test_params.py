"""Form fields that refuse a value which is not an id before looking it up (catalogue.params)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from catalogue.models import Department
from catalogue.params import IdModelChoiceField

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["1.5", "1e3", "-1", "٣", "1; DROP TABLE"])
def test_a_value_that_is_not_an_id_is_refused_as_an_invalid_choice_without_a_query(
    value, department, django_assert_num_queries
):
    field = IdModelChoiceField(queryset=Department.objects.all())

    with (
        translation.override("zh-hans"),
        django_assert_num_queries(0),
        pytest.raises(ValidationError) as refused,
    ):
        field.clean(value)

    assert refused.value.code == "invalid_choice"
    assert "选择一个有效的选项" in refused.value.messages[0]
    assert field.clean(str(department.pk)) == department
