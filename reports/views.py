from chartjs.views.lines import BaseLineChartView
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import ListView, TemplateView

from config.db_routers import ReplicaReadsMixin

from .charts import CHART_SPECS
from .comparison import comparison_document
from .document import report_document
from .export import report_workbook
from .filters import ReportFilter
from .headline import report_issuer, report_title
from .models import IssuedReport
from .report import chart_build, report_build
from .selectors import report_items, report_records
from .services import issued_report_create
from .trend import month_ends, trend_document, trend_table

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportFilterMixin(LoginRequiredMixin, PermissionRequiredMixin, ReplicaReadsMixin):
    """Binds the report's filters to the query string, over the user's items. Only reads: after
    the access checks, its queries may go to the read replica."""

    # Anonymous users are sent to the login page; signed-in users without the right get 403.
    permission_required = "catalogue.view_reports"

    def get_filterset(self) -> ReportFilter:
        if not hasattr(self, "_filterset"):
            self._filterset = ReportFilter(
                self.request.GET,
                queryset=report_items(user=self.request.user),
                request=self.request,
            )
        return self._filterset

    def report(self):
        filterset = self.get_filterset()
        compare_to = filterset.compare_day()
        compared = None
        if compare_to is not None:
            compared = filterset.compared(compare_to)
            if not compared.is_valid():  # the same filters as the report's, already valid
                raise ValueError(compared.errors)
        return report_build(
            items=filterset.qs,
            as_of=filterset.form.cleaned_data.get("as_of"),
            compare_items=compared.qs if compared is not None else None,
            compare_to=compare_to,
        )

    def trend(self) -> dict:
        """trend.json: the key rates at each month end of the history up to `as_of` (or
        today), with the report's other filters and the user's scope (the history's start,
        read once per request with the comparison's, and one query)."""
        filterset = self.get_filterset()
        last = filterset.form.cleaned_data["as_of"] or timezone.localdate()
        start = filterset.history_start
        days = month_ends(timezone.localtime(start).date(), last) if start else []
        data = self.request.GET.copy()
        data["as_of"], data["compare_to"] = "", ""
        records = ReportFilter(
            data, queryset=report_records(user=self.request.user), request=self.request
        )
        if not records.is_valid():  # the same filters, already valid
            raise ValueError(records.errors)
        return trend_document(records=records.qs, days=days)

    def invalid_filters_response(self):
        return JsonResponse(
            {"errors": self.get_filterset().error_messages()},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )


class ReportPageView(ReportFilterMixin, TemplateView):
    template_name = "reports/report.html"

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if not filterset.is_valid():
            return self.render_to_response(self.get_context_data(), status=400)
        report = self.report()
        trend = self.trend()
        return self.render_to_response(
            self.get_context_data(
                report=report,
                chart_data={slug: chart.as_page_data() for slug, chart in report.charts.items()},
                trend=trend,
                trend_table=trend_table(trend),
            )
        )

    def get_context_data(self, **kwargs):
        filterset = self.get_filterset()
        return super().get_context_data(
            filter=filterset,
            applied_filters=filterset.applied() if filterset.is_valid() else [],
            report_title=report_title(),
            report_issuer=report_issuer(),
            **kwargs,
        )


class ChartDataView(ReportFilterMixin, BaseLineChartView):
    """One chart in Chart.js form: `{"labels": [...], "datasets": [{"label", "data"}, ...]}`."""

    def get(self, request, *args, **kwargs):
        if kwargs["slug"] not in CHART_SPECS:
            raise Http404
        filterset = self.get_filterset()
        if not filterset.is_valid():
            return self.invalid_filters_response()
        self.chart = chart_build(items=filterset.qs, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {"labels": context["labels"], "datasets": context["datasets"]}

    def get_labels(self):
        return self.chart.labels

    def get_providers(self):
        return [dataset.label for dataset in self.chart.datasets]

    def get_data(self):
        return [dataset.data for dataset in self.chart.datasets]

    def get_dataset_options(self, index, color):
        # Colours are the page's business (static/js/reports/charts.js).
        return {}


class SummaryView(ReportFilterMixin, View):
    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if not filterset.is_valid():
            return self.invalid_filters_response()
        report = self.report()
        return JsonResponse(report.as_summary(), json_dumps_params={"ensure_ascii": False})


class TrendView(ReportFilterMixin, View):
    """The key rates at each month end of the history up to `as_of` (or today), with the
    report's other filters and the user's scope: two queries whatever the range."""

    def get(self, request, *args, **kwargs):
        if not self.get_filterset().is_valid():
            return self.invalid_filters_response()
        return JsonResponse(self.trend(), json_dumps_params={"ensure_ascii": False})


def _export_file_name() -> str:
    return _("政务服务事项统计报表-%(date)s.xlsx") % {
        "date": timezone.localdate().strftime("%Y%m%d")
    }


def _attachment(content: bytes, *, content_type: str, file_name: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, file_name)},
    )


class ReportDownloadView(ReportFilterMixin, View):
    """The filtered report as a file: `render(report=, filters=)` gives its bytes."""

    content_type: str
    filename_format: str  # translated, with %(date)s

    def render(self, *, report, filters) -> bytes:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if not filterset.is_valid():
            return self.invalid_filters_response()
        report = self.report()
        content = self.render(report=report, filters=filterset.applied())
        filename = _(self.filename_format) % {"date": timezone.localdate().strftime("%Y%m%d")}
        return HttpResponse(
            content,
            content_type=self.content_type,
            headers={"Content-Disposition": content_disposition_header(True, filename)},
        )


class ExportView(ReportDownloadView):
    content_type = XLSX_CONTENT_TYPE
    filename_format = gettext_noop("政务服务事项统计报表-%(date)s.xlsx")

    def render(self, *, report, filters) -> bytes:
        return report_workbook(report=report, filters=filters)


class DocumentView(ReportDownloadView):
    content_type = DOCX_CONTENT_TYPE
    filename_format = gettext_noop("政务服务事项统计报告-%(date)s.docx")

    def render(self, *, report, filters) -> bytes:
        return report_document(
            report=report, filters=filters, trend_table=trend_table(self.trend())
        )


# --- reports as issued ---------------------------------------------------------------------


class IssueReportView(ReportFilterMixin, View):
    """Freeze the report of the query string under a title (POST `title`)."""

    permission_required = ("catalogue.view_reports", "reports.add_issuedreport")

    def post(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if not filterset.is_valid():
            return self.invalid_filters_response()
        report = self.report()
        workbook = report_workbook(report=report, filters=filterset.applied())
        try:
            issued_report_create(
                title=request.POST.get("title", ""),
                report=report,
                query=request.GET.urlencode(),
                documents=[("xlsx", _export_file_name(), XLSX_CONTENT_TYPE, workbook)],
                user=request.user,
            )
        except ValidationError as error:
            return JsonResponse(
                {"errors": {k: [str(m) for m in v] for k, v in error.message_dict.items()}},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        return redirect("reports:issued")


class IssuedReportMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "reports.view_issuedreport"

    def issued(self) -> IssuedReport:
        return get_object_or_404(IssuedReport, pk=self.kwargs["pk"])


class IssuedReportListView(IssuedReportMixin, ListView):
    template_name = "reports/issued_list.html"
    context_object_name = "issued_reports"

    def get_queryset(self):
        return IssuedReport.objects.select_related("issued_by").prefetch_related("documents")


class IssuedReportSummaryView(IssuedReportMixin, View):
    """The summary.json kept when the report was issued, exactly."""

    def get(self, request, *args, **kwargs):
        return JsonResponse(self.issued().summary, json_dumps_params={"ensure_ascii": False})


class IssuedReportDocumentView(IssuedReportMixin, View):
    def get(self, request, *args, **kwargs):
        document = get_object_or_404(self.issued().documents, kind=kwargs["kind"])
        return _attachment(
            bytes(document.content),
            content_type=document.content_type,
            file_name=document.file_name,
        )


class IssuedReportCompareView(IssuedReportMixin, View):
    """An issued report compared with a later one (`?with=<id>`) or with the live report of
    the same filters (`?with=live`): reports.comparison's document, the issued one earlier."""

    permission_required = ("catalogue.view_reports", "reports.view_issuedreport")

    def get(self, request, *args, **kwargs):
        issued = self.issued()
        other = request.GET.get("with", "live")
        if other == "live":
            data = QueryDict(issued.query, mutable=True)
            data.pop("as_of", None)
            data["compare_to"] = ""
            filterset = ReportFilter(
                data, queryset=report_items(user=request.user), request=request
            )
            if not filterset.is_valid():  # kept filters whose department is gone
                return JsonResponse(
                    {"errors": filterset.error_messages()},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            current = report_build(items=filterset.qs).as_summary()
        else:
            try:
                current = get_object_or_404(IssuedReport, pk=int(other)).summary
            except ValueError:
                raise Http404 from None
        document = comparison_document(
            current["figures"], issued.summary["figures"], compare_to=issued.as_of
        )
        return JsonResponse(document, json_dumps_params={"ensure_ascii": False})
