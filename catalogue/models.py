from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import connections, models
from django.db.models import Func, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy  # "plural": one Chinese name, two English
from simple_history.models import HistoricalRecords

from .choices import (
    ChangeSource,
    DepartmentNature,
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
    TimeUnit,
)
from .fields import FlagSetField
from .roles import department_scope
from .rules import CONSTRAINED_RULES, item_rule_errors
from .validators import validate_credit_code


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Department(TimeStampedModel):
    name = models.CharField(_("实施主体名称"), max_length=100, unique=True)
    short_name = models.CharField(
        _("简称"), max_length=50, blank=True, help_text=_("报表中显示的简称，如“住房和建设局”。")
    )
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 位，可不填。"),
    )
    nature = models.CharField(
        _("实施主体性质"),
        max_length=32,
        choices=DepartmentNature.choices,
        default=DepartmentNature.LEGAL_AUTHORITY,
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("实施主体")
        verbose_name_plural = pgettext_lazy("plural", "实施主体")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="department_credit_code_unique",
                violation_error_message=_("统一社会信用代码：已被其他实施主体使用。"),
            ),
        ]

    def __str__(self):
        return self.name


class Sector(TimeStampedModel):
    name = models.CharField(_("行业/领域名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("所属行业/领域")
        verbose_name_plural = pgettext_lazy("plural", "所属行业/领域")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class MobileChannel(TimeStampedModel):
    name = models.CharField(_("渠道名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("指尖办渠道")
        verbose_name_plural = pgettext_lazy("plural", "指尖办渠道")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class MainItem(TimeStampedModel):
    """A 主项 (大项): groups the implementation items (子项) of one department."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("实施主体"),
        on_delete=models.PROTECT,
        related_name="main_items",
    )
    name = models.CharField(_("主项名称"), max_length=200)

    class Meta:
        verbose_name = _("主项")
        verbose_name_plural = pgettext_lazy("plural", "主项")
        ordering = ["department__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"],
                name="main_item_name_unique_per_department",
                violation_error_message=_("主项名称：同一实施主体下已有同名主项。"),
            ),
        ]

    def __str__(self):
        return self.name


class TierQuerySet(models.QuerySet):
    def with_tier(self, tier: Tier):
        return self.filter(tiers__has=tier)


class ServiceItemQuerySet(TierQuerySet):
    def in_use(self):
        return self.filter(status=ItemStatus.ACTIVE)

    def with_related(self):
        return self.select_related("department", "sector", "main_item")

    def for_user(self, user):
        """The items `user` may see (catalogue.roles.department_scope decides)."""
        return department_scope(user).filter_items(self)

    def matching(self, text: str):
        """Items whose name holds every word of `text` (quoted words as one) anywhere, or whose
        code starts with it; letters in either case.

        On PostgreSQL a word is first looked up by its characters in item_name_chars_idx (a GIN
        index of the characters of each name, migration 0017), which finds a two-character
        Chinese term such as 许可 as fast as a longer one; a trigram index cannot (no trigram in
        two characters).
        """
        queryset = self
        postgres = connections[self.db].vendor == "postgresql"
        for word in smart_split(text):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            if not word:
                continue
            if postgres:
                lower = word.lower()
                in_name = Q(name_characters__contains=sorted(set(lower))) & Q(
                    name_lower__contains=lower
                )
                queryset = queryset.alias(
                    name_characters=NameCharacters("name"), name_lower=Lower("name")
                )
            else:
                in_name = Q(name__icontains=word)
            code_prefix = Q(code__startswith=word) | Q(code__startswith=word.upper())
            queryset = queryset.filter(in_name | code_prefix)
        return queryset


class NameCharacters(Func):
    """The characters of a name, lower-cased: the expression of item_name_chars_idx."""

    template = "string_to_array(lower(%(expressions)s), NULL)"
    output_field = ArrayField(models.TextField())


class ServiceItemHistoryBase(models.Model):
    """Audit fields added to every historical record of an item (django-simple-history)."""

    change_source = models.CharField(
        _("修改方式"), max_length=16, choices=ChangeSource.choices, default=ChangeSource.OTHER
    )
    # The many-to-many is not a column of the item, so the record keeps its ids (sorted), or
    # None where the writer did not know them.
    mobile_channel_ids = models.JSONField(_("指尖办渠道"), null=True, blank=True)
    import_batch = models.ForeignKey(
        "catalogue.ImportBatch",
        verbose_name=_("导入批次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The record describes the item from history_date until the next record of the item
    # (None: still current). Set by catalogue.history.history_validity_close; the report as
    # of a date reads the records valid at its end (docs/report-as-of.md).
    valid_until = models.DateTimeField(_("有效期至"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class ServiceItem(TimeStampedModel):
    """An implementation item (实施清单事项, one row per 子项): the unit the report counts."""

    # 基本信息
    code = models.CharField(
        _("实施编码"),
        max_length=36,
        unique=True,
        help_text=_("事项的唯一编码，最多 36 位。"),
        error_messages={"unique": _("实施编码：该编码已被其他事项使用。")},
    )
    basic_code = models.CharField(
        _("基本编码"),
        max_length=12,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9A-Za-z]{12}$", _("基本编码：应为 12 位数字或字母。")),
        ],
    )
    name = models.CharField(_("事项名称"), max_length=200)
    main_item = models.ForeignKey(
        MainItem,
        verbose_name=_("主项"),
        on_delete=models.PROTECT,
        related_name="items",
        null=True,
        blank=True,
        help_text=_("不填表示本事项自成一个大项。"),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="items"
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("所属行业"), on_delete=models.PROTECT, related_name="items"
    )
    item_type = models.CharField(_("事项类型"), max_length=32, choices=ItemType.choices)
    status = models.CharField(
        _("事项状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.ACTIVE
    )

    # 审批信息
    power_source = models.CharField(
        _("权力来源"),
        max_length=32,
        choices=PowerSource.choices,
        default=PowerSource.LOCAL_STATUTORY,
    )
    entrusting_body = models.CharField(
        _("委托部门"), max_length=100, blank=True, help_text=_("权力来源为委托时必填。")
    )
    handling_type = models.CharField(_("办件类型"), max_length=16, choices=HandlingType.choices)
    tiers = FlagSetField(
        _("行使层级"), flags=Tier, help_text=_("可多选；层级组合（如“市区两级”）自动生成。")
    )
    legal_basis = models.TextField(_("设定依据"), blank=True)
    instant_approval = models.BooleanField(
        _("是否秒批"), default=False, help_text=_("无人干预自动审批。")
    )

    # 办理渠道
    in_hall = models.BooleanField(_("是否进驻大厅"), default=False)
    one_window = models.BooleanField(_("是否一窗办理"), default=False)
    comprehensive_window = models.BooleanField(_("是否综合窗口受理"), default=False)
    is_online = models.BooleanField(_("是否网办"), default=False)
    online_depth = models.PositiveSmallIntegerField(
        _("网上办理深度"), choices=OnlineDepth.choices, null=True, blank=True
    )
    is_mobile = models.BooleanField(_("是否指尖办"), default=False)
    mobile_channels = models.ManyToManyField(
        MobileChannel,
        verbose_name=pgettext_lazy("plural", "指尖办渠道"),
        related_name="items",
        blank=True,
    )
    mobile_services = FlagSetField(_("指尖办服务"), flags=MobileService, blank=True)
    onsite_visits = models.PositiveSmallIntegerField(
        _("到办事现场次数"), default=0, validators=[MaxValueValidator(20)]
    )
    onsite_reason = models.TextField(
        _("必须现场办理原因"), blank=True, help_text=_("到现场次数大于 0 时必填。")
    )

    # 办理时限
    legal_limit = models.PositiveSmallIntegerField(
        _("法定办结时限"), null=True, blank=True, help_text=_("无法定时限的留空。")
    )
    legal_limit_unit = models.CharField(
        _("法定时限单位"), max_length=16, choices=TimeUnit.choices, blank=True
    )
    legal_limit_note = models.CharField(_("法定时限说明"), max_length=200, blank=True)
    promised_limit = models.PositiveSmallIntegerField(
        _("承诺办结时限"), default=0, help_text=_("即办件填 0。")
    )
    promised_limit_unit = models.CharField(
        _("承诺时限单位"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    promised_limit_note = models.CharField(_("承诺时限说明"), max_length=200, blank=True)

    # 咨询监督
    location = models.CharField(_("办理地点"), max_length=200, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=50, blank=True)
    charges_fee = models.BooleanField(_("是否收费"), default=False)
    fee_basis = models.TextField(_("收费依据"), blank=True)

    objects = ServiceItemQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("实施清单事项历史"),
        verbose_name_plural=pgettext_lazy("plural", "实施清单事项历史"),
        # History is looked up by item id, date, user or batch; fewer indexes, faster imports.
        no_db_index=["code", "department", "sector", "main_item"],
        bases=[ServiceItemHistoryBase],
    )

    class Meta:
        verbose_name = _("实施清单事项")
        verbose_name_plural = pgettext_lazy("plural", "实施清单事项")
        ordering = ["department__name", "code"]
        permissions = [
            ("import_serviceitem", _("可以导入实施清单事项")),
            ("export_serviceitem", _("可以导出实施清单事项")),
            ("view_reports", _("可以查看统计报表")),
            ("access_all_departments", _("可以查看所有实施主体的事项")),
        ]
        indexes = [
            models.Index(fields=["status", "department"], name="item_status_department_idx"),
            models.Index(fields=["status", "sector"], name="item_status_sector_idx"),
            # The admin's item list sorts by a column and then the id, in either direction
            # (catalogue.admin_changelist). Its search uses item_name_chars_idx, a GIN index
            # of the characters of the names on PostgreSQL (migration 0017).
            models.Index(fields=["handling_type", "id"], name="item_handling_type_id_idx"),
            models.Index(fields=["name", "id"], name="item_name_id_idx"),
            models.Index(fields=["tiers", "id"], name="item_tiers_id_idx"),
            models.Index(fields=["status", "id"], name="item_status_id_idx"),
            # Covering the grouped queries of the reports (group column, then the status filter).
            models.Index(
                fields=["item_type", "status", "main_item"], name="item_type_status_main_idx"
            ),
            models.Index(fields=["power_source", "status"], name="item_power_source_status_idx"),
            # The tier combination (市区两级 …) is the tier set; reports group by it.
            models.Index(fields=["tiers", "status"], name="item_tiers_status_idx"),
            models.Index(
                fields=["status"], condition=Q(is_mobile=True), name="item_mobile_status_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=rule.condition, name=rule.name, violation_error_message=rule.message
            )
            for rule in CONSTRAINED_RULES
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def rule_values(self) -> dict:
        # A missing value of a required field is reported by clean_fields(); leaving it out here
        # skips the rules that need it instead of comparing None.
        values = {
            field.name: value
            for field in self._meta.concrete_fields
            if not field.is_relation
            and not field.generated
            and ((value := getattr(self, field.attname)) is not None or field.null)
        }
        values["department"] = self.department_id
        values["main_item"] = self.main_item if self.main_item_id else None
        return values

    def clean(self):
        errors = item_rule_errors(self.rule_values())
        if errors:
            raise ValidationError(errors)

    def get_constraints(self):
        # clean() has already checked the rule constraints in Python (tests pin that both forms
        # agree); validating them again would cost one query per rule on every save.
        return [
            (model, [c for c in constraints if c.name not in _RULE_CONSTRAINT_NAMES])
            for model, constraints in super().get_constraints()
        ]


_RULE_CONSTRAINT_NAMES = frozenset(rule.name for rule in CONSTRAINED_RULES)


class ItemFacetCount(models.Model):
    """How many items share one value of each column the item list filters by (PostgreSQL).

    Kept by the database, not by the services: triggers on the item table (migration 0018)
    append, for every statement that inserts, updates or deletes items, the change of each
    combination of these columns it made (`items`, signed). A combination's count is the sum
    of its rows, exact inside every transaction whatever wrote the items (admin, bulk action,
    restore, import, demo load, SQL); writers only insert rows, so they never wait for each
    other here. `catalogue.services.facet_counts.item_facet_counts_compact` folds the rows into
    one per combination. The admin's item list counts its facets from here
    (catalogue.admin_changelist). No table on SQLite, which counts the items themselves.
    """

    department = models.ForeignKey(
        Department, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    item_type = models.CharField(max_length=32, choices=ItemType.choices)
    handling_type = models.CharField(max_length=16, choices=HandlingType.choices)
    power_source = models.CharField(max_length=32, choices=PowerSource.choices)
    tiers = FlagSetField(flags=Tier)
    in_hall = models.BooleanField()
    one_window = models.BooleanField()
    comprehensive_window = models.BooleanField()
    is_online = models.BooleanField()
    is_mobile = models.BooleanField()
    instant_approval = models.BooleanField()
    status = models.CharField(max_length=16, choices=ItemStatus.choices)
    items = models.BigIntegerField()
    # False for the rows the triggers append, true for those a compaction wrote.
    folded = models.BooleanField(default=False)

    objects = TierQuerySet.as_manager()

    # The item columns counted, in the order of the table and of its triggers.
    COLUMNS = (
        "department_id",
        "sector_id",
        "item_type",
        "handling_type",
        "power_source",
        "tiers",
        "in_hall",
        "one_window",
        "comprehensive_window",
        "is_online",
        "is_mobile",
        "instant_approval",
        "status",
    )

    class Meta:
        managed = False  # created on PostgreSQL only, with its triggers (migration 0018)
        db_table = "catalogue_itemfacetcount"

    def __str__(self):
        return f"{self.department_id}/{self.sector_id}/{self.item_type}: {self.items}"


class DepartmentMembership(models.Model):
    """Links a user to a department whose items they may maintain (部门填报员)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="department_memberships",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("实施主体"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("所属实施主体")
        verbose_name_plural = pgettext_lazy("plural", "所属实施主体")
        ordering = ["department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"],
                name="department_membership_unique",
                violation_error_message=_("所属实施主体：该用户已关联此实施主体。"),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.department}"


class ImportFile(models.Model):
    """An uploaded Excel file as it arrived: its bytes, original name and content type.

    In the database, not on a disk, so that every instance of the site can give it back. Kept
    for good once an import batch records it; otherwise forgotten with the plan it was checked
    into (catalogue.importing.uploads.import_files_prune).
    """

    file_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    data = models.BinaryField(_("文件内容"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="import_files",
        null=True,
        blank=True,
        help_text=_("空白表示在服务器上以命令行导入。"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("导入文件")
        verbose_name_plural = pgettext_lazy("plural", "导入文件")

    def __str__(self):
        return self.file_name


class ImportBatch(models.Model):
    """One confirmed Excel import: who, when, which file, and the items it created or changed."""

    file_name = models.CharField(_("文件名"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="import_batches",
        null=True,
        blank=True,
        help_text=_("空白表示在服务器上以命令行导入。"),
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    # The file as uploaded; empty for batches recorded before files were kept, and for rows
    # given without a file.
    upload = models.ForeignKey(
        ImportFile,
        verbose_name=_("上传的文件"),
        on_delete=models.PROTECT,
        related_name="batches",
        null=True,
        blank=True,
    )
    items = models.ManyToManyField(
        ServiceItem,
        verbose_name=_("涉及事项"),
        related_name="import_batches",
        through="ImportBatchItem",
        blank=True,
    )

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = pgettext_lazy("plural", "导入批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"


class ImportBatchItem(models.Model):
    """An item an import batch created or updated."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("导入批次"), on_delete=models.CASCADE, related_name="links"
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="import_batch_links",
    )
    created = models.BooleanField(_("新增"), help_text=_("否表示更新了已有事项。"))

    class Meta:
        verbose_name = _("导入批次事项")
        verbose_name_plural = pgettext_lazy("plural", "导入批次事项")
        constraints = [
            models.UniqueConstraint(fields=["batch", "item"], name="import_batch_item_unique"),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.item_id}"


class KeptImportPlan(models.Model):
    """A checked import plan kept between the admin's preview and its confirmation.

    In the database, so that every instance of the site sees it. The plan is gzipped JSON
    (never pickle); it is bound to its user and to the file's SHA-256, and confirmed at most
    once: `confirmed_at` is set in the import's own transaction.
    """

    token = models.CharField(_("令牌"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.CASCADE,
        related_name="kept_import_plans",
    )
    file_hash = models.CharField(_("文件摘要"), max_length=64)
    file_name = models.CharField(_("文件名"), max_length=255)
    plan = models.BinaryField(_("导入计划"))
    upload = models.ForeignKey(
        ImportFile,
        verbose_name=_("上传的文件"),
        on_delete=models.CASCADE,
        related_name="kept_plans",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待确认的导入")
        verbose_name_plural = pgettext_lazy("plural", "待确认的导入")

    def __str__(self):
        return f"{self.file_name} ({self.token})"


class KeptUpload(models.Model):
    """An uploaded file kept while a person chooses its sheet or places its columns.

    In the database, like the kept plans, so that the choice can be posted to any instance.
    """

    token = models.CharField(_("令牌"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.CASCADE,
        related_name="kept_uploads",
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    data = models.BinaryField(_("文件内容"))
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("待选择的上传文件")
        verbose_name_plural = pgettext_lazy("plural", "待选择的上传文件")

    def __str__(self):
        return f"{self.file_name} ({self.token})"


class ExportJob(models.Model):
    """An item export written in the background (above EXPORT_BACKGROUND_MIN_ROWS rows): its
    selection, its progress and, once done, its file. The file is kept here, in the database,
    so that whichever instance the user's next request reaches can offer it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在导出")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导出人"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    file_format = models.CharField(_("格式"), max_length=4, choices=Format.choices)
    # The pickled Query of the selection (the user's scope, the changelist's filters and
    # search), as Django supports for pickling a QuerySet's query; written only by this app.
    selection = models.BinaryField(_("所选事项"))
    total_rows = models.PositiveIntegerField(_("事项数"))
    rows_written = models.PositiveIntegerField(_("已写入"), default=0)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    content = models.BinaryField(_("文件"), null=True, editable=False)
    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Stamped by the worker while it runs the job (catalogue.services.background_jobs).
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = pgettext_lazy("plural", "导出任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", content__isnull=False, finished_at__isnull=False)
                | (~Q(status="done") & Q(content__isnull=True)),
                name="export_job_file_when_done",
                violation_error_message=_("导出任务：只有已完成的任务才有文件，且必有文件。"),
            ),
        ]

    def __str__(self):
        return self.file_name


class ImportJob(models.Model):
    """An import checked and written in the background (files of IMPORT_BACKGROUND_ROWS rows or
    more): its file, the choices made for it, its progress, its kept plan once checked and its
    batch once written. The guarantees are those of the import in a request: the plan is kept
    and claimed once like any other (`plan_token`), and written in one transaction."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队等待检查")
        CHECKING = "checking", _("正在读取和检查")
        CHOOSING = "choosing", _("需要选择工作表或列")
        CHECKED = "checked", _("已检查，等待确认")
        WRITE_QUEUED = "write_queued", _("已确认，排队等待写入")
        WRITING = "writing", _("正在写入")
        DONE = "done", _("已导入")
        FAILED = "failed", _("未导入")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    upload = models.ForeignKey(
        ImportFile,
        verbose_name=_("上传的文件"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    sheet = models.CharField(_("工作表"), max_length=255, blank=True)
    # A person's placing of the file's columns: {header: field, or None to set it aside}.
    mapping = models.JSONField(_("列对应"), default=dict, blank=True)
    # What the check asked a person to choose: {"sheets": [...], "unplaced": {header: [...]}}.
    choices_needed = models.JSONField(_("待选择"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("行数"), default=0)
    rows_read = models.PositiveIntegerField(_("已读取"), default=0)
    rows_checked = models.PositiveIntegerField(_("已检查"), default=0)
    rows_to_write = models.PositiveIntegerField(_("待写入"), default=0)  # new + updated
    rows_written = models.PositiveIntegerField(_("已写入"), default=0)
    plan_token = models.CharField(_("导入计划令牌"), max_length=32, blank=True)
    batch = models.OneToOneField(
        ImportBatch,
        verbose_name=_("导入批次"),
        on_delete=models.PROTECT,
        related_name="job",
        null=True,
        blank=True,
    )
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Stamped by the worker while it runs the job (catalogue.services.background_jobs).
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("后台导入任务")
        verbose_name_plural = pgettext_lazy("plural", "后台导入任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", batch__isnull=False)
                | (~Q(status="done") & Q(batch__isnull=True)),
                name="import_job_batch_when_done",
                violation_error_message=_(
                    "后台导入任务：只有已导入的任务才有导入批次，且必有批次。"
                ),
            ),
        ]

    def __str__(self):
        return self.upload.file_name if self.upload_id else str(self.pk)


class ImportColumnChoice(models.Model):
    """How a person placed a column of a department's file that no known name placed (issue 10):
    offered again for the department's next file. `field` empty: the column was set aside."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("实施主体"),
        on_delete=models.CASCADE,
        related_name="import_column_choices",
    )
    header = models.CharField(_("列标题"), max_length=100)
    field = models.CharField(_("对应要素"), max_length=50, blank=True)
    chosen_at = models.DateTimeField(_("选择时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = pgettext_lazy("plural", "导入列对应")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "header"], name="import_column_choice_unique"
            ),
        ]

    def __str__(self):
        return f"{self.header} → {self.field or '-'}"
