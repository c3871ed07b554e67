import pytest

from tests.factories import DepartmentFactory, SectorFactory


@pytest.fixture
def department(db):
    return DepartmentFactory(name="住房和建设局")


@pytest.fixture
def sector(db):
    return SectorFactory(name="住房和城乡建设")
