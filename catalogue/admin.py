import itertools
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import construct_instance
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import XLSX
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from .admin_as_of import AsOfChangelistMixin
from .admin_changelist import IdPagePaginator, ItemChangeList
from .admin_import_export import ServiceItemImportExportMixin, upload_response
from .choices import (
    ENTRUSTED_POWER_SOURCES,
    TIER_SPAN_NAME,
    ChangeSource,
    ItemStatus,
    Tier,
    tier_span_display,
)
from .fields import FlagSetField
from .history import NO, YES, HistoricalServiceItem, record_changes
from .models import (
    Department,
    DepartmentMembership,
    ImportBatch,
    MainItem,
    MobileChannel,
    Sector,
    ServiceItem,
)
from .params import CraftedValuesAdminMixin, id_query_param, parse_id
from .roles import ROLE_LABELS, department_scope
from .selectors import (
    background_jobs_recent_for_user,
    departments_for_user,
    import_batches_for_user,
    import_file_get,
    items_using_mobile_channels,
    main_items_for_user,
)
from .services.items import (
    service_item_check,
    service_item_delete,
    service_item_save,
    service_items_delete,
    service_items_set_status,
)
from .text import join_list
from .validators import validate_no_control_characters

admin.site.site_header = _("政务服务事项目录管理系统")
admin.site.site_title = _("政务服务事项目录")
admin.site.index_title = _("目录管理")
# The app sidebar took a third of a 1440 px screen from the item list; the breadcrumbs and the
# index lead to every page.
admin.site.enable_nav_sidebar = False


class DropdownFiltersMixin:
    """Every list filter as one drop-down (admin/catalogue/dropdown_filter.html): 31 department
    names or six 是/否 lists as links made the filter column taller than the list."""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        for spec in changelist.filter_specs:
            spec.template = "admin/catalogue/dropdown_filter.html"
        return changelist

    @property
    def media(self):
        return super().media + forms.Media(js=["js/admin/dropdown_filter.js"])


class NotFoundAdmin(CraftedValuesAdminMixin, admin.ModelAdmin):
    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index for a missing object; a 404 says the same thing for an
        # object outside the user's scope without telling the two cases apart.
        raise Http404


class DepartmentScopedAdmin(NotFoundAdmin):
    """Rows outside the user's departments (catalogue.roles.department_scope) do not exist for
    them: lists, searches and autocompletes leave them out, and their URLs answer 404."""

    department_lookup = "department_id"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return department_scope(request.user).filter_by_department(queryset, self.department_lookup)

    def in_scope(self, request, obj) -> bool:
        department_id = getattr(obj, self.department_lookup)
        return department_scope(request.user).allows(department_id)

    def scoped(self, request, obj, permitted: bool) -> bool:
        """A model permission, narrowed to objects of the user's departments."""
        return permitted and (obj is None or self.in_scope(request, obj))

    def has_view_permission(self, request, obj=None):
        return self.scoped(request, obj, super().has_view_permission(request, obj))

    def has_change_permission(self, request, obj=None):
        return self.scoped(request, obj, super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or self.in_scope(request, obj)
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not department_scope(request.user).is_empty

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = departments_for_user(request.user)
        elif db_field.name == "main_item":
            kwargs["queryset"] = main_items_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedDepartmentListFilter(admin.RelatedFieldListFilter):
    """The department filter offers only the departments the user may see."""

    def field_choices(self, field, request, model_admin):
        # A province has a thousand and more: their names, not model instances.
        return list(departments_for_user(request.user).order_by("name").values_list("pk", "name"))


@admin.register(Department)
class DepartmentAdmin(DepartmentScopedAdmin):
    department_lookup = "pk"
    list_display = ["name", "short_name", "credit_code", "nature", "is_active"]
    list_filter = ["nature", "is_active"]
    search_fields = ["name", "short_name", "credit_code"]

    def has_add_permission(self, request):
        return admin.ModelAdmin.has_add_permission(self, request)


@admin.register(Sector)
class SectorAdmin(CraftedValuesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name"]


@admin.register(MobileChannel)
class MobileChannelAdmin(CraftedValuesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name"]

    SHOWN_ITEMS_IN_USE = 20

    def get_deleted_objects(self, objs, request):
        # Deleting a channel would drop it from its items without a record in their history
        # (and leave 指尖办 items without a channel): the items that use it protect it, as
        # PROTECT does for a department or a sector. Stop offering it instead (启用 off).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        in_use = items_using_mobile_channels(objs).order_by("code")
        count = in_use.count()
        if count:
            shown = [str(item) for item in in_use[: self.SHOWN_ITEMS_IN_USE]]
            if count > len(shown):
                shown.append(gettext("……共 %(count)d 个事项使用") % {"count": count})
            protected = [*protected, *shown]
        return deleted, counts, perms_needed, protected


@admin.register(MainItem)
class MainItemAdmin(DropdownFiltersMixin, DepartmentScopedAdmin):
    list_display = ["name", "department"]
    list_filter = [("department", ScopedDepartmentListFilter)]
    list_select_related = ["department"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The item form's main item autocomplete sends the chosen department along
        # (static/js/admin/main_item_autocomplete.js): offer only that department's main items.
        department = id_query_param(request.GET.get("department"), name="department")
        if request.GET.get("field_name") == "main_item" and department is not None:
            queryset = queryset.filter(department_id=department)
        return queryset, may_have_duplicates


class TierListFilter(admin.SimpleListFilter):
    title = _("行使层级")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return Tier.choices

    def queryset(self, request, queryset):
        # The value is the query string's text, or a tier (an int) while facets are counted.
        if str(self.value()) in {str(tier) for tier in Tier}:
            return queryset.with_tier(int(self.value()))
        return queryset

    # The column its counts are summed from (catalogue.admin_changelist): an item counts for
    # each tier of its set.
    facet_column = "tiers"

    def facet_counts_from_values(self, counts) -> dict:
        """The facet counts from {tier set: items} (the items counted per value of the column)."""
        return {
            f"{index}__c": sum(items for tiers, items in counts.items() if tiers & tier)
            for index, (tier, _label) in enumerate(self.lookup_choices)
        }


LABEL_SUFFIX = pgettext_lazy("label suffix", "：")
# Item list badges: (field, badge, what it stands for); the badge's title and the legend say it.
CHANNEL_FLAGS = [
    ("in_hall", pgettext_lazy("channel badge", "厅"), _("进驻大厅")),
    ("one_window", pgettext_lazy("channel badge", "一"), _("一窗办理")),
    ("comprehensive_window", pgettext_lazy("channel badge", "综"), _("综合窗口")),
    ("is_online", pgettext_lazy("channel badge", "网"), _("网办")),
    ("is_mobile", pgettext_lazy("channel badge", "指"), _("指尖办")),
    ("instant_approval", pgettext_lazy("channel badge", "秒"), _("秒批")),
]


def _single_department(user) -> bool:
    scope = department_scope(user)
    return not scope.all_departments and len(scope.department_ids) == 1


def _scope_note(user, scope) -> str:
    """Whose items a department clerk handles; nothing for those who see every department."""
    if scope.all_departments:
        return ""
    names = departments_for_user(user).values_list("name", flat=True)
    if not names:
        return gettext("您尚未关联任何实施主体，请联系中心管理员。")
    return gettext("您负责：%(departments)s") % {"departments": join_list(names)}


# Fields that apply only when another field says so, as {field: (controlling field, condition)}.
# static/js/admin/dependent_fields.js hides them otherwise; the rules in catalogue/rules.py still
# decide on save, so the form stays valid without JavaScript.
DEPENDENT_FIELDS = {
    "entrusting_body": ("power_source", {"values": [str(v) for v in ENTRUSTED_POWER_SOURCES]}),
    "online_depth": ("is_online", {"checked": True}),
    "mobile_channels": ("is_mobile", {"checked": True}),
    "mobile_services": ("is_mobile", {"checked": True}),
    "onsite_reason": ("onsite_visits", {"min": 1}),
    "fee_basis": ("charges_fee", {"checked": True}),
}


class ItemExportForm(ExportForm):
    """The export form with Excel chosen: no empty "---" format to pick first."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        field = self.fields["format"]
        field.choices = [choice for choice in field.choices if choice[0] != ""]
        field.label = _("文件格式")
        self.initial["format"] = next(
            (str(index) for index, fmt in enumerate(formats) if fmt is XLSX), "0"
        )


class ServiceItemAdminForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = "__all__"  # noqa: DJ007 - the admin fieldsets choose the fields
        widgets = {"mobile_channels": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An empty set is reported once, by the rule item_tiers_not_empty, with its own message.
        if "tiers" in self.fields:
            self.fields["tiers"].required = False
        # The same rule as the import's: no control characters in any text.
        for form_field in self.fields.values():
            if isinstance(form_field, forms.CharField):
                form_field.validators.append(validate_no_control_characters)
        for name, (controller, condition) in DEPENDENT_FIELDS.items():
            if name in self.fields and controller in self.fields:
                widget = self.fields[name].widget
                # The admin wraps related fields' widgets; the inner one renders the inputs.
                widget = getattr(widget, "widget", widget)
                widget.attrs["data-shown-when"] = json.dumps(
                    {"field": self.add_prefix(controller), **condition}
                )
        # On simple-history's version page the instance is rebuilt from a historical record:
        # show (and so restore) the mobile channels that record kept, not today's.
        record = getattr(self.instance, "_history", None)
        if (
            record is not None
            and record.mobile_channel_ids is not None
            and "mobile_channels" in self.fields
        ):
            self.initial["mobile_channels"] = list(record.mobile_channel_ids)

    def _post_clean(self):
        # Where the ModelForm would run the model's checks, the service runs them, channels
        # included, and hands back what the admin saves: the rules run once per save, and
        # every message lands under its field.
        exclude = self._get_validation_exclusions()
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as error:
            self._update_errors(error)
            return
        try:
            self.checked_item = service_item_check(
                item=self.instance,
                mobile_channels=self.cleaned_data.get("mobile_channels") or [],
                exclude=exclude,
            )
        except ValidationError as error:
            self._update_errors(error)


class ImportBatchListFilter(admin.SimpleListFilter):
    """Items of one import batch (linked from the batch's page); hidden otherwise."""

    title = _("导入批次")
    parameter_name = "import_batch"

    def lookups(self, request, model_admin):
        batch = id_query_param(self.value(), name=self.parameter_name)
        if batch is None:
            return []
        batches = import_batches_for_user(request.user).filter(pk=batch)
        return [(str(batch.pk), str(batch)) for batch in batches]

    def queryset(self, request, queryset):
        batch = id_query_param(self.value(), name=self.parameter_name)
        if batch is None:
            return queryset
        return queryset.filter(import_batches=batch)


@admin.register(ServiceItem)
class ServiceItemAdmin(
    AsOfChangelistMixin,
    DropdownFiltersMixin,
    ServiceItemImportExportMixin,
    DepartmentScopedAdmin,
    SimpleHistoryAdmin,
):
    form = ServiceItemAdminForm
    # The admin's default for integer fields (a number input) would replace the checkboxes of
    # the bit-set fields and post a single value.
    formfield_overrides = {FlagSetField: {"widget": forms.CheckboxSelectMultiple}}
    actions = ["suspend_items", "activate_items"]
    object_history_list_template = "admin/catalogue/serviceitem/object_history_list.html"
    object_history_form_template = "admin/catalogue/serviceitem/object_history_form.html"
    export_form_class = ItemExportForm
    export_template_name = "admin/catalogue/serviceitem/export.html"
    history_list_per_page = 50
    list_display = [
        "code",
        "name",
        "department_name",
        "handling_type",
        "tier_combination",
        "channel_flags",
        "status",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        ("department", ScopedDepartmentListFilter),
        "sector",
        "item_type",
        "handling_type",
        "power_source",
        TierListFilter,
        "in_hall",
        "one_window",
        "comprehensive_window",
        "is_online",
        "is_mobile",
        "instant_approval",
        "status",
        ImportBatchListFilter,
    ]
    list_select_related = ["department"]
    list_per_page = 50
    search_fields = ["code", "name"]
    # At province scale (1,000,000 items, docs/benchmarks.md): one count per page, pages fetched
    # by id, and only columns with an index (column, id) to sort by (the department's name
    # would sort a join).
    ordering = ["code"]
    paginator = IdPagePaginator
    show_full_result_count = False
    sortable_by = ["code", "name", "handling_type", "tier_combination", "status"]
    autocomplete_fields = ["department", "sector", "main_item"]
    readonly_fields = ["tier_combination", "created_at", "updated_at"]
    fieldsets = [
        (
            _("基本信息"),
            {
                "fields": [
                    "code",
                    "basic_code",
                    "name",
                    "department",
                    "main_item",
                    "sector",
                    "item_type",
                    "status",
                ]
            },
        ),
        (
            _("审批信息"),
            {
                "fields": [
                    "power_source",
                    "entrusting_body",
                    "handling_type",
                    "tiers",
                    "tier_combination",
                    "instant_approval",
                    "legal_basis",
                ]
            },
        ),
        (
            _("办理渠道"),
            {
                "fields": [
                    "in_hall",
                    "one_window",
                    "comprehensive_window",
                    "is_online",
                    "online_depth",
                    "is_mobile",
                    "mobile_channels",
                    "mobile_services",
                    "onsite_visits",
                    "onsite_reason",
                ]
            },
        ),
        (
            _("办理时限"),
            {
                "fields": [
                    ("legal_limit", "legal_limit_unit"),
                    "legal_limit_note",
                    ("promised_limit", "promised_limit_unit"),
                    "promised_limit_note",
                ]
            },
        ),
        (
            _("咨询监督"),
            {
                "fields": [
                    "location",
                    "consult_phone",
                    "complaint_phone",
                    "charges_fee",
                    "fee_basis",
                ]
            },
        ),
        (_("记录"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        # Listing jquery.init.js first makes the media merge load django.jQuery before the script.
        js = [
            "admin/js/jquery.init.js",
            "js/admin/main_item_autocomplete.js",
            "js/admin/dependent_fields.js",
            "js/admin/autocomplete_labels.js",
        ]

    # Derived from the tier set, in the active language; sorted by the set.
    @admin.display(description=TIER_SPAN_NAME, ordering="tiers")
    def tier_combination(self, item):
        span = tier_span_display(item.tiers or 0)
        # In the list a long combination ends in "…" (admin.css); the title keeps all of it.
        return format_html('<span title="{}">{}</span>', span, span)

    @admin.display(description=_("实施主体"), ordering="department__name")
    def department_name(self, item):
        department = item.department
        return format_html(
            '<span title="{}">{}</span>', department.name, department.short_name or department.name
        )

    @admin.display(description=_("办理渠道"))
    def channel_flags(self, item):
        return format_html(
            '<span class="channel-flags">{}</span>',
            format_html_join(
                "",
                '<span class="flag flag-{}" title="{}" aria-hidden="true">{}</span>'
                '<span class="visually-hidden">{}</span>',
                (
                    (
                        "on" if getattr(item, name) else "off",
                        title := f"{label}{LABEL_SUFFIX}{YES if getattr(item, name) else NO}",
                        badge,
                        title,
                    )
                    for name, badge, label in CHANNEL_FLAGS
                ),
            ),
        )

    def get_changelist(self, request, **kwargs):
        return ItemChangeList

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        for spec in changelist.filter_specs:
            spec.get_facet_queryset = lambda cl, spec=spec: cl.facet_counts(spec)
        return changelist

    def get_search_results(self, request, queryset, search_term):
        if self.as_of_in_force(request):
            # The records of a past day: the stock search of search_fields.
            return super().get_search_results(request, queryset, search_term)
        return queryset.matching(search_term), False

    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        if _single_department(request.user):
            display.remove("department_name")
        return display

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if _single_department(request.user):
            filters = [f for f in filters if not (isinstance(f, tuple) and f[0] == "department")]
        return filters

    def changelist_view(self, request, extra_context=None):
        scope = department_scope(request.user)
        extra_context = {
            **(extra_context or {}),
            "channel_flag_legend": [(badge, label) for _name, badge, label in CHANNEL_FLAGS],
            "scope_note": _scope_note(request.user, scope),
        }
        return super().changelist_view(request, extra_context)

    def init_request_context_data(self, request, form):
        # The export page says what it will write: the changelist's filters and search, counted.
        context = super().init_request_context_data(request, form)
        changelist = self.get_changelist_instance(request)
        filters = [
            (
                str(spec.title),
                join_list(c["display"] for c in spec.choices(changelist) if c["selected"]),
            )
            for spec in changelist.filter_specs
            if spec.used_parameters
        ]
        if changelist.query:
            filters.append((gettext("搜索"), f"“{changelist.query}”"))
        context["export_count"] = changelist.queryset.count()
        context["export_filters"] = filters
        context["title"] = _("导出实施清单事项")
        return context

    # --- writes go through the services, which record who changed what and how ---

    def save_model(self, request, obj, form, change):
        # Add, change and the restore of a history version all post the item form, whose
        # validation ran service_item_check on `obj` (ServiceItemAdminForm._post_clean).
        if not self.in_scope(request, obj):
            raise PermissionDenied
        service_item_save(
            checked=form.checked_item,
            user=request.user,
            source=getattr(request, "_catalogue_change_source", ChangeSource.FORM),
        )

    def save_related(self, request, form, formsets, change):
        # service_item_save has set the many-to-many already; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        service_item_delete(item=obj, user=request.user, source=ChangeSource.FORM)

    def delete_queryset(self, request, queryset):
        service_items_delete(items=queryset, user=request.user, source=ChangeSource.ACTION)

    def _set_status(self, request, queryset, status):
        count = service_items_set_status(items=queryset, status=status, user=request.user)
        message = ngettext(
            "已将 %(count)d 个事项设为“%(status)s”。",
            "已将 %(count)d 个事项设为“%(status)s”。",
            count,
        )
        self.message_user(
            request, message % {"count": count, "status": status.label}, messages.SUCCESS
        )

    @admin.action(description=_("暂停所选事项"), permissions=["change"])
    def suspend_items(self, request, queryset):
        self._set_status(request, queryset, ItemStatus.SUSPENDED)

    @admin.action(description=_("恢复所选事项为在用"), permissions=["change"])
    def activate_items(self, request, queryset):
        self._set_status(request, queryset, ItemStatus.ACTIVE)

    # --- history (django-simple-history), scoped like the items themselves ---

    def _history_visible(self, request, object_id) -> bool:
        try:
            pk = int(unquote(object_id))
        except (TypeError, ValueError):
            return False
        if self.get_queryset(request).filter(pk=pk).exists():
            return True
        if ServiceItem.objects.filter(pk=pk).exists():
            return False
        # A deleted item: visible to whoever could see its department at the end.
        last = HistoricalServiceItem.objects.filter(id=pk).values("department_id").first()
        return last is not None and department_scope(request.user).allows(last["department_id"])

    def history_view(self, request, object_id, extra_context=None):
        if not self._history_visible(request, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's URL takes any text as the version and int()s it in its query.
        if parse_id(version_id) is None or not self._history_visible(request, object_id):
            raise Http404
        if request.method == "POST":
            # simple-history saves a posted version for anyone who may view it: restoring
            # needs the change permission on the history and on the item.
            item = self.get_object(request, unquote(object_id))
            if not (
                item is not None
                and self.has_change_history_permission(request, item)
                and self.has_change_permission(request, item)
            ):
                raise PermissionDenied
            request._catalogue_change_source = ChangeSource.RESTORE
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_history_permission(self, request, obj=None):
        return self.scoped(request, obj, super().has_view_history_permission(request, obj))

    def has_change_history_permission(self, request, obj=None):
        return self.scoped(request, obj, super().has_change_history_permission(request, obj))

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .select_related("import_batch")
        )

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        channel_ids = {pk for record in records for pk in (record.mobile_channel_ids or ())}
        channel_names = dict(
            MobileChannel.objects.filter(pk__in=channel_ids).values_list("pk", "name")
        )
        for newer, older in itertools.pairwise(records):
            newer.history_delta_changes = record_changes(newer, older, channel_names=channel_names)


class DepartmentMembershipInline(CraftedValuesAdminMixin, admin.TabularInline):
    model = DepartmentMembership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["department"]
    verbose_name = _("所属实施主体")
    verbose_name_plural = _("所属实施主体（部门填报员只能查看和填报这些实施主体的事项）")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(CraftedValuesAdminMixin, DjangoUserAdmin):
    inlines = [DepartmentMembershipInline]
    list_display = ["username", "full_name", "role_list", "department_list", "is_active"]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups", "department_memberships__department")
        )

    # Centre administrators manage users through the role groups: only a superuser may grant
    # superuser status or single permissions, or change a superuser's account.
    def get_readonly_fields(self, request, obj=None):
        # The system sets both dates; their form widgets drop the seconds, so an untouched save
        # would change them.
        readonly = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("姓名"), ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("角色"))
    def role_list(self, user):
        return join_list(ROLE_LABELS.get(group.name, group.name) for group in user.groups.all())

    @admin.display(description=pgettext_lazy("plural", "所属实施主体"))
    def department_list(self, user):
        return join_list(m.department.name for m in user.department_memberships.all())


@admin.register(ImportBatch)
class ImportBatchAdmin(NotFoundAdmin):
    """Read-only record of the confirmed imports; the import itself writes them. A batch's page
    gives back the uploaded file (to those who see the batch) and links to its background job;
    the list shows the user's background imports and exports."""

    change_list_template = "admin/catalogue/importbatch/change_list.html"

    list_display = [
        "created_at",
        "file_name",
        "user",
        "created_count",
        "updated_count",
        "unchanged_count",
        "items_link",
    ]
    list_select_related = ["user"]
    list_filter = ["created_at"]
    search_fields = ["file_name", "user__username"]
    fields = [
        "file_name",
        "user",
        "created_at",
        "created_count",
        "updated_count",
        "unchanged_count",
        "items_link",
        "upload_link",
        "job_link",
    ]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            import_batches_for_user(request.user)
            .select_related("user", "upload", "job")
            .defer("upload__data")
        )

    def get_fields(self, request, obj=None):
        # The background job's page is its user's only: others who see the batch get no link.
        job = getattr(obj, "job", None) if obj is not None else None
        fields = super().get_fields(request, obj)
        if job is None or job.user_id != request.user.pk:
            fields = [name for name in fields if name != "job_link"]
        return fields

    def get_urls(self):
        return [
            path(
                "<path:object_id>/upload/",
                self.admin_site.admin_view(self.upload_view),
                name="catalogue_importbatch_upload",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request, object_id):
        """The file the batch was imported from, to those who may see the batch."""
        batch = self.get_object(request, unquote(object_id))
        if batch is None or batch.upload_id is None:
            raise Http404
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return upload_response(import_file_get(upload_id=batch.upload_id))

    def changelist_view(self, request, extra_context=None):
        jobs = background_jobs_recent_for_user(request.user)
        extra_context = {
            **(extra_context or {}),
            "import_jobs": [
                (job, reverse("admin:catalogue_serviceitem_import_job", args=[job.pk]))
                for job in jobs["imports"]
            ],
            "export_jobs": [
                (job, reverse("admin:catalogue_serviceitem_export_job", args=[job.pk]))
                for job in jobs["exports"]
            ],
        }
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("涉及事项"))
    def items_link(self, batch):
        url = reverse("admin:catalogue_serviceitem_changelist") + f"?import_batch={batch.pk}"
        count = batch.created_count + batch.updated_count
        label = ngettext("查看 %(count)d 个事项", "查看 %(count)d 个事项", count) % {"count": count}
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("上传的文件"))
    def upload_link(self, batch):
        if batch.upload_id is None:
            return _("（未保存：本批次在保存上传文件之前导入）")
        url = reverse("admin:catalogue_importbatch_upload", args=[batch.pk])
        label = gettext("下载 %(name)s（%(size)s）") % {
            "name": batch.upload.file_name,
            "size": filesizeformat(batch.upload.size),
        }
        return format_html('<a href="{}" id="import-batch-upload">{}</a>', url, label)

    @admin.display(description=_("后台导入任务"))
    def job_link(self, batch):
        url = reverse("admin:catalogue_serviceitem_import_job", args=[batch.job.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("查看后台导入任务"))
