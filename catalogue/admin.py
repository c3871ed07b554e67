from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .admin_import_export import ServiceItemImportExportMixin
from .choices import Tier
from .models import Department, MainItem, MobileChannel, Sector, ServiceItem
from .rules import item_rule_errors

admin.site.site_header = _("政务服务事项目录管理系统")
admin.site.site_title = _("政务服务事项目录")
admin.site.index_title = _("目录管理")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "credit_code", "nature", "is_active"]
    list_filter = ["nature", "is_active"]
    search_fields = ["name", "short_name", "credit_code"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name"]


@admin.register(MobileChannel)
class MobileChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name"]


@admin.register(MainItem)
class MainItemAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    list_filter = [("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]


class TierListFilter(admin.SimpleListFilter):
    title = _("行使层级")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return Tier.choices

    def queryset(self, request, queryset):
        if self.value() in {str(tier) for tier in Tier}:
            return queryset.with_tier(int(self.value()))
        return queryset


class ServiceItemAdminForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = "__all__"  # noqa: DJ007 - the admin fieldsets choose the fields
        widgets = {"mobile_channels": forms.CheckboxSelectMultiple}

    def clean(self):
        cleaned_data = super().clean()
        # The model checks every other rule in clean(); its many-to-many is only known here.
        errors = item_rule_errors(
            {
                "is_mobile": cleaned_data.get("is_mobile", False),
                "mobile_channels": cleaned_data.get("mobile_channels") or [],
            }
        )
        if errors:
            raise ValidationError(errors)
        return cleaned_data


@admin.register(ServiceItem)
class ServiceItemAdmin(ServiceItemImportExportMixin, admin.ModelAdmin):
    form = ServiceItemAdminForm
    list_display = [
        "code",
        "name",
        "department",
        "item_type",
        "handling_type",
        "tier_span",
        "in_hall",
        "one_window",
        "comprehensive_window",
        "is_online",
        "is_mobile",
        "instant_approval",
        "status",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "department",
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
    ]
    list_select_related = ["department"]
    list_per_page = 50
    search_fields = ["code", "name"]
    autocomplete_fields = ["department", "sector", "main_item"]
    readonly_fields = ["tier_span", "created_at", "updated_at"]
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
                    "tier_span",
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
