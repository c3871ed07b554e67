import factory
from factory.django import DjangoModelFactory

from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem
from demo.synthetic import valid_item_fields


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试局{n}")


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试行业{n}")


class MobileChannelFactory(DjangoModelFactory):
    class Meta:
        model = MobileChannel
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试渠道{n}")


class MainItemFactory(DjangoModelFactory):
    class Meta:
        model = MainItem

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"测试主项{n}")


class ServiceItemFactory(DjangoModelFactory):
    """A valid 承诺件 handled fully online; override fields to build other cases."""

    class Meta:
        model = ServiceItem
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"11440300MB2C{n:019d}")
    name = factory.Sequence(lambda n: f"测试事项{n}")
    department = factory.SubFactory(DepartmentFactory)
    sector = factory.SubFactory(SectorFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # The valid item of demo.synthetic, under whatever the test gives.
        return valid_item_fields(**kwargs)

    @factory.post_generation
    def mobile_channels(self, create, extracted, **kwargs):
        if create and extracted:
            self.mobile_channels.set(extracted)


class UserFactory(DjangoModelFactory):
    """A staff user (may sign in to the admin) with no group; give roles with `groups`."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("not-a-real-password-1")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(extracted)
