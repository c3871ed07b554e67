"""Every admin door for each role: what each may do, and that a refusal changes nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from catalogue.choices import ItemStatus
from catalogue.models import (
    Department,
    DepartmentMembership,
    ImportBatch,
    MainItem,
    MobileChannel,
    Sector,
    ServiceItem,
)
from tests.admin_forms import admin_form_data
from tests.factories import DepartmentFactory, MainItemFactory, ServiceItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, *args, query=""):
    return reverse(f"admin:{name}", args=args) + (f"?{query}" if query else "")


def db_state():
    """Everything a refused request must leave as it was."""
    return (
        list(ServiceItem.objects.order_by("pk").values()),
        list(ServiceItem.mobile_channels.through.objects.order_by("pk").values()),
        list(ServiceItem.history.order_by("pk").values("pk")),
        list(MainItem.objects.order_by("pk").values()),
        list(Department.objects.order_by("pk").values()),
        list(Sector.objects.order_by("pk").values()),
        list(MobileChannel.objects.order_by("pk").values()),
        list(DepartmentMembership.objects.order_by("pk").values()),
    )


def change_url(item):
    return url("catalogue_serviceitem_change", item.pk)


def post_action(client, action, *items):
    return client.post(
        url("catalogue_serviceitem_changelist"),
        {"action": action, "_selected_action": [item.pk for item in items], "post": "yes"},
    )


def autocomplete(client, field, model="serviceitem", term=""):
    query = f"app_label=catalogue&model_name={model}&field_name={field}&term={term}"
    return client.get(url("autocomplete", query=query))


def autocomplete_ids(response):
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


# --- department staff -------------------------------------------------------------------


class TestDepartmentStaffItems:
    @pytest.fixture(autouse=True)
    def login(self, client, dept_staff):
        client.force_login(dept_staff)

    def test_changelist_lists_only_own_departments_items(self, client, own_item, other_item):
        response = client.get(url("catalogue_serviceitem_changelist"))

        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [own_item]

    def test_search_does_not_find_another_departments_item(self, client, own_item, other_item):
        response = client.get(url("catalogue_serviceitem_changelist", query=f"q={other_item.code}"))

        assert list(response.context["cl"].result_list) == []

    def test_department_filter_offers_only_own_departments(
        self, client, dept_staff, own_item, other_item, department
    ):
        second = DepartmentFactory(name="深圳市光明区城市更新和土地整备局")
        DepartmentMembership.objects.create(user=dept_staff, department=second)

        response = client.get(url("catalogue_serviceitem_changelist"))

        department_filter = next(
            spec for spec in response.context["cl"].filter_specs if spec.title == "实施主体"
        )
        assert department_filter.lookup_choices == [
            (department.pk, department.name),
            (second.pk, second.name),
        ]

    def test_filtering_by_another_department_shows_nothing(self, client, own_item, other_item):
        query = f"department__id__exact={other_item.department_id}"
        response = client.get(url("catalogue_serviceitem_changelist", query=query))

        assert other_item not in response.context["cl"].result_list

    def test_another_departments_item_is_not_found(self, client, own_item, other_item):
        assert client.get(change_url(other_item)).status_code == 404
        assert client.get(change_url(own_item)).status_code == 200

    def test_changing_another_departments_item_is_refused(self, client, own_item, other_item):
        data = admin_form_data(client.get(change_url(own_item)), name="改名", code=other_item.code)
        before = db_state()

        response = client.post(change_url(other_item), data)

        assert response.status_code == 404
        assert db_state() == before

    def test_own_item_cannot_be_moved_to_another_department(self, client, own_item, other_item):
        data = admin_form_data(
            client.get(change_url(own_item)), department=str(other_item.department_id)
        )
        before = db_state()

        response = client.post(change_url(own_item), data)

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["department"] == [
            "选择一个有效的选项： 该选择不在可用的选项中。"
        ]
        assert db_state() == before

    def test_own_item_can_be_changed(self, client, own_item):
        data = admin_form_data(client.get(change_url(own_item)), name="新的事项名称")

        response = client.post(change_url(own_item), data)

        assert response.status_code == 302
        own_item.refresh_from_db()
        assert own_item.name == "新的事项名称"

    def test_add_form_offers_only_own_departments(self, client, department, other_department):
        response = client.get(url("catalogue_serviceitem_add"))

        form = response.context["adminform"].form
        assert list(form.fields["department"].queryset) == [department]

    def test_adding_an_item_of_another_department_is_refused(
        self, client, own_item, other_department
    ):
        data = admin_form_data(
            client.get(change_url(own_item)), code="NEW-1", department=str(other_department.pk)
        )
        before = db_state()

        response = client.post(url("catalogue_serviceitem_add"), data)

        assert response.status_code == 200
        assert "department" in response.context["adminform"].form.errors
        assert db_state() == before

    def test_adding_an_item_of_own_department_works(self, client, own_item):
        data = admin_form_data(client.get(change_url(own_item)), code="NEW-2", name="新事项")

        response = client.post(url("catalogue_serviceitem_add"), data)

        assert response.status_code == 302
        assert ServiceItem.objects.get(code="NEW-2").department == own_item.department

    def test_main_item_of_another_department_cannot_be_chosen(
        self, client, own_item, other_department
    ):
        foreign_main = MainItemFactory(department=other_department)
        data = admin_form_data(client.get(change_url(own_item)), main_item=str(foreign_main.pk))
        before = db_state()

        response = client.post(change_url(own_item), data)

        assert "main_item" in response.context["adminform"].form.errors
        assert db_state() == before

    def test_staff_cannot_delete_items(self, client, own_item, other_item):
        before = db_state()

        assert client.get(url("catalogue_serviceitem_delete", own_item.pk)).status_code == 403
        assert (
            client.post(
                url("catalogue_serviceitem_delete", own_item.pk), {"post": "yes"}
            ).status_code
            == 403
        )
        assert client.post(
            url("catalogue_serviceitem_delete", other_item.pk), {"post": "yes"}
        ).status_code in {403, 404}
        post_action(client, "delete_selected", own_item, other_item)

        assert db_state() == before

    def test_bulk_suspend_changes_only_own_departments_items(self, client, own_item, other_item):
        response = post_action(client, "suspend_items", own_item, other_item)

        assert response.status_code == 302
        own_item.refresh_from_db()
        other_item.refresh_from_db()
        assert own_item.status == ItemStatus.SUSPENDED
        assert other_item.status == ItemStatus.ACTIVE
        assert not ServiceItem.history.filter(id=other_item.pk, change_source="action").exists()

    def test_bulk_suspend_of_only_another_departments_item_changes_nothing(
        self, client, own_item, other_item
    ):
        before = db_state()

        post_action(client, "suspend_items", other_item)

        assert db_state() == before

    def test_history_of_another_departments_item_is_not_found(self, client, own_item, other_item):
        record = other_item.history.first()

        assert client.get(url("catalogue_serviceitem_history", other_item.pk)).status_code == 404
        assert (
            client.get(
                url("catalogue_serviceitem_simple_history", other_item.pk, record.pk)
            ).status_code
            == 404
        )
        assert client.get(url("catalogue_serviceitem_history", own_item.pk)).status_code == 200

    def test_staff_cannot_restore_a_version(self, client, own_item):
        record = own_item.history.first()
        version_url = url("catalogue_serviceitem_simple_history", own_item.pk, record.pk)
        response = client.get(version_url)
        data = admin_form_data(response, name="恢复的名称")
        before = db_state()

        assert response.context["revert_disabled"] is True
        assert client.post(version_url, data).status_code == 403
        assert db_state() == before

    def test_department_autocomplete_offers_only_own_departments(
        self, client, department, other_department
    ):
        assert autocomplete_ids(autocomplete(client, "department")) == {department.pk}
        assert autocomplete_ids(autocomplete(client, "department", term="民政")) == set()

    def test_main_item_autocomplete_offers_only_own_departments(
        self, client, department, other_department
    ):
        own_main = MainItemFactory(department=department, name="甲主项")
        MainItemFactory(department=other_department, name="乙主项")

        assert autocomplete_ids(autocomplete(client, "main_item")) == {own_main.pk}

    def test_sector_autocomplete_offers_every_sector(self, client, own_item, other_item):
        assert autocomplete_ids(autocomplete(client, "sector")) == {own_item.sector_id}


class TestDepartmentStaffWithDeletePermission:
    """Even a staff member given the delete permission deletes only their own items."""

    @pytest.fixture(autouse=True)
    def login(self, client, dept_staff):
        dept_staff.user_permissions.add(Permission.objects.get(codename="delete_serviceitem"))
        client.force_login(dept_staff)

    def test_delete_page_of_another_departments_item_is_not_found(self, client, other_item):
        before = db_state()

        response = client.post(url("catalogue_serviceitem_delete", other_item.pk), {"post": "yes"})

        assert response.status_code == 404
        assert db_state() == before

    def test_bulk_delete_deletes_only_own_items(self, client, own_item, other_item):
        response = post_action(client, "delete_selected", own_item, other_item)

        assert response.status_code == 302
        assert list(ServiceItem.objects.all()) == [other_item]
        deletion = ServiceItem.history.get(id=own_item.pk, history_type="-")
        assert (deletion.history_user.username, deletion.change_source) == ("dept_staff", "action")

    def test_own_item_can_be_deleted(self, client, own_item):
        response = client.post(url("catalogue_serviceitem_delete", own_item.pk), {"post": "yes"})

        assert response.status_code == 302
        assert not ServiceItem.objects.exists()
        assert ServiceItem.history.get(id=own_item.pk, history_type="-").change_source == "form"


class TestDepartmentStaffReferenceData:
    @pytest.fixture(autouse=True)
    def login(self, client, dept_staff):
        client.force_login(dept_staff)

    def test_department_list_shows_only_own_departments(self, client, department, other_department):
        response = client.get(url("catalogue_department_changelist"))

        assert list(response.context["cl"].result_list) == [department]

    def test_own_department_is_read_only(self, client, department):
        response = client.get(url("catalogue_department_change", department.pk))
        before = db_state()

        assert response.status_code == 200
        assert response.context["has_change_permission"] is False
        assert (
            client.post(
                url("catalogue_department_change", department.pk), {"name": "改名"}
            ).status_code
            == 403
        )
        assert db_state() == before

    def test_another_department_is_not_found(self, client, other_department):
        response = client.get(url("catalogue_department_change", other_department.pk))

        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("catalogue_department_add", {"name": "新部门", "nature": "legal_authority"}),
            ("catalogue_sector_add", {"name": "新行业", "sort_order": 0}),
            ("catalogue_mobilechannel_add", {"name": "新渠道", "sort_order": 0}),
        ],
    )
    def test_reference_data_cannot_be_added(self, client, department, name, data):
        before = db_state()

        assert client.post(url(name), data).status_code == 403
        assert db_state() == before

    def test_sector_and_channel_cannot_be_changed_or_deleted(self, client, sector):
        channel = MobileChannel.objects.first()
        before = db_state()

        assert (
            client.post(url("catalogue_sector_change", sector.pk), {"name": "x"}).status_code == 403
        )
        assert (
            client.post(url("catalogue_sector_delete", sector.pk), {"post": "yes"}).status_code
            == 403
        )
        assert (
            client.post(
                url("catalogue_mobilechannel_change", channel.pk), {"name": "x"}
            ).status_code
            == 403
        )
        assert db_state() == before

    def test_main_item_of_own_department_can_be_added(self, client, department):
        response = client.post(
            url("catalogue_mainitem_add"), {"department": department.pk, "name": "新主项"}
        )

        assert response.status_code == 302
        assert MainItem.objects.get(name="新主项").department == department

    def test_main_item_of_another_department_cannot_be_added(self, client, other_department):
        before = db_state()

        response = client.post(
            url("catalogue_mainitem_add"), {"department": other_department.pk, "name": "新主项"}
        )

        assert "department" in response.context["adminform"].form.errors
        assert db_state() == before

    def test_main_item_of_another_department_is_not_found(self, client, other_department):
        main_item = MainItemFactory(department=other_department)
        before = db_state()

        response = client.post(
            url("catalogue_mainitem_change", main_item.pk),
            {"department": other_department.pk, "name": "改名"},
        )

        assert response.status_code == 404
        assert db_state() == before

    def test_users_and_groups_are_out_of_reach(self, client, centre_admin):
        before = db_state()

        assert client.get(url("auth_user_changelist")).status_code == 403
        assert client.get(url("auth_user_change", centre_admin.pk)).status_code == 403
        assert client.get(url("auth_group_changelist")).status_code == 403
        assert (
            client.post(
                url("auth_user_change", centre_admin.pk), {"is_superuser": "on"}
            ).status_code
            == 403
        )
        assert db_state() == before

    def test_import_batches_are_read_only(self, client):
        assert client.get(url("catalogue_importbatch_changelist")).status_code == 200
        assert client.get(url("catalogue_importbatch_add")).status_code == 403


def test_staff_linked_to_no_department_sees_and_adds_nothing(client, roles, own_item):
    user = UserFactory(username="new_staff", groups=[roles["部门填报员"]])
    client.force_login(user)

    response = client.get(url("catalogue_serviceitem_changelist"))

    assert list(response.context["cl"].result_list) == []
    assert client.get(url("catalogue_serviceitem_add")).status_code == 403


def test_user_without_a_role_is_refused_everywhere(client, own_item):
    client.force_login(UserFactory(username="nobody"))

    assert client.get(url("catalogue_serviceitem_changelist")).status_code == 403
    assert client.get(change_url(own_item)).status_code == 403
    assert autocomplete(client, "department").status_code == 403


# --- supervisor ---------------------------------------------------------------------------


class TestSupervisor:
    @pytest.fixture(autouse=True)
    def login(self, client, supervisor):
        client.force_login(supervisor)

    def test_sees_every_departments_items(self, client, own_item, other_item):
        response = client.get(url("catalogue_serviceitem_changelist"))

        assert set(response.context["cl"].result_list) == {own_item, other_item}

    def test_item_page_is_read_only(self, client, other_item):
        response = client.get(change_url(other_item))

        assert response.status_code == 200
        assert response.context["has_change_permission"] is False

    def test_cannot_change_add_or_delete(self, client, own_item, other_item):
        root = Client()
        root.force_login(UserFactory(username="root", is_superuser=True))
        data = admin_form_data(root.get(change_url(other_item)), name="改名")
        before = db_state()

        assert client.post(change_url(other_item), data).status_code == 403
        assert (
            client.post(url("catalogue_serviceitem_add"), data | {"code": "N"}).status_code == 403
        )
        assert (
            client.post(
                url("catalogue_serviceitem_delete", other_item.pk), {"post": "yes"}
            ).status_code
            == 403
        )
        post_action(client, "suspend_items", own_item, other_item)
        post_action(client, "delete_selected", own_item, other_item)
        assert db_state() == before

    def test_bulk_actions_are_not_offered(self, client, own_item):
        response = client.get(url("catalogue_serviceitem_changelist"))

        assert response.context["action_form"] is None or not [
            name
            for name, _label in response.context["action_form"].fields["action"].choices
            if name
        ]

    def test_reads_history_but_cannot_restore(self, client, other_item):
        record = other_item.history.first()
        version_url = url("catalogue_serviceitem_simple_history", other_item.pk, record.pk)
        data = admin_form_data(client.get(version_url), name="恢复的名称")
        before = db_state()

        assert client.get(url("catalogue_serviceitem_history", other_item.pk)).status_code == 200
        assert client.post(version_url, data).status_code == 403
        assert db_state() == before

    def test_department_autocomplete_offers_every_department(
        self, client, department, other_department
    ):
        assert autocomplete_ids(autocomplete(client, "department")) == {
            department.pk,
            other_department.pk,
        }

    def test_reference_data_cannot_be_changed(self, client, department, sector):
        before = db_state()

        assert (
            client.post(
                url("catalogue_department_change", department.pk), {"name": "x"}
            ).status_code
            == 403
        )
        assert client.post(url("catalogue_sector_add"), {"name": "x"}).status_code == 403
        assert (
            client.post(
                url("catalogue_mainitem_add"), {"name": "x", "department": department.pk}
            ).status_code
            == 403
        )
        assert db_state() == before


# --- centre administrator ----------------------------------------------------------------


class TestCentreAdmin:
    @pytest.fixture(autouse=True)
    def login(self, client, centre_admin):
        client.force_login(centre_admin)

    def test_changes_any_departments_item(self, client, other_item):
        data = admin_form_data(client.get(change_url(other_item)), name="中心改名")

        assert client.post(change_url(other_item), data).status_code == 302
        other_item.refresh_from_db()
        assert other_item.name == "中心改名"

    def test_deletes_any_departments_item(self, client, other_item):
        response = client.post(url("catalogue_serviceitem_delete", other_item.pk), {"post": "yes"})

        assert response.status_code == 302
        assert not ServiceItem.objects.exists()

    def test_manages_reference_data(self, client):
        response = client.post(url("catalogue_sector_add"), {"name": "新行业", "sort_order": 3})

        assert response.status_code == 302
        assert Sector.objects.filter(name="新行业").exists()

    def test_links_a_user_to_departments_in_the_user_admin(
        self, client, roles, department, other_department
    ):
        user = UserFactory(username="new_staff", groups=[roles["部门填报员"]])
        page = client.get(url("auth_user_change", user.pk))
        prefix = page.context["inline_admin_formsets"][0].formset.prefix
        data = admin_form_data(
            page,
            **{
                f"{prefix}-TOTAL_FORMS": "2",
                f"{prefix}-0-department": str(department.pk),
                f"{prefix}-1-department": str(other_department.pk),
            },
        )

        response = client.post(url("auth_user_change", user.pk), data)

        assert response.status_code == 302
        assert set(user.department_memberships.values_list("department__name", flat=True)) == {
            department.name,
            other_department.name,
        }
        assert "所属实施主体" in page.content.decode()

    def test_cannot_link_a_user_twice_to_one_department(self, client, dept_staff, department):
        page = client.get(url("auth_user_change", dept_staff.pk))
        prefix = page.context["inline_admin_formsets"][0].formset.prefix
        data = admin_form_data(
            page,
            **{
                f"{prefix}-TOTAL_FORMS": "2",
                f"{prefix}-1-department": str(department.pk),
            },
        )

        response = client.post(url("auth_user_change", dept_staff.pk), data)

        assert response.status_code == 200
        assert dept_staff.department_memberships.count() == 1

    def test_cannot_make_anyone_superuser(self, client, roles, centre_admin):
        page = client.get(url("auth_user_change", centre_admin.pk))
        data = admin_form_data(page, is_superuser="on")

        response = client.post(url("auth_user_change", centre_admin.pk), data)

        assert response.status_code == 302
        centre_admin.refresh_from_db()
        assert centre_admin.is_superuser is False
        assert "user_permissions" not in page.context["adminform"].form.fields

    def test_cannot_change_a_superusers_account(self, client):
        root = UserFactory(username="root", is_superuser=True)

        response = client.post(url("auth_user_password_change", root.pk), {"password1": "x"})

        assert response.status_code == 403
        assert client.post(url("auth_user_delete", root.pk), {"post": "yes"}).status_code == 403
        root.refresh_from_db()
        assert root.check_password("not-a-real-password-1")

    def test_import_batches_cannot_be_edited(self, client, centre_admin):
        batch = ImportBatch.objects.create(file_name="a.xlsx", user=centre_admin)

        assert client.get(url("catalogue_importbatch_change", batch.pk)).status_code == 200
        assert (
            client.post(
                url("catalogue_importbatch_change", batch.pk), {"file_name": "b"}
            ).status_code
            == 403
        )
        assert (
            client.post(url("catalogue_importbatch_delete", batch.pk), {"post": "yes"}).status_code
            == 403
        )
        batch.refresh_from_db()
        assert batch.file_name == "a.xlsx"


@pytest.mark.parametrize("count", [3, 30])
def test_staff_changelist_runs_a_fixed_number_of_queries(
    client, dept_staff, department, count, django_assert_num_queries
):
    ServiceItemFactory.create_batch(count, department=department)
    client.force_login(dept_staff)

    # session, user, user permissions, group permissions, department memberships (the scope),
    # department filter choices, sector filter choices, count of the items in scope (the only
    # count), the page of items with their departments
    with django_assert_num_queries(9):
        response = client.get(url("catalogue_serviceitem_changelist"))

    assert len(response.context["cl"].result_list) == count
