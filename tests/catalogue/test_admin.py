import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.urls import reverse
from django.utils import translation

from catalogue import admin as admin_module
from catalogue.choices import (
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    PowerSource,
    Tier,
    tier_span_label,
)
from catalogue.models import Department, ImportBatch, MainItem, MobileChannel, Sector, ServiceItem
from catalogue.services.importing import items_import
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.catalogue.rule_cases import resolve, rule_case_params, valid_item_values
from tests.factories import MainItemFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:catalogue_serviceitem_changelist")
ADD = reverse("admin:catalogue_serviceitem_add")
AUTOCOMPLETE = reverse("admin:autocomplete")
FLAG_FIELDS = {"tiers": Tier, "mobile_services": MobileService}


@pytest.fixture(autouse=True)
def _content_types_cached(db):
    """The admin looks up content types once per process; counts below leave that out."""
    ContentType.objects.get_for_models(
        Department, Sector, MobileChannel, MainItem, ServiceItem, for_concrete_models=False
    )


def item_post_data(values: dict) -> dict:
    """The admin form's POST data for the keyword arguments of `service_item_create`."""
    data = {"_save": "保存"}
    for name, value in values.items():
        if name in FLAG_FIELDS:
            data[name] = [str(flag) for flag in FLAG_FIELDS[name] if value & flag]
        elif name == "mobile_channels":
            data[name] = [str(channel.pk) for channel in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, Model):
            data[name] = str(value.pk)
        else:
            data[name] = "" if value is None else str(value)
    return data


def shown_codes(response):
    return {item.code for item in response.context["cl"].result_list}


def field_errors(response):
    return response.context["adminform"].form.errors


# --- item changelist ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 60])
def test_item_changelist_runs_a_fixed_number_of_queries_whatever_the_count(
    admin_client, refs, django_assert_num_queries, count
):
    ServiceItemFactory.create_batch(count, department=refs.department, sector=refs.sector)

    # 1 session, 2 user, 3 count of the filtered items (paginator, the only count), 4 the page
    # of items joined to their department, 5 departments and 6 sectors of the filters.
    with django_assert_num_queries(6):
        response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count
    assert len(response.context["cl"].result_list) == min(count, 50)


def test_item_changelist_shows_the_columns_in_chinese(admin_client, refs):
    ServiceItemFactory(department=refs.department, sector=refs.sector)

    response = admin_client.get(CHANGELIST)

    assert column_headers(response) == [
        "实施编码",
        "事项名称",
        "实施主体",
        "办件类型",
        "层级组合",
        "办理渠道",
        "事项状态",
    ]


def column_headers(response):
    html = response.content.decode()
    cells = re.findall(r'<th scope="col" class="[^"]*column-[^"]*">(.*?)</th>', html, re.S)
    # A sorted column's header holds its sort controls before the label's <div class="text">.
    labels = [re.search(r'<div class="text">(.*?)</div>', cell, re.S) for cell in cells]
    return [re.sub(r"<[^>]+>", "", label.group(1)).strip() for label in labels]


@pytest.fixture
def contrasting_items(refs):
    """Three items that differ in every filtered element."""
    return {
        "A": ServiceItemFactory(
            code="A-11440300",
            name="建设工程施工许可证核发",
            department=refs.department,
            sector=refs.sector,
            item_type=ItemType.LICENSING,
            handling_type=HandlingType.PROMISED,
            power_source=PowerSource.LOCAL_STATUTORY,
            tiers=Tier.CITY | Tier.COUNTY,
            in_hall=True,
            one_window=False,
            comprehensive_window=True,
            status=ItemStatus.ACTIVE,
        ),
        "B": ServiceItemFactory(
            code="B-11440300",
            name="最低生活保障待遇申请",
            department=refs.other_department,
            sector=refs.other_sector,
            item_type=ItemType.PUBLIC_SERVICE,
            handling_type=HandlingType.IMMEDIATE,
            promised_limit=0,
            power_source=PowerSource.ENTRUSTED_BY_SUPERIOR,
            entrusting_body="深圳市民政局",
            tiers=Tier.COUNTY,
            in_hall=False,
            one_window=True,
            comprehensive_window=False,
            is_mobile=True,
            mobile_services=MobileService.APPLICATION,
            instant_approval=True,
            status=ItemStatus.SUSPENDED,
        ),
        "C": ServiceItemFactory(
            code="C-11440300",
            name="建设工程消防验收",
            department=refs.department,
            sector=refs.other_sector,
            item_type=ItemType.PENALTY,
            power_source=PowerSource.DELEGATED_BY_SUPERIOR,
            tiers=Tier.PROVINCE | Tier.CITY | Tier.COUNTY,
            in_hall=False,
            comprehensive_window=False,
            is_online=False,
            online_depth=None,
            onsite_visits=1,
            onsite_reason="需现场查验",
            status=ItemStatus.CANCELLED,
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(lambda r: {"q": "A-11440300"}, {"A"}, id="search-by-code"),
        pytest.param(lambda r: {"q": "B-1144"}, {"B"}, id="search-by-code-prefix"),
        pytest.param(lambda r: {"q": "建设工程"}, {"A", "C"}, id="search-by-name"),
        pytest.param(lambda r: {"q": "最低生活保障"}, {"B"}, id="search-by-name-2"),
        pytest.param(lambda r: {"q": "不存在的事项"}, set(), id="search-finding-nothing"),
    ],
)
def test_item_changelist_searches_by_code_and_name(
    admin_client, refs, contrasting_items, django_assert_num_queries, params, expected
):
    # 1 session, 2 user, 3 count of the matching items, 4 the page, 5 departments and
    # 6 sectors of the filters.
    with django_assert_num_queries(6):
        response = admin_client.get(CHANGELIST, params(refs))

    assert shown_codes(response) == {contrasting_items[key].code for key in expected}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            lambda r: {"department__id__exact": r.department.pk}, {"A", "C"}, id="department"
        ),
        pytest.param(lambda r: {"sector__id__exact": r.other_sector.pk}, {"B", "C"}, id="sector"),
        pytest.param(
            lambda r: {"item_type__exact": ItemType.PUBLIC_SERVICE}, {"B"}, id="item-type"
        ),
        pytest.param(
            lambda r: {"handling_type__exact": HandlingType.IMMEDIATE}, {"B"}, id="handling-type"
        ),
        pytest.param(
            lambda r: {"power_source__exact": PowerSource.DELEGATED_BY_SUPERIOR},
            {"C"},
            id="power-source",
        ),
        pytest.param(lambda r: {"tier": Tier.PROVINCE}, {"C"}, id="tier-province"),
        pytest.param(lambda r: {"tier": Tier.CITY}, {"A", "C"}, id="tier-city"),
        pytest.param(lambda r: {"tier": Tier.COUNTY}, {"A", "B", "C"}, id="tier-county"),
        pytest.param(lambda r: {"tier": Tier.VILLAGE}, set(), id="tier-village"),
        pytest.param(lambda r: {"in_hall__exact": 1}, {"A"}, id="in-hall"),
        pytest.param(lambda r: {"in_hall__exact": 0}, {"B", "C"}, id="not-in-hall"),
        pytest.param(lambda r: {"one_window__exact": 1}, {"B"}, id="one-window"),
        pytest.param(
            lambda r: {"comprehensive_window__exact": 1}, {"A"}, id="comprehensive-window"
        ),
        pytest.param(lambda r: {"is_online__exact": 1}, {"A", "B"}, id="online"),
        pytest.param(lambda r: {"is_online__exact": 0}, {"C"}, id="not-online"),
        pytest.param(lambda r: {"is_mobile__exact": 1}, {"B"}, id="mobile"),
        pytest.param(lambda r: {"instant_approval__exact": 1}, {"B"}, id="instant-approval"),
        pytest.param(lambda r: {"status__exact": ItemStatus.ACTIVE}, {"A"}, id="status-active"),
        pytest.param(
            lambda r: {"status__exact": ItemStatus.CANCELLED}, {"C"}, id="status-cancelled"
        ),
        pytest.param(
            lambda r: {"department__id__exact": r.department.pk, "tier": Tier.PROVINCE},
            {"C"},
            id="department-and-tier",
        ),
    ],
)
def test_item_changelist_filters_show_the_right_items(
    admin_client, refs, contrasting_items, django_assert_num_queries, params, expected
):
    # 1 session, 2 user, 3 count of the filtered items, 4 the page, 5 departments and
    # 6 sectors of the filters.
    with django_assert_num_queries(6):
        response = admin_client.get(CHANGELIST, params(refs))

    assert response.status_code == 200
    assert "?e=1" not in response.get("Location", "")
    assert shown_codes(response) == {contrasting_items[key].code for key in expected}


def test_item_changelist_offers_every_filter_in_chinese(admin_client, refs, contrasting_items):
    response = admin_client.get(CHANGELIST)

    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert titles == [
        "统计日期",
        "实施主体",
        "所属行业",
        "事项类型",
        "办件类型",
        "权力来源",
        "行使层级",
        "是否进驻大厅",
        "是否一窗办理",
        "是否综合窗口受理",
        "是否网办",
        "是否指尖办",
        "是否秒批",
        "事项状态",
    ]
    assert "县级（区）" in response.content.decode()


# --- item add and change -----------------------------------------------------------------------


def test_item_add_page_shows_the_form_grouped_like_a_service_guide(
    admin_client, refs, django_assert_num_queries
):
    # 1 session, 2 user, 3 the mobile channels offered as checkboxes.
    with django_assert_num_queries(3):
        response = admin_client.get(ADD)

    assert response.status_code == 200
    fieldsets = [str(fieldset.name) for fieldset in response.context["adminform"]]
    assert fieldsets == ["基本信息", "审批信息", "办理渠道", "办理时限", "咨询监督", "记录"]
    html = response.content.decode()
    for tier in Tier:
        assert f'type="checkbox" name="tiers" value="{tier.value}"' in html
    assert 'type="checkbox" name="mobile_services" value="1"' in html
    assert f'type="checkbox" name="mobile_channels" value="{refs.channel.pk}"' in html
    assert "js/admin/main_item_autocomplete.js" in html


def test_item_add_saves_a_valid_item(admin_client, refs, django_assert_num_queries):
    values = valid_item_values(
        refs,
        main_item=refs.main_item,
        is_mobile=True,
        mobile_channels=[refs.channel],
        mobile_services=MobileService.LOOKUP | MobileService.APPLICATION,
    )

    # 1 session, 2 user, 3 savepoint, 4 department, 5 main item, 6 sector and 7 channels chosen
    # (form fields), 8 main item, 9 department and 10 sector exist and 11 is the code unique
    # (service_item_check, run once by the form), 12 savepoint of the save service, 13 insert
    # the item, 14 its history record, 15 close the item's earlier record (valid_until),
    # 16 its channels already set, 17 add the channels, 18 release, 19 log entry, 20 release
    # the savepoint.
    with django_assert_num_queries(20):
        response = admin_client.post(ADD, item_post_data(values))

    assert response.status_code == 302, field_errors(response)
    item = ServiceItem.objects.get(code=values["code"])
    assert (item.tiers, tier_span_label(item.tiers)) == (Tier.CITY | Tier.COUNTY, "市区两级")
    assert item.mobile_services == MobileService.LOOKUP | MobileService.APPLICATION
    assert list(item.mobile_channels.all()) == [refs.channel]
    assert item.main_item == refs.main_item


def _count_checks(monkeypatch):
    calls = []
    check = admin_module.service_item_check
    full_clean = ServiceItem.full_clean

    def counted_check(**kwargs):
        calls.append("check")
        return check(**kwargs)

    def counted_full_clean(self, *args, **kwargs):
        calls.append("full_clean")
        return full_clean(self, *args, **kwargs)

    monkeypatch.setattr(admin_module, "service_item_check", counted_check)
    monkeypatch.setattr(ServiceItem, "full_clean", counted_full_clean)
    return calls


def test_item_add_checks_the_item_once_through_the_service(admin_client, refs, monkeypatch):
    calls = _count_checks(monkeypatch)

    response = admin_client.post(ADD, item_post_data(valid_item_values(refs)))

    assert response.status_code == 302, field_errors(response)
    assert calls == ["check", "full_clean"]


def test_item_change_checks_the_item_once_through_the_service(admin_client, refs, monkeypatch):
    item = ServiceItemFactory(department=refs.department, sector=refs.sector)
    url = reverse("admin:catalogue_serviceitem_change", args=[item.pk])
    calls = _count_checks(monkeypatch)

    response = admin_client.post(url, item_post_data(valid_item_values(refs, code=item.code)))

    assert response.status_code == 302, field_errors(response)
    assert calls == ["check", "full_clean"]


def test_item_add_shows_a_field_error_once_when_the_form_already_refused_it(admin_client, refs):
    values = valid_item_values(refs)
    data = {**item_post_data(values), "name": ""}

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    assert list(field_errors(response)) == ["name"]
    assert len(field_errors(response)["name"]) == 1
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize("case", rule_case_params())
def test_item_add_accepts_an_item_keeping_the_rule(admin_client, refs, case):
    values = valid_item_values(refs, **resolve(case.accepted, refs))

    response = admin_client.post(ADD, item_post_data(values))

    assert response.status_code == 302, field_errors(response)
    assert ServiceItem.objects.filter(code=values["code"]).exists()


@pytest.mark.parametrize("case", rule_case_params())
def test_item_add_shows_the_rule_message_under_its_field(admin_client, refs, case):
    values = valid_item_values(refs, **resolve(case.rejected, refs))

    response = admin_client.post(ADD, item_post_data(values))

    assert response.status_code == 200
    assert field_errors(response) == {case.field: [case.message]}
    assert case.message in response.content.decode()
    assert not ServiceItem.objects.exists()


def test_item_change_page_shows_the_item(admin_client, refs, django_assert_num_queries):
    item = ServiceItemFactory(
        department=refs.department,
        sector=refs.sector,
        main_item=refs.main_item,
        is_mobile=True,
        mobile_channels=[refs.channel],
    )

    # 1 session, 2 user, 3 the item, 4 its channels (initial value), 5 the channels offered,
    # 6 department, 7 main item and 8 sector shown in their autocomplete boxes.
    with django_assert_num_queries(8):
        response = admin_client.get(reverse("admin:catalogue_serviceitem_change", args=[item.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "市区两级" in html
    assert f'<option value="{refs.main_item.pk}" selected>建设工程施工许可</option>' in html
    assert re.search(rf'name="mobile_channels" value="{refs.channel.pk}"[^>]*checked>', html)


def test_item_change_saves_the_change(admin_client, refs, django_assert_num_queries):
    item = ServiceItemFactory(department=refs.department, sector=refs.sector)
    values = valid_item_values(refs, code=item.code, tiers=Tier.PROVINCE | Tier.CITY | Tier.COUNTY)
    url = reverse("admin:catalogue_serviceitem_change", args=[item.pk])

    # 1 session, 2 user, 3 savepoint, 4 the item, 5 its channels (has the field changed?),
    # 6 department and 7 sector chosen (form fields), 8 department and 9 sector exist and 10 is
    # the code unique (service_item_check, run once by the form), 11 savepoint of the save service,
    # 12 update the item, 13 its history record, 14 close its earlier record (valid_until),
    # 15 its channels before setting them (none chosen: nothing to add), 16 release, 17 log
    # entry, 18 release the savepoint.
    with django_assert_num_queries(18):
        response = admin_client.post(url, item_post_data(values))

    assert response.status_code == 302, field_errors(response)
    assert tier_span_label(ServiceItem.objects.get(pk=item.pk).tiers) == "省市区三级"


def test_item_change_refuses_a_main_item_of_another_department(admin_client, refs):
    item = ServiceItemFactory(department=refs.department, sector=refs.sector)
    values = valid_item_values(refs, code=item.code, main_item=refs.other_main_item)

    response = admin_client.post(
        reverse("admin:catalogue_serviceitem_change", args=[item.pk]), item_post_data(values)
    )

    assert field_errors(response) == {"main_item": ["主项名称：主项必须属于同一实施主体。"]}
    assert ServiceItem.objects.get(pk=item.pk).main_item is None


def test_item_change_refuses_turning_mobile_off_while_channels_stay(admin_client, refs):
    item = ServiceItemFactory(
        department=refs.department,
        sector=refs.sector,
        is_mobile=True,
        mobile_channels=[refs.channel],
    )
    values = valid_item_values(
        refs, code=item.code, is_mobile=False, mobile_channels=[refs.channel]
    )

    response = admin_client.post(
        reverse("admin:catalogue_serviceitem_change", args=[item.pk]), item_post_data(values)
    )

    assert field_errors(response) == {
        "mobile_channels": ["指尖办渠道：只有可指尖办的事项才能选择指尖办渠道。"]
    }
    assert ServiceItem.objects.get(pk=item.pk).is_mobile


def test_item_add_shows_every_broken_rule_at_once(admin_client, refs):
    values = valid_item_values(
        refs, tiers=0, charges_fee=True, is_mobile=False, mobile_channels=[refs.channel]
    )

    response = admin_client.post(ADD, item_post_data(values))

    assert field_errors(response) == {
        "tiers": ["行使层级：请至少选择一个层级。"],
        "mobile_channels": ["指尖办渠道：只有可指尖办的事项才能选择指尖办渠道。"],
        "fee_basis": ["收费依据：收费事项必须填写收费依据。"],
    }


def test_item_add_refuses_a_code_already_used(admin_client, refs):
    item = ServiceItemFactory(department=refs.department, sector=refs.sector)

    response = admin_client.post(ADD, item_post_data(valid_item_values(refs, code=item.code)))

    assert field_errors(response) == {"code": ["实施编码：该编码已被其他事项使用。"]}


# --- reference data ----------------------------------------------------------------------------

# Changelists: 1 session, 2 user, 3 count of the page's rows, 4 count of all rows, 5 the page
# (sectors and channels with their editable forms, which query nothing more); main items also
# 6 the departments that have main items (RelatedOnlyFieldListFilter).
# Add pages: 1 session, 2 user (a main item's department autocomplete starts empty).
REFERENCE_PAGES = [
    pytest.param("admin:catalogue_department_changelist", 5, id="department-changelist"),
    pytest.param("admin:catalogue_sector_changelist", 5, id="sector-changelist"),
    pytest.param("admin:catalogue_mobilechannel_changelist", 5, id="channel-changelist"),
    pytest.param("admin:catalogue_mainitem_changelist", 6, id="main-item-changelist"),
    pytest.param("admin:catalogue_department_add", 2, id="department-add"),
    pytest.param("admin:catalogue_sector_add", 2, id="sector-add"),
    pytest.param("admin:catalogue_mobilechannel_add", 2, id="channel-add"),
    pytest.param("admin:catalogue_mainitem_add", 2, id="main-item-add"),
]


@pytest.mark.parametrize(("url_name", "queries"), REFERENCE_PAGES)
def test_reference_data_pages_run_a_fixed_number_of_queries(
    admin_client, refs, django_assert_num_queries, url_name, queries
):
    MainItemFactory.create_batch(5, department=refs.department)
    MainItemFactory.create_batch(5, department=refs.other_department)

    with django_assert_num_queries(queries):
        response = admin_client.get(reverse(url_name))

    assert response.status_code == 200
    if "cl" in response.context:
        assert response.context["cl"].result_count == response.context["cl"].model.objects.count()


def test_department_changelist_lists_departments(admin_client, refs):
    response = admin_client.get(reverse("admin:catalogue_department_changelist"))

    assert [str(d) for d in response.context["cl"].result_list] == [
        "深圳市光明区住房和建设局",
        "深圳市光明区民政局",
    ]


def test_department_add_saves_a_department_with_a_valid_credit_code(admin_client):
    data = {
        "name": "深圳市光明区财政局",
        "short_name": "财政局",
        "credit_code": "91350100M000100Y43",
        "nature": "legal_authority",
        "is_active": "on",
    }

    response = admin_client.post(reverse("admin:catalogue_department_add"), data)

    assert response.status_code == 302
    assert Department.objects.get(name="深圳市光明区财政局").credit_code == data["credit_code"]


@pytest.mark.parametrize(
    ("credit_code", "message"),
    [
        ("91350100M000100Y44", "统一社会信用代码：校验位不正确，请核对。"),
        ("9135010", "统一社会信用代码：应为 18 位数字或大写字母（不含 I、O、Z、S、V）。"),
    ],
)
def test_department_add_shows_the_credit_code_message(admin_client, credit_code, message):
    data = {"name": "深圳市光明区财政局", "credit_code": credit_code, "nature": "legal_authority"}

    response = admin_client.post(reverse("admin:catalogue_department_add"), data)

    assert field_errors(response) == {"credit_code": [message]}


def test_department_add_refuses_a_credit_code_already_used(admin_client):
    Department.objects.create(name="深圳市光明区民政局", credit_code="91350100M000100Y43")
    data = {
        "name": "深圳市光明区财政局",
        "credit_code": "91350100M000100Y43",
        "nature": "legal_authority",
    }

    response = admin_client.post(reverse("admin:catalogue_department_add"), data)

    assert response.status_code == 200
    assert "统一社会信用代码：已被其他实施主体使用。" in response.content.decode()


def test_main_item_add_refuses_a_name_already_used_in_the_department(admin_client, refs):
    data = {"department": refs.department.pk, "name": refs.main_item.name}

    response = admin_client.post(reverse("admin:catalogue_mainitem_add"), data)

    assert response.status_code == 200
    assert "主项名称：同一实施主体下已有同名主项。" in response.content.decode()
    assert MainItem.objects.filter(name=refs.main_item.name).count() == 1


def test_sector_and_channel_adds_save(admin_client):
    admin_client.post(reverse("admin:catalogue_sector_add"), {"name": "交通运输", "sort_order": 3})
    admin_client.post(
        reverse("admin:catalogue_mobilechannel_add"), {"name": "i深圳", "sort_order": 4}
    )

    assert Sector.objects.filter(name="交通运输", sort_order=3).exists()
    assert MobileChannel.objects.filter(name="i深圳", sort_order=4).exists()


# --- autocomplete ------------------------------------------------------------------------------


def autocomplete(admin_client, field_name, **params):
    query = {"app_label": "catalogue", "model_name": "serviceitem", "field_name": field_name}
    return admin_client.get(AUTOCOMPLETE, {**query, **params})


@pytest.mark.parametrize(
    ("field_name", "term", "expected"),
    [
        ("department", "住房", ["深圳市光明区住房和建设局"]),
        ("department", "", ["深圳市光明区住房和建设局", "深圳市光明区民政局"]),
        ("sector", "民政", ["民政"]),
        ("main_item", "登记", ["社会团体登记"]),
        ("main_item", "民政局", ["社会团体登记"]),
    ],
)
def test_autocomplete_finds_reference_rows(
    admin_client, refs, django_assert_num_queries, field_name, term, expected
):
    # 1 session, 2 user, 3 count of the matches (paginator), 4 the first page of them.
    with django_assert_num_queries(4):
        response = autocomplete(admin_client, field_name, term=term)

    assert [result["text"] for result in response.json()["results"]] == expected


def test_main_item_autocomplete_offers_only_the_chosen_departments_main_items(admin_client, refs):
    MainItemFactory(department=refs.department, name="建设工程竣工验收备案")

    chosen = autocomplete(admin_client, "main_item", department=refs.department.pk)
    other = autocomplete(admin_client, "main_item", department=refs.other_department.pk)
    unchosen = autocomplete(admin_client, "main_item")

    assert [r["text"] for r in chosen.json()["results"]] == [
        "建设工程施工许可",
        "建设工程竣工验收备案",
    ]
    assert [r["text"] for r in other.json()["results"]] == ["社会团体登记"]
    assert len(unchosen.json()["results"]) == 3


# --- language ----------------------------------------------------------------------------------


def test_admin_header_offers_the_language_switcher(admin_client, client):
    for response in (admin_client.get(CHANGELIST), client.get(reverse("admin:login"))):
        html = response.content.decode()
        assert '<form id="language-switcher" action="/i18n/setlang/" method="post">' in html
        assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in html
        assert '<option value="en" lang="en">English</option>' in html


def test_item_changelist_is_in_english_after_switching_language(admin_client, refs):
    ServiceItemFactory(department=refs.department, sector=refs.sector)

    # LocaleMiddleware activates the language for the thread; override() restores it afterwards.
    with translation.override(settings.LANGUAGE_CODE):
        switched = admin_client.post(
            reverse("set_language"), {"language": "en", "next": CHANGELIST}
        )
        response = admin_client.get(CHANGELIST)

    assert (switched.status_code, switched["Location"]) == (302, CHANGELIST)
    assert '<html lang="en"' in response.content.decode()
    assert column_headers(response) == [
        "Implementation code",
        "Item name",
        "Implementing department",
        "Handling type",
        "Tier combination",
        "Channels",
        "Status",
    ], "English catalogue missing? Build it with `make install` (compilemessages)."
    html = response.content.decode()
    assert "Source of power" in html
    assert "County (district)" in html
    # Chinese names a model once; English tells the singular from the plural.
    assert "Select Service item to change" in html
    assert "&rsaquo; Service items" in html


# --- the export page says what it will write ---

EXPORT = reverse("admin:catalogue_serviceitem_export")


def test_export_page_defaults_to_excel_and_counts_the_filtered_items(admin_client, refs):
    ServiceItemFactory(department=refs.department, name="施工许可")
    ServiceItemFactory(department=refs.department, name="竣工验收")
    ServiceItemFactory(department=refs.other_department, name="施工许可")

    response = admin_client.get(f"{EXPORT}?department__id__exact={refs.department.pk}&q=施工")
    page = response.content.decode()
    form = response.context["form"]

    assert form["format"].value() == "0"
    assert [label for _value, label in form.fields["format"].choices] == ["xlsx", "csv"]
    assert "将导出 1 个事项。" in page
    assert "实施主体：深圳市光明区住房和建设局" in page
    assert "搜索：“施工”" in page
    assert 'value="下载导出文件"' in page


def test_export_page_without_filters_says_it_writes_every_visible_item(admin_client, refs):
    ServiceItemFactory(department=refs.department)

    page = admin_client.get(EXPORT).content.decode()

    assert "将导出 1 个事项。" in page
    assert "列表未设筛选条件" in page


def test_admin_pages_link_the_favicon(admin_client):
    page = admin_client.get(CHANGELIST).content.decode()

    assert 'rel="icon" href="/static/img/favicon.svg"' in page


def test_item_list_title_is_the_list_name_not_a_stock_sentence(admin_client):
    page = admin_client.get(CHANGELIST).content.decode()

    assert "<h1>实施清单事项</h1>" in page
    assert "来修改" not in page


def test_item_form_refuses_a_control_character_as_the_import_does(admin_client, refs):
    values = valid_item_values(refs)
    data = {**item_post_data(values), "name": "名称\x07"}

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    assert field_errors(response)["name"] == [
        "含有不可见的控制字符 U+0007（第 3 个字符），请删除。"
    ]
    assert not ServiceItem.objects.exists()


def test_deleting_a_mobile_channel_that_items_use_is_refused_and_changes_no_item(
    admin_client, refs
):
    # Deleting it would drop it from its items with no record in their history.
    item = ServiceItemFactory(
        department=refs.department,
        is_mobile=True,
        mobile_services=1,
        mobile_channels=[refs.channel],
    )
    unused = MobileChannel.objects.create(name="未使用的渠道")
    delete_url = reverse("admin:catalogue_mobilechannel_delete", args=[refs.channel.pk])

    page = admin_client.get(delete_url)
    response = admin_client.post(delete_url, {"post": "yes"})
    bulk = admin_client.post(
        reverse("admin:catalogue_mobilechannel_changelist"),
        {"action": "delete_selected", "_selected_action": [refs.channel.pk], "post": "yes"},
    )

    assert str(item) in page.content.decode()
    assert response.status_code == 200 and bulk.status_code == 200
    assert list(item.mobile_channels.all()) == [refs.channel]
    assert item.history.count() == 1
    unused_url = reverse("admin:catalogue_mobilechannel_delete", args=[unused.pk])
    assert admin_client.post(unused_url, {"post": "yes"}).status_code == 302
    assert not MobileChannel.objects.filter(pk=unused.pk).exists()


def test_a_mobile_channel_in_use_by_many_items_lists_some_and_counts_all(
    admin_client, refs, monkeypatch
):
    monkeypatch.setattr(admin_module.MobileChannelAdmin, "SHOWN_ITEMS_IN_USE", 1)
    for _ in range(3):
        ServiceItemFactory(
            department=refs.department,
            is_mobile=True,
            mobile_services=1,
            mobile_channels=[refs.channel],
        )
    delete_url = reverse("admin:catalogue_mobilechannel_delete", args=[refs.channel.pk])

    response = admin_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 200
    assert response.context["protected"][-1] == "……共 3 个事项使用"
    assert MobileChannel.objects.filter(pk=refs.channel.pk).exists()


# --- actions, guards and the batch's file ------------------------------------------------------


def test_the_activate_action_puts_the_selected_items_back_in_use_and_says_how_many(
    admin_client, own_item, other_item
):
    ServiceItem.objects.update(status=ItemStatus.SUSPENDED)

    response = admin_client.post(
        CHANGELIST,
        {"action": "activate_items", "_selected_action": [own_item.pk], "post": "yes"},
    )

    assert dict(ServiceItem.objects.values_list("name", "status")) == {
        "本部门事项": ItemStatus.ACTIVE,
        "他部门事项": ItemStatus.SUSPENDED,
    }
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已将 1 个事项设为“在用”。"]
    assert own_item.history.latest().history_type == "~"


def test_saving_an_item_of_another_department_is_refused_even_past_the_form(
    rf, dept_staff, other_item
):
    request = rf.post("/")
    request.user = dept_staff
    model_admin = admin.site.get_model_admin(ServiceItem)
    other_item.name = "改过的名称"

    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, other_item, form=None, change=True)
    assert ServiceItem.objects.get(pk=other_item.pk).name == "他部门事项"


def test_a_batchs_file_is_refused_to_its_importer_once_their_role_is_gone(
    client, dept_staff, sector
):
    data = xlsx_bytes([valid_row()])
    items_import(file=data, user=dept_staff, file_name="部门事项.xlsx", keep_file=True)
    batch = ImportBatch.objects.get()
    url = reverse("admin:catalogue_importbatch_upload", args=[batch.pk])
    client.force_login(dept_staff)
    assert client.get(url).content == data

    dept_staff.groups.clear()

    assert client.get(url).status_code == 403


def test_the_import_batch_filter_without_a_value_leaves_the_list_as_it_is(rf, centre_admin, refs):
    # Django applies only filters that offer a choice, but the filter itself must not narrow the
    # list to items of no batch when no batch was asked for.
    ServiceItemFactory()
    assert items_import(rows=[valid_row()], user=centre_admin).written  # an item of a batch
    request = rf.get("/")
    request.user = centre_admin
    item_admin = admin.site.get_model_admin(ServiceItem)
    batch_filter = admin_module.ImportBatchListFilter(request, {}, ServiceItem, item_admin)

    assert list(batch_filter.queryset(request, ServiceItem.objects.all())) == list(
        ServiceItem.objects.all()
    )
