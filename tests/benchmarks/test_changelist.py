import pytest

from benchmarks.changelist import REGIONS, catalogue_build, region_department_name
from catalogue.models import Department, ServiceItem

pytestmark = pytest.mark.django_db


def test_catalogue_build_copies_the_demo_into_regions_up_to_the_size():
    catalogue_build(items=1_500, log=lambda text: None)

    assert ServiceItem.objects.count() == 1_500
    assert Department.objects.count() == 31 * REGIONS
    copy = ServiceItem.objects.filter(code__startswith="R0001").order_by("pk").first()
    demo = ServiceItem.objects.get(code=copy.code.removeprefix("R0001"))
    assert copy.name == demo.name
    assert copy.department.name == region_department_name(1, demo.department.name)
    assert copy.tiers == demo.tiers and copy.item_type == demo.item_type
