import pytest

from tests.catalogue.importing_support import DEPARTMENT, OTHER_DEPARTMENT, SECTOR
from tests.factories import DepartmentFactory, SectorFactory


@pytest.fixture
def department(db):
    return DepartmentFactory(name="住房和建设局")


@pytest.fixture
def sector(db):
    return SectorFactory(name="住房和城乡建设")


@pytest.fixture
def import_references(db):
    """The department and sector of `valid_row`, another department, and the seeded channels."""
    return {
        "department": DepartmentFactory(name=DEPARTMENT, short_name="住房和建设局"),
        "other_department": DepartmentFactory(name=OTHER_DEPARTMENT, short_name="民政局"),
        "sector": SectorFactory(name=SECTOR),
    }
