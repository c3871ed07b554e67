from types import SimpleNamespace

import pytest

from tests.factories import (
    DepartmentFactory,
    MainItemFactory,
    MobileChannelFactory,
    SectorFactory,
)


@pytest.fixture
def department(db):
    return DepartmentFactory(name="住房和建设局")


@pytest.fixture
def sector(db):
    return SectorFactory(name="住房和城乡建设")


@pytest.fixture
def refs(db):
    """Rows an item points to: two departments with a main item each, sectors, a channel."""
    department = DepartmentFactory(name="深圳市光明区住房和建设局", short_name="住房和建设局")
    other_department = DepartmentFactory(name="深圳市光明区民政局", short_name="民政局")
    return SimpleNamespace(
        department=department,
        other_department=other_department,
        sector=SectorFactory(name="住房和城乡建设"),
        other_sector=SectorFactory(name="民政"),
        main_item=MainItemFactory(department=department, name="建设工程施工许可"),
        other_main_item=MainItemFactory(department=other_department, name="社会团体登记"),
        # Seeded by migration 0002, gone after a transactional test's flush: get or create.
        channel=MobileChannelFactory(name="粤省事"),
    )
