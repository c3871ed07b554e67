"""The item list at province scale (catalogue.admin_changelist): facet counts, pages fetched by
id from the nearer end, sorting by column then id, and the search for fragments."""

import re
from collections import Counter

import factory
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField
from django.urls import reverse

from catalogue.admin_changelist import IdPagePaginator, column_value_counts
from catalogue.choices import HandlingType, ItemStatus, Tier
from catalogue.models import (
    Department,
    ImportBatch,
    MainItem,
    MobileChannel,
    Sector,
    ServiceItem,
)
from catalogue.services.facet_counts import item_facet_counts_kept
from catalogue.services.importing import items_import
from demo.services import demo_catalogue_load
from tests.catalogue.importing_support import valid_row
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:catalogue_serviceitem_changelist")


@pytest.fixture(autouse=True)
def _content_types_cached(db):
    """The admin looks up content types once per process; counts below leave that out."""
    ContentType.objects.get_for_models(
        Department, Sector, MobileChannel, MainItem, ServiceItem, for_concrete_models=False
    )


def shown_codes(response):
    return [item.code for item in response.context["cl"].result_list]


def facet_counts(response, title):
    """{choice: count} of the filter titled `title`, as the page shows them ("市级 (449)")."""
    spec = next(s for s in response.context["cl"].filter_specs if str(s.title) == title)
    choices = spec.choices(response.context["cl"])
    counts = {}
    for choice in choices:
        match = re.fullmatch(r"(.*) \((\d+)\)", str(choice["display"]))
        if match:
            counts[match[1]] = int(match[2])
    return counts


# --- facets ------------------------------------------------------------------------------------


def test_tier_facets_count_the_items_of_each_tier_on_the_demo_catalogue(admin_client):
    demo_catalogue_load()

    response = admin_client.get(CHANGELIST, {"_facets": "1"})

    expected = {
        str(tier.label): ServiceItem.objects.filter(tiers__has=tier).count() for tier in Tier
    }
    assert facet_counts(response, "行使层级") == expected
    # Not every tier counted as the whole catalogue (the bug: an int compared with strings).
    assert len(set(expected.values())) > 1


def test_tier_facets_count_within_the_other_filters(admin_client, refs):
    ServiceItemFactory(department=refs.department, sector=refs.sector, tiers=Tier.CITY)
    ServiceItemFactory(department=refs.department, sector=refs.sector, tiers=Tier.COUNTY)
    ServiceItemFactory(
        department=refs.other_department, sector=refs.sector, tiers=Tier.CITY | Tier.COUNTY
    )

    response = admin_client.get(
        CHANGELIST,
        {"_facets": "1", "department__id__exact": refs.department.pk, "tier": Tier.CITY},
    )

    # The tier filter's counts leave out its own choice, not the department's.
    assert facet_counts(response, "行使层级")["市级"] == 1
    assert facet_counts(response, "行使层级")["县级（区）"] == 1
    # The department filter's counts leave out the department, not the tier.
    departments = facet_counts(response, "实施主体")
    assert departments[refs.department.name] == 1
    assert departments[refs.other_department.name] == 1
    assert shown_codes(response) == [ServiceItem.objects.get(tiers=Tier.CITY).code]


def test_the_import_batch_filter_counts_the_batchs_items_within_the_other_filters(
    admin_client, refs
):
    items_import(rows=[valid_row(实施编码="B-1"), valid_row(实施编码="B-2", 事项状态="暂停")])
    ServiceItemFactory(department=refs.department, sector=refs.sector)  # in no batch
    batch = ImportBatch.objects.get()

    response = admin_client.get(
        CHANGELIST, {"_facets": "1", "import_batch": batch.pk, "status__exact": "active"}
    )

    assert shown_codes(response) == ["B-1"]
    # Counted without its own choice, within the status filter: B-1 alone.
    assert facet_counts(response, "导入批次") == {str(batch): 1}
    assert facet_counts(response, "事项状态")["在用"] == 1
    assert facet_counts(response, "事项状态")["暂停"] == 1


@pytest.mark.parametrize("count", [3, 60])
def test_facets_run_a_fixed_number_of_queries_whatever_the_count(
    admin_client, refs, django_assert_num_queries, count
):
    ServiceItemFactory.create_batch(count, department=refs.department, sector=refs.sector)

    # 1 session, 2 user, 3 count, 4 the page, 5 departments and 6 sectors of the filters,
    # 7 one conditional aggregate for every filter with fixed choices, 8 items per department
    # and 9 per sector (grouped).
    with django_assert_num_queries(9):
        response = admin_client.get(CHANGELIST, {"_facets": "1"})

    assert facet_counts(response, "事项状态")["在用"] == count


def test_facets_of_a_used_filter_cost_a_fixed_number_of_queries_more(
    admin_client, refs, django_assert_num_queries
):
    ServiceItemFactory(department=refs.department, sector=refs.sector)

    # As above, and for the used department filter its counts without the department: on
    # PostgreSQL the kept counts per department (one query); on SQLite the list without the
    # department, whose filters read the departments and sectors again, then its items per
    # department (three).
    expected = 9 if item_facet_counts_kept() else 11
    with django_assert_num_queries(expected):
        admin_client.get(CHANGELIST, {"_facets": "1", "department__id__exact": refs.department.pk})


def test_column_value_counts_sums_grouped_rows_per_column():
    rows = [("a", 1, 3), ("a", 2, 4), ("b", 1, 5, "ignored")]

    counts = column_value_counts(rows, ["letter", "number"])

    assert counts == {"letter": {"a": 7, "b": 5}, "number": {1: 8, 2: 4}}
    assert column_value_counts([], ["letter"]) == {"letter": {}}


# Every filter with counts: its title, and the items' field it counts by.
FACET_FIELDS = {
    "实施主体": "department",
    "所属行业": "sector",
    "事项类型": "item_type",
    "办件类型": "handling_type",
    "权力来源": "power_source",
    "是否进驻大厅": "in_hall",
    "是否一窗办理": "one_window",
    "是否综合窗口受理": "comprehensive_window",
    "是否网办": "is_online",
    "是否指尖办": "is_mobile",
    "是否秒批": "instant_approval",
    "事项状态": "status",
}
# A filter's own parameters (its counts leave its own choice out).
FILTER_PARAMETERS = {
    "department": "department__id__exact",
    "status": "status__exact",
    "is_online": "is_online__exact",
    "item_type": "item_type__exact",
}


def expected_facet_counts(items, field):
    """{label: count} of one filter as the database counts `items`."""
    model_field = ServiceItem._meta.get_field(field)
    counts = Counter(items.values_list(model_field.attname, flat=True))
    if model_field.is_relation:
        names = dict(model_field.related_model.objects.values_list("pk", "name"))
        return {names[pk]: counts[pk] for pk in names}
    if isinstance(model_field, BooleanField):
        return {"是": counts[True], "否": counts[False]}
    return {str(label): counts[value] for value, label in model_field.choices}


@pytest.mark.parametrize(
    "parameters",
    [
        pytest.param({}, id="whole-catalogue"),
        pytest.param({"department": None}, id="one-department"),
        pytest.param({"status": "active", "is_online": "1"}, id="status-and-online"),
        pytest.param({"item_type": "licensing", "tier": str(Tier.TOWNSHIP)}, id="type-and-tier"),
        pytest.param({"q": "许可"}, id="search"),
        pytest.param({"q": "许可", "department": None}, id="search-and-department"),
    ],
)
def test_every_facet_counts_what_the_database_counts_on_the_demo_catalogue(
    admin_client, parameters
):
    demo_catalogue_load()
    department = ServiceItem.objects.values_list("department", flat=True).order_by("code")[0]
    query = {"_facets": "1"}
    for name, value in parameters.items():
        query[FILTER_PARAMETERS.get(name, name)] = department if value is None else value

    response = admin_client.get(CHANGELIST, query)

    assert response.status_code == 200
    listed = ServiceItem.objects.matching(parameters["q"]) if "q" in parameters else None
    for title, field in FACET_FIELDS.items():
        # The list filtered by every parameter but this filter's own.
        items = ServiceItem.objects.all() if listed is None else listed
        for name, value in query.items():
            if name not in {"_facets", "q", "tier"} and not name.startswith(f"{field}__"):
                items = items.filter(**{name: value})
        if "tier" in query:
            items = items.with_tier(int(query["tier"]))
        assert facet_counts(response, title) == expected_facet_counts(items, field), title
    tiers_within = ServiceItem.objects.all() if listed is None else listed
    for name, value in query.items():
        if name not in {"_facets", "q", "tier"}:
            tiers_within = tiers_within.filter(**{name: value})
    assert facet_counts(response, "行使层级") == {
        str(tier.label): tiers_within.with_tier(tier).count() for tier in Tier
    }


def test_a_department_clerk_s_facets_count_only_the_items_of_their_department(
    client, dept_staff, refs
):
    ServiceItemFactory.create_batch(2, department=refs.department, sector=refs.sector)
    ServiceItemFactory.create_batch(
        3, department=refs.other_department, sector=refs.sector, status=ItemStatus.SUSPENDED
    )
    client.force_login(dept_staff)

    response = client.get(CHANGELIST, {"_facets": "1"})

    assert facet_counts(response, "事项状态") == {"在用": 2, "暂停": 0, "取消": 0}
    assert facet_counts(response, "所属行业")[refs.sector.name] == 2


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def many_items(refs):
    codes = [f"P{number:04d}" for number in range(120)]
    # Inserted in one statement, out of code order.
    ServiceItem.objects.bulk_create(
        ServiceItemFactory.build_batch(
            120,
            code=factory.Iterator(reversed(codes)),
            department=refs.department,
            sector=refs.sector,
        )
    )
    return codes


@pytest.mark.parametrize(
    ("page", "first", "last"), [(1, 0, 50), (2, 50, 100), (3, 100, 120)], ids=str
)
def test_item_list_pages_run_in_code_order(
    admin_client, many_items, django_assert_num_queries, page, first, last
):
    # 1 session, 2 user, 3 count, 4 the page, 5 departments and 6 sectors of the filters.
    with django_assert_num_queries(6):
        response = admin_client.get(CHANGELIST, {"p": page})

    assert shown_codes(response) == many_items[first:last]
    assert response.context["cl"].result_count == 120


def test_item_list_counts_once_and_not_the_whole_catalogue(admin_client, many_items):
    response = admin_client.get(CHANGELIST, {"q": "P00"})

    assert response.context["cl"].result_count == 100
    assert response.context["cl"].full_result_count is None


@pytest.mark.parametrize(
    ("order", "field", "reverse"),
    [
        ("2", "name", False),
        ("-2", "name", True),
        ("4", "handling_type", False),
        ("-4", "handling_type", True),
        ("5", "tiers", False),
        ("-5", "tiers", True),
        ("7", "status", False),
        ("-7", "status", True),
    ],
)
def test_item_list_sorts_by_the_column_then_the_id_in_the_same_direction(
    admin_client, refs, order, field, reverse
):
    for number, (handling, tiers, status) in enumerate(
        [
            (HandlingType.PROMISED, Tier.CITY, ItemStatus.ACTIVE),
            (HandlingType.PROMISED, Tier.COUNTY, ItemStatus.SUSPENDED),
            (HandlingType.IMMEDIATE, Tier.CITY, ItemStatus.ACTIVE),
            (HandlingType.PROMISED, Tier.CITY, ItemStatus.SUSPENDED),
        ]
    ):
        ServiceItemFactory(
            department=refs.department,
            sector=refs.sector,
            name=f"事项{number % 2}",
            handling_type=handling,
            promised_limit=0 if handling == HandlingType.IMMEDIATE else 5,
            tiers=tiers,
            status=status,
        )
    # Many pages (some ids appear on more than one page otherwise), the last one read backwards.
    expected = sorted(ServiceItem.objects.values_list(field, "pk", "code"), key=lambda row: row[:2])
    if reverse:
        expected.reverse()

    response = admin_client.get(CHANGELIST, {"o": order})

    assert shown_codes(response) == [code for _value, _pk, code in expected]


def test_item_list_offers_sorting_only_by_indexed_columns(admin_client, refs):
    ServiceItemFactory(department=refs.department, sector=refs.sector)

    response = admin_client.get(CHANGELIST)

    html = response.content.decode()
    sortable = re.findall(r'<th scope="col" class="sortable[^"]*column-([a-z_]+)', html)
    assert sortable == ["code", "name", "handling_type", "tier_combination", "status"]


# --- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        pytest.param("许可", {"A", "C"}, id="two-chinese-characters"),
        pytest.param("施工许可证", {"A"}, id="longer-fragment"),
        pytest.param("证核", {"A"}, id="fragment-across-words"),
        pytest.param("11440300ZZ", {"C"}, id="code-prefix"),
        pytest.param("11440300zz", {"C"}, id="code-prefix-letters-in-either-case"),
        pytest.param("ZZ0103", set(), id="code-middle-is-not-a-prefix"),
        pytest.param("icp", {"B"}, id="name-letters-in-either-case"),
        pytest.param("许可 消防", {"C"}, id="every-word"),
        pytest.param('"ICP 备案"', {"B"}, id="quoted-words-as-one"),
        pytest.param("不存在", set(), id="nothing"),
    ],
)
def test_item_search_finds_a_fragment_of_the_name_or_a_code_prefix(
    admin_client, refs, django_assert_num_queries, term, expected
):
    items = {
        "A": ServiceItemFactory(code="11440300AA0001", name="建设工程施工许可证核发"),
        "B": ServiceItemFactory(code="11440300BB0002", name="ICP 备案"),
        "C": ServiceItemFactory(code="11440300ZZ0103", name="消防许可"),
    }

    # 1 session, 2 user, 3 count, 4 the page, 5 departments and 6 sectors of the filters.
    with django_assert_num_queries(6):
        response = admin_client.get(CHANGELIST, {"q": term})

    assert set(shown_codes(response)) == {items[key].code for key in expected}


# --- counts ------------------------------------------------------------------------------------


@pytest.fixture
def count_limit_of_five(monkeypatch):
    monkeypatch.setattr(IdPagePaginator, "count_limit", 5)


def test_a_filtered_list_is_counted_up_to_the_limit_and_says_so(
    admin_client, refs, count_limit_of_five
):
    ServiceItemFactory.create_batch(8, department=refs.department, sector=refs.sector)

    response = admin_client.get(CHANGELIST, {"q": "测试事项"})

    assert response.context["cl"].result_count == 5
    html = response.content.decode()
    assert "超过 5 个事项，只列出前 5 个；请用筛选或更长的搜索词缩小范围" in html
    # "Select all 5" would act on all 8: not offered.
    assert 'class="question hidden"' not in html


def test_the_whole_list_is_counted_exactly_whatever_the_limit(
    admin_client, refs, count_limit_of_five
):
    ServiceItemFactory.create_batch(8, department=refs.department, sector=refs.sector)

    response = admin_client.get(CHANGELIST)

    assert response.context["cl"].result_count == 8
    assert "超过" not in response.content.decode()
