"""Excel import and export in the item admin, on top of django-import-export's admin mixin.

The stock import reads and imports the whole file twice (a dry run for the preview, then the
real run on confirm). Here the preview reads and checks the file once and keeps the checked plan
server-side (catalogue.importing.store); confirming writes that plan. Export writes the current
changelist selection in the template format with the streaming writer. django-import-export
still provides the buttons, URLs, the permission settings and the export form.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm

from config.db_routers import replica_reads

from . import exporting
from .importing import ERROR, NEW, UNCHANGED, UPDATE, StalePlan
from .importing import messages as import_messages
from .importing.plan import VALUE_INDEX
from .importing.reading import max_file_size
from .importing.store import PlanExpired, plan_discard, plan_fetch, plan_keep
from .models import ExportJob
from .resources import ServiceItemResource
from .selectors import export_job_for_user
from .services.exports import item_export_start
from .services.importing import items_import_apply, items_import_plan
from .text import join_list

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROW_LIMIT = 500  # rows listed per kind; the counts always cover the whole file


class ItemImportForm(forms.Form):
    import_file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > max_file_size():
            raise forms.ValidationError(
                import_messages.FILE_TOO_LARGE.format(
                    size=filesizeformat(upload.size), limit=filesizeformat(max_file_size())
                )
            )
        return upload


class ItemConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    file_hash = forms.CharField(widget=forms.HiddenInput)


class ServiceItemImportExportMixin(ImportExportMixin):
    resource_classes = [ServiceItemResource]
    formats = [XLSX, CSV]
    export_form_class = ExportForm
    import_export_change_list_template = "admin/catalogue/serviceitem/change_list.html"
    import_template_name = "admin/catalogue/serviceitem/import.html"
    import_preview_template_name = "admin/catalogue/serviceitem/import_preview.html"

    def get_import_resource_classes(self, request):
        # import_action and process_import below replace the stock import; should a stock view
        # be reached anyway, it finds no resource to import with.
        return []

    def get_urls(self):
        info = self.get_model_info()
        urls = [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "import/<str:token>/errors/",
                self.admin_site.admin_view(self.import_errors_view),
                name="{}_{}_import_errors".format(*info),
            ),
            path(
                "export/<int:job_id>/",
                self.admin_site.admin_view(self.export_job_view),
                name="{}_{}_export_job".format(*info),
            ),
            path(
                "export/<int:job_id>/status/",
                self.admin_site.admin_view(self.export_job_status_view),
                name="{}_{}_export_job_status".format(*info),
            ),
            path(
                "export/<int:job_id>/file/",
                self.admin_site.admin_view(self.export_job_file_view),
                name="{}_{}_export_job_file".format(*info),
            ),
        ]
        return urls + super().get_urls()

    def _url(self, name, *args):
        app_label, model_name = self.get_model_info()
        return reverse(f"admin:{app_label}_{model_name}_{name}", args=args)

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入实施清单事项"),
            "max_file_size": filesizeformat(max_file_size()),
            **extra,
        }

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ItemImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            data = b"".join(upload.chunks())
            plan = items_import_plan(file=data, user=request.user)
            if plan.file_problem:
                form.add_error("import_file", plan.file_problem)
            else:
                return self._preview(request, plan, data, upload.name)
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, self.import_template_name, self._context(request, form=form)
        )

    def _preview(self, request, plan, data, file_name):
        if plan.unchecked_from_row is not None:
            messages.warning(request, plan.unchecked_message)
        file_hash = hashlib.sha256(data).hexdigest()
        token = plan_keep(plan=plan, user=request.user, file_hash=file_hash, file_name=file_name)
        listed = {NEW: [], UPDATE: [], ERROR: []}
        unchanged = []
        name_index = VALUE_INDEX["name"]
        for row in plan.rows:
            if row.action == UNCHANGED:
                if len(unchanged) < PREVIEW_ROW_LIMIT:
                    unchanged.append(row)
            elif len(listed[row.action]) < PREVIEW_ROW_LIMIT:
                listed[row.action].append(
                    {"plan": row, "name": row.values[name_index] if row.values else ""}
                )
        counts = plan.counts
        context = self._context(
            request,
            title=_("导入预览"),
            plan=plan,
            file_name=file_name,
            counts=counts,
            total=len(plan.rows),
            new_rows=listed[NEW],
            update_rows=listed[UPDATE],
            error_rows=listed[ERROR],
            unchanged_rows=unchanged,
            row_limit=PREVIEW_ROW_LIMIT,
            unknown_columns=join_list(plan.unknown_columns),
            confirm_form=None
            if plan.has_errors
            else ItemConfirmForm(initial={"token": token, "file_hash": file_hash}),
            errors_url=self._url("import_errors", token),
            nothing_to_do=not plan.has_errors and counts[NEW] + counts[UPDATE] == 0,
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.import_preview_template_name, context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ItemConfirmForm(request.POST)
        import_url = self._url("import")
        if not form.is_valid():
            messages.error(request, import_messages.PLAN_EXPIRED)
            return HttpResponseRedirect(import_url)
        token = form.cleaned_data["token"]
        try:
            plan, record = plan_fetch(
                token=token, user=request.user, file_hash=form.cleaned_data["file_hash"]
            )
        except PlanExpired:
            messages.error(request, import_messages.PLAN_EXPIRED)
            return HttpResponseRedirect(import_url)
        if plan.has_errors:
            messages.error(request, import_messages.NOTHING_WRITTEN)
            return HttpResponseRedirect(import_url)
        try:
            result = items_import_apply(
                plan=plan,
                user=request.user,
                file_name=record["file_name"],
                verify_fresh=True,
            )
        except StalePlan as stale:
            plan_discard(token=token)
            messages.error(request, stale.message)
            return HttpResponseRedirect(import_url)
        plan_discard(token=token)
        messages.success(
            request,
            import_messages.WRITTEN.format(
                new=len(result.created_ids),
                update=len(result.updated_ids),
                unchanged=len(result.unchanged_ids),
            ),
        )
        return HttpResponseRedirect(self._url("changelist"))

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        return self._xlsx_response(
            exporting.template_xlsx_bytes(user=request.user), gettext("实施清单导入模板.xlsx")
        )

    def import_errors_view(self, request, token):
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            plan, record = plan_fetch(token=token, user=request.user)
        except PlanExpired:
            messages.error(request, import_messages.PLAN_EXPIRED)
            return HttpResponseRedirect(self._url("import"))
        stem = record["file_name"].rsplit(".", 1)[0]
        return self._xlsx_response(
            exporting.error_rows_xlsx_bytes(plan), gettext("%(name)s-错误行.xlsx") % {"name": stem}
        )

    @staticmethod
    def _xlsx_response(data, file_name):
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = _content_disposition(file_name)
        return response

    # Export: the current changelist selection, in the template format.
    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        logged = {
            "user": request.user,
            "file_name": self.get_export_filename(request, queryset, file_format),
        }
        if isinstance(file_format, CSV):
            return exporting.export_csv_bytes(queryset, **logged)
        return exporting.export_xlsx_bytes(queryset, **logged)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related(None).prefetch_related(None)

    def get_export_filename(self, request, queryset, file_format):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return gettext("实施清单-%(stamp)s.%(extension)s") % {
            "stamp": stamp,
            "extension": file_format.get_extension(),
        }

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # Only reads (access was checked by export_action, on the primary).
        with replica_reads():
            background = queryset.count() >= settings.EXPORT_BACKGROUND_MIN_ROWS
        if background:
            job = item_export_start(
                user=request.user,
                queryset=queryset,
                file_format=ExportJob.Format.CSV
                if isinstance(file_format, CSV)
                else ExportJob.Format.XLSX,
                file_name=self.get_export_filename(request, queryset, file_format),
            )
            return HttpResponseRedirect(self._url("export_job", job.pk))
        with replica_reads():
            response = super()._do_file_export(file_format, request, queryset, export_form)
        response["Content-Disposition"] = _content_disposition(
            self.get_export_filename(request, queryset, file_format)
        )
        return response

    # A background export: its page, its progress (polled by static/js/admin/export_job.js)
    # and its file. Read on the primary: a replica may not have the job yet.
    def _export_job(self, request, job_id) -> ExportJob:
        if not self.has_export_permission(request):
            raise PermissionDenied
        job = export_job_for_user(request.user, job_id)
        if job is None:
            raise Http404
        return job

    def export_job_view(self, request, job_id):
        job = self._export_job(request, job_id)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导出实施清单事项"),
            "job": job,
            "status": _export_job_status(job, self._url("export_job_file", job.pk)),
            "status_url": self._url("export_job_status", job.pk),
        }
        return TemplateResponse(request, "admin/catalogue/serviceitem/export_job.html", context)

    def export_job_status_view(self, request, job_id):
        job = self._export_job(request, job_id)
        return JsonResponse(
            _export_job_status(job, self._url("export_job_file", job.pk)),
            json_dumps_params={"ensure_ascii": False},
        )

    def export_job_file_view(self, request, job_id):
        job = self._export_job(request, job_id)
        if job.status != ExportJob.Status.DONE:
            raise Http404
        content_type = "text/csv" if job.file_format == ExportJob.Format.CSV else XLSX_CONTENT_TYPE
        response = HttpResponse(bytes(job.content), content_type=content_type)
        response["Content-Disposition"] = _content_disposition(job.file_name)
        return response


def _export_job_status(job: ExportJob, file_url: str) -> dict:
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "rows_written": job.rows_written,
        "total_rows": job.total_rows,
        "message": gettext("已写入 %(written)s / %(total)s 个事项。")
        % {"written": job.rows_written, "total": job.total_rows},
        "file_url": file_url if job.status == ExportJob.Status.DONE else None,
    }


def _content_disposition(file_name: str) -> str:
    return content_disposition_header(as_attachment=True, filename=file_name)
