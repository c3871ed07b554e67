import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count

from catalogue import models
from catalogue.choices import ALL_TIERS_MASK, ItemStatus, Tier, tier_span_label
from catalogue.models import Department, MainItem, MobileChannel, ServiceItem
from catalogue.rules import CONSTRAINED_RULES
from reports.models import IssuedReport, IssuedReportDocument
from tests.catalogue.rule_cases import RULE_CASES, resolve
from tests.factories import DepartmentFactory, MainItemFactory, SectorFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db

CONSTRAINED_CASES = [
    pytest.param(case, id=case.rule)
    for case in RULE_CASES
    if case.rule in {rule.name for rule in CONSTRAINED_RULES}
]


def test_every_constrained_rule_has_a_case():
    assert len(CONSTRAINED_CASES) == len(CONSTRAINED_RULES)


@pytest.mark.parametrize("case", CONSTRAINED_CASES)
def test_database_rejects_update_breaking_a_rule(case, refs):
    item = ServiceItemFactory(department=refs.department, sector=refs.sector)

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        ServiceItem.objects.filter(pk=item.pk).update(**resolve(case.rejected, refs))

    assert case.rule in str(error.value)


@pytest.mark.parametrize("case", CONSTRAINED_CASES)
def test_database_rejects_bulk_create_breaking_a_rule(case, refs):
    item = ServiceItemFactory.build(
        department=refs.department, sector=refs.sector, **resolve(case.rejected, refs)
    )

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        ServiceItem.objects.bulk_create([item])

    assert case.rule in str(error.value)
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize("case", CONSTRAINED_CASES)
def test_database_accepts_update_keeping_a_rule(case, refs):
    item = ServiceItemFactory(department=refs.department, sector=refs.sector)

    ServiceItem.objects.filter(pk=item.pk).update(**resolve(case.accepted, refs))

    assert ServiceItem.objects.filter(pk=item.pk, **resolve(case.accepted, refs)).exists()


def test_database_rejects_a_tier_bit_out_of_range(refs):
    item = ServiceItemFactory(department=refs.department, sector=refs.sector)

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        ServiceItem.objects.filter(pk=item.pk).update(tiers=ALL_TIERS_MASK + 1)

    assert "item_tiers_not_empty" in str(error.value)


def test_tier_combinations_are_grouped_by_the_tier_set_through_its_index(refs):
    for tiers in (Tier.COUNTY, Tier.CITY | Tier.COUNTY, Tier.CITY | Tier.COUNTY):
        ServiceItemFactory(department=refs.department, sector=refs.sector, tiers=tiers)

    grouped = ServiceItem.objects.order_by().values_list("tiers").annotate(n=Count("pk"))

    assert {tier_span_label(tiers): n for tiers, n in grouped} == {"区本级": 1, "市区两级": 2}
    assert ["tiers", "status"] in [index.fields for index in ServiceItem._meta.indexes]
    assert "tier_span" not in {field.name for field in ServiceItem._meta.get_fields()}


def test_department_credit_code_is_unique_in_the_database():
    DepartmentFactory(name="深圳市光明区民政局", credit_code="91350100M000100Y43")

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Department.objects.bulk_create(
            [Department(name="深圳市光明区财政局", credit_code="91350100M000100Y43")]
        )

    # PostgreSQL names the constraint, SQLite the column: both contain "credit_code".
    assert "credit_code" in str(error.value)


def test_departments_without_credit_code_may_be_many():
    Department.objects.bulk_create(
        [Department(name="深圳市光明区民政局"), Department(name="深圳市光明区财政局")]
    )

    assert Department.objects.filter(credit_code="").count() == 2


def test_department_validation_names_a_credit_code_already_used():
    DepartmentFactory(name="深圳市光明区民政局", credit_code="91350100M000100Y43")
    department = Department(name="深圳市光明区财政局", credit_code="91350100M000100Y43")

    with pytest.raises(ValidationError) as error:
        department.full_clean()

    assert error.value.messages == ["统一社会信用代码：已被其他实施主体使用。"]


def test_department_validation_checks_the_credit_code_checksum():
    department = Department(name="深圳市光明区财政局", credit_code="91350100M000100Y44")

    with pytest.raises(ValidationError) as error:
        department.full_clean()

    assert error.value.message_dict == {"credit_code": ["统一社会信用代码：校验位不正确，请核对。"]}


def test_main_item_name_is_unique_within_a_department_only(refs):
    MainItemFactory(department=refs.other_department, name=refs.main_item.name)
    duplicate = MainItem(department=refs.department, name=refs.main_item.name)

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert error.value.messages == ["主项名称：同一实施主体下已有同名主项。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        MainItem.objects.bulk_create([duplicate])


def test_in_use_keeps_active_items_only(refs):
    active = ServiceItemFactory(status=ItemStatus.ACTIVE)
    ServiceItemFactory(status=ItemStatus.SUSPENDED)
    ServiceItemFactory(status=ItemStatus.CANCELLED)

    assert list(ServiceItem.objects.in_use()) == [active]


def test_with_related_reads_department_sector_and_main_item_in_one_query(
    refs, django_assert_num_queries
):
    ServiceItemFactory.create_batch(
        3, department=refs.department, sector=refs.sector, main_item=refs.main_item
    )

    # 1: SELECT the items joined to department, sector and main item.
    with django_assert_num_queries(1):
        names = [
            (item.department.name, item.sector.name, item.main_item.name)
            for item in ServiceItem.objects.with_related()
        ]

    assert names == [("深圳市光明区住房和建设局", "住房和城乡建设", "建设工程施工许可")] * 3


def test_str_of_each_model(refs):
    item = ServiceItemFactory(code="11440300MB2C0000000001", name="居民身份证办理")

    assert str(item) == "11440300MB2C0000000001 居民身份证办理"
    assert str(refs.department) == "深圳市光明区住房和建设局"
    assert str(refs.sector) == "住房和城乡建设"
    assert str(refs.main_item) == "建设工程施工许可"
    assert str(refs.channel) == "粤省事"


def test_mobile_channels_are_seeded_in_order():
    assert list(MobileChannel.objects.values_list("name", flat=True)) == [
        "广东政务服务网APP",
        "粤省事",
        "微信公众号",
    ]


def test_clean_checks_the_rules_on_the_model_itself(refs):
    item = ServiceItemFactory.build(
        department=refs.department, sector=SectorFactory(), charges_fee=True, fee_basis=""
    )

    with pytest.raises(ValidationError) as error:
        item.clean()

    assert error.value.message_dict == {"fee_basis": ["收费依据：收费事项必须填写收费依据。"]}


@pytest.mark.django_db
def test_full_clean_reports_a_missing_required_number_instead_of_crashing():
    item = ServiceItemFactory.build(
        department=DepartmentFactory(), sector=SectorFactory(), promised_limit=None
    )

    with pytest.raises(ValidationError) as raised:
        item.full_clean()

    assert "promised_limit" in raised.value.message_dict


def test_import_and_export_records_are_named_by_their_file_in_the_admin():
    upload = models.ImportFile(pk=7, file_name="光明区事项.xlsx")

    assert str(upload) == "光明区事项.xlsx"
    assert str(models.ImportJob(upload=upload)) == "光明区事项.xlsx"
    assert str(models.KeptImportPlan(file_name="a.xlsx", token="t1")) == "a.xlsx (t1)"
    assert str(models.KeptUpload(file_name="b.xlsx", token="t2")) == "b.xlsx (t2)"
    assert str(models.ExportJob(file_name="实施清单.xlsx")) == "实施清单.xlsx"
    assert str(models.ImportColumnChoice(header="办结时限", field="")) == "办结时限 → -"
    assert str(IssuedReport(title="2026年度报告")) == "2026年度报告"
    assert str(IssuedReportDocument(file_name="2026年度报告.xlsx")) == "2026年度报告.xlsx"
