"""Reports as issued: figures, sentences and documents kept exactly as they were frozen."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuedReport(models.Model):
    """A report frozen for a date and a title (e.g. 2026 年度报告).

    `summary` is the whole summary.json of that moment (figures, sentences as rendered then,
    the comparison); nothing recomputes it, so later edits of the catalogue and later changes
    of the sentence templates leave it as it was.
    """

    title = models.CharField(_("报告标题"), max_length=100)
    as_of = models.DateField(_("统计日期"))
    # The report's query string (filters, compare_to) as it was given.
    query = models.CharField(_("筛选条件"), max_length=500, blank=True)
    summary = models.JSONField(_("汇总数据"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("冻结人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("冻结时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发布报告")
        verbose_name_plural = _("已发布报告")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="issued_report_title_not_empty",
                violation_error_message=_("报告标题：请填写标题。"),
            ),
        ]

    def __str__(self):
        return self.title


class IssuedReportDocument(models.Model):
    """One document of an issued report, kept byte for byte (Excel now; Word when it exists)."""

    report = models.ForeignKey(IssuedReport, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("文档类型"), max_length=16)  # file extension: xlsx, docx …
    file_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("内容类型"), max_length=100)
    content = models.BinaryField(_("内容"))

    class Meta:
        verbose_name = _("报告文档")
        verbose_name_plural = _("报告文档")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind"], name="issued_report_document_kind_unique"
            ),
        ]

    def __str__(self):
        return self.file_name
