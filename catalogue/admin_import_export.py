"""Excel import and export in the item admin, on top of django-import-export's admin mixin.

The stock import reads and imports the whole file twice (a dry run for the preview, then the
real run on confirm). Here the preview reads and checks the file once and keeps the checked plan
in the database (catalogue.importing.store); confirming writes that plan, once. A file of
IMPORT_BACKGROUND_ROWS rows or more is checked and written by the background worker instead
(catalogue.services.import_jobs): the request keeps the file and answers at once with the job's
page, which shows the progress and then the same preview and confirmation. Export writes
the current changelist selection in the template format with the streaming writer.
django-import-export still provides the buttons, URLs, the permission settings and the export
form.
"""

import hashlib
import json

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
from .importing import ERROR, NEW, UNCHANGED, UPDATE, ImportProblem
from .importing import messages as import_messages
from .importing.columns import COLUMN_BY_FIELD, COLUMNS, header_key
from .importing.plan import VALUE_INDEX
from .importing.reading import max_file_size
from .importing.size import workbook_rows
from .importing.store import PlanExpired, plan_fetch, plan_keep
from .importing.uploads import import_file_keep, upload_discard, upload_fetch, upload_keep
from .models import ExportJob, ImportJob
from .resources import ServiceItemResource
from .selectors import (
    export_job_for_user,
    import_column_choices_for_user,
    import_file_get,
    import_job_for_user,
)
from .services.background_jobs import background_job_fail_if_stalled
from .services.exports import item_export_start
from .services.import_jobs import (
    ACTIVE,
    import_job_choose,
    import_job_confirm,
    import_job_start,
)
from .services.importing import items_import_confirm, items_import_plan
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


_SET_ASIDE = "-"


class ItemImportChoiceForm(forms.Form):
    """The sheet to read and the element of each column no known name placed (issue 10)."""

    upload = forms.CharField(widget=forms.HiddenInput)
    headers = forms.CharField(widget=forms.HiddenInput, required=False)  # JSON list
    chosen = forms.CharField(widget=forms.HiddenInput, required=False)  # JSON: earlier choices

    def __init__(self, *args, sheets=(), unplaced=None, offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sheets:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("要导入的工作表"), choices=[("", "---------"), *((s, s) for s in sheets)]
            )
        unplaced = unplaced or {}
        offered = offered or {}
        self.headers = list(unplaced)
        for index, (header, closest) in enumerate(unplaced.items()):
            rest = [column.field for column in COLUMNS if column.field not in closest]
            choices = [
                ("", "---------"),
                *((name, COLUMN_BY_FIELD[name].header) for name in closest),
                (_SET_ASIDE, _("忽略此列")),
                *((name, COLUMN_BY_FIELD[name].header) for name in rest),
            ]
            previous = offered.get(header_key(header), "")
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                initial=_SET_ASIDE if previous is None else previous,
            )

    def placed_columns(self) -> dict[str, str | None]:
        """Of a valid form: each chosen column's element, None for a column set aside."""
        return {
            header: (None if value == _SET_ASIDE else value)
            for index, header in enumerate(self.headers)
            if (value := self.cleaned_data.get(f"column_{index}"))
        }


class ItemConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    file_hash = forms.CharField(widget=forms.HiddenInput)
    job = forms.IntegerField(widget=forms.HiddenInput, required=False)  # a background import


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
                "import/job/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            path(
                "import/job/<int:job_id>/status/",
                self.admin_site.admin_view(self.import_job_status_view),
                name="{}_{}_import_job_status".format(*info),
            ),
            path(
                "import/job/<int:job_id>/file/",
                self.admin_site.admin_view(self.import_job_file_view),
                name="{}_{}_import_job_file".format(*info),
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
            "background_rows": settings.IMPORT_BACKGROUND_ROWS,
            **extra,
        }

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "upload" in request.POST:
            return self._choices_made(request)
        form = ItemImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            data = b"".join(upload.chunks())
            rows = workbook_rows(data, limit=settings.IMPORT_BACKGROUND_ROWS)
            if rows >= settings.IMPORT_BACKGROUND_ROWS:
                return self._import_in_background(request, upload, data, rows)
            plan = items_import_plan(file=data, user=request.user)
            if plan.sheet_choices or plan.unplaced:
                token = upload_keep(
                    data=data,
                    user=request.user,
                    file_name=upload.name,
                    content_type=upload.content_type,
                )
                return self._ask_choices(request, plan, token, sheet="", mapping={})
            if plan.file_problem:
                form.add_error("import_file", plan.file_problem)
            else:
                return self._preview(request, plan, data, upload.name, upload.content_type)
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, self.import_template_name, self._context(request, form=form)
        )

    def _import_in_background(self, request, upload, data, rows):
        kept = import_file_keep(
            data=data, file_name=upload.name, content_type=upload.content_type, user=request.user
        )
        # The used range holds the header row too.
        job = import_job_start(user=request.user, upload=kept, total_rows=max(rows - 1, 0))
        return HttpResponseRedirect(self._url("import_job", job.pk))

    def _ask_choices(self, request, plan, token, *, sheet, mapping, form=None):
        """The page where a person chooses the sheet or places the columns before the preview."""
        if form is None:
            form = ItemImportChoiceForm(
                initial={
                    "upload": token,
                    "headers": json.dumps(list(plan.unplaced), ensure_ascii=False),
                    "chosen": json.dumps({"sheet": sheet, "mapping": mapping}, ensure_ascii=False),
                },
                sheets=plan.sheet_choices,
                unplaced=plan.unplaced,
                offered=import_column_choices_for_user(request.user),
            )
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            self.import_template_name,
            self._context(request, choice_form=form, problem=plan.file_problem, plan=plan),
        )

    def _choices_made(self, request):
        token = request.POST.get("upload", "")
        try:
            data, file_name, content_type = upload_fetch(token=token, user=request.user)
            headers = json.loads(request.POST.get("headers") or "[]")
            earlier = json.loads(request.POST.get("chosen") or "{}")
        except (PlanExpired, ValueError):
            messages.error(request, import_messages.PLAN_EXPIRED)
            return HttpResponseRedirect(self._url("import"))
        sheet = earlier.get("sheet") or request.POST.get("sheet") or None
        mapping = dict(earlier.get("mapping") or {})
        plan = items_import_plan(file=data, user=request.user, sheet=sheet, mapping=mapping)
        # Only what the posted page asked: a sheet just chosen may have columns of its own to
        # place, which the next page asks for (not refused here as missing).
        form = ItemImportChoiceForm(
            request.POST,
            sheets=plan.sheet_choices,
            unplaced={header: plan.unplaced.get(header, ()) for header in headers},
        )
        if not form.is_valid():
            return self._ask_choices(request, plan, token, sheet=sheet, mapping=mapping, form=form)
        sheet = sheet or form.cleaned_data.get("sheet") or None
        mapping.update(form.placed_columns())
        plan = items_import_plan(file=data, user=request.user, sheet=sheet, mapping=mapping)
        if plan.sheet_choices or plan.unplaced:
            return self._ask_choices(request, plan, token, sheet=sheet or "", mapping=mapping)
        upload_discard(token=token, user=request.user)
        if plan.file_problem:
            form = ItemImportForm()
            form.errors["import_file"] = form.error_class([plan.file_problem])
            request.current_app = self.admin_site.name
            return TemplateResponse(
                request, self.import_template_name, self._context(request, form=form)
            )
        return self._preview(request, plan, data, file_name, content_type)

    def _preview(self, request, plan, data, file_name, content_type):
        if plan.unchecked_from_row is not None:
            messages.warning(request, plan.unchecked_message)
        # The file is kept for the batch a confirmation records; a plan with errors records none.
        if plan.has_errors:
            kept, file_hash = None, hashlib.sha256(data).hexdigest()
        else:
            kept = import_file_keep(
                data=data, file_name=file_name, content_type=content_type, user=request.user
            )
            file_hash = kept.sha256
        token = plan_keep(
            plan=plan, user=request.user, file_hash=file_hash, file_name=file_name, upload=kept
        )
        context = self._preview_context(
            request, plan, token=token, file_hash=file_hash, file_name=file_name
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.import_preview_template_name, context)

    def _preview_context(self, request, plan, *, token, file_hash, file_name, job=None):
        """The preview of a kept plan, with the confirmation form when it has no errors."""
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
            column_readings=[
                (header, COLUMN_BY_FIELD[name].header) for header, name in plan.column_readings
            ],
            file_warnings=[w for w in plan.warnings if isinstance(w, str)],
            row_warnings=[w for w in plan.warnings if not isinstance(w, str)][:PREVIEW_ROW_LIMIT],
            confirm_form=None
            if plan.has_errors
            else ItemConfirmForm(
                initial={"token": token, "file_hash": file_hash}
                | ({} if job is None else {"job": job.pk})
            ),
            errors_url=self._url("import_errors", token),
            nothing_to_do=not plan.has_errors and counts[NEW] + counts[UPDATE] == 0,
        )
        return context

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ItemConfirmForm(request.POST)
        import_url = self._url("import")
        if not form.is_valid():
            messages.error(request, import_messages.PLAN_EXPIRED)
            return HttpResponseRedirect(import_url)
        if form.cleaned_data["job"] is not None:
            job = import_job_for_user(
                request.user, job_id=form.cleaned_data["job"], token=form.cleaned_data["token"]
            )
            if job is None:
                messages.error(request, import_messages.PLAN_EXPIRED)
                return HttpResponseRedirect(import_url)
            return self._confirm_in_background(request, job, form.cleaned_data["file_hash"])
        try:
            result = items_import_confirm(
                token=form.cleaned_data["token"],
                file_hash=form.cleaned_data["file_hash"],
                user=request.user,
            )
        except ImportProblem as problem:
            messages.error(request, problem.message)
            return HttpResponseRedirect(import_url)
        messages.success(
            request,
            import_messages.WRITTEN.format(
                new=len(result.created_ids),
                update=len(result.updated_ids),
                unchanged=len(result.unchanged_ids),
            ),
        )
        return HttpResponseRedirect(self._url("changelist"))

    def _confirm_in_background(self, request, job, file_hash):
        if file_hash != job.upload.sha256:
            messages.error(request, import_messages.PLAN_EXPIRED)
        elif not import_job_confirm(job=job, user=request.user):
            messages.error(request, import_messages.JOB_NOT_WAITING)
        return HttpResponseRedirect(self._url("import_job", job.pk))

    # A background import: its page (progress, then the choices, the preview or the result),
    # its progress (polled by static/js/admin/import_job.js) and its uploaded file. Only the
    # user who started it sees it.
    def _import_job(self, request, job_id) -> ImportJob:
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = import_job_for_user(request.user, job_id=job_id)
        if job is None:
            raise Http404
        background_job_fail_if_stalled(job)  # its worker stopped: ends here as failed
        return job

    def import_job_view(self, request, job_id):
        job = self._import_job(request, job_id)
        if request.method == "POST":
            return self._import_job_choices_made(request, job)
        return self._import_job_page(request, job)

    def _import_job_page(self, request, job, *, choice_form=None):
        context = self._context(
            request,
            job=job,
            status=_import_job_status(job),
            status_url=self._url("import_job_status", job.pk),
            file_url=self._url("import_job_file", job.pk),
        )
        if job.status == ImportJob.Status.CHOOSING:
            needed = job.choices_needed
            context.update(
                choice_form=choice_form
                or ItemImportChoiceForm(
                    initial={"upload": str(job.pk)},
                    sheets=needed.get("sheets", ()),
                    unplaced=needed.get("unplaced", {}),
                    offered=import_column_choices_for_user(request.user),
                ),
                problem=job.message,
                choice_action=self._url("import_job", job.pk),
            )
        elif job.status == ImportJob.Status.CHECKED:
            try:
                plan, _record = plan_fetch(token=job.plan_token, user=request.user)
            except ImportProblem as problem:
                messages.error(request, problem.message)
            else:
                if plan.unchecked_from_row is not None:
                    messages.warning(request, plan.unchecked_message)
                context.update(
                    self._preview_context(
                        request,
                        plan,
                        token=job.plan_token,
                        file_hash=job.upload.sha256,
                        file_name=job.upload.file_name,
                        job=job,
                    ),
                    title=_("导入预览"),
                    preview=True,
                )
        elif job.batch_id is not None:
            context["batch_url"] = reverse(
                f"{self.admin_site.name}:catalogue_importbatch_change", args=[job.batch_id]
            )
            context["items_url"] = self._url("changelist") + f"?import_batch={job.batch_id}"
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/catalogue/serviceitem/import_job.html", context)

    def _import_job_choices_made(self, request, job):
        if job.status != ImportJob.Status.CHOOSING:
            messages.error(request, import_messages.JOB_NOT_WAITING)
            return HttpResponseRedirect(self._url("import_job", job.pk))
        needed = job.choices_needed
        unplaced = needed.get("unplaced", {})
        form = ItemImportChoiceForm(
            request.POST, sheets=needed.get("sheets", ()), unplaced=unplaced
        )
        if not form.is_valid():
            return self._import_job_page(request, job, choice_form=form)
        mapping = dict(job.mapping)
        mapping.update(form.placed_columns())
        sheet = job.sheet or form.cleaned_data.get("sheet") or ""
        if not import_job_choose(job=job, sheet=sheet, mapping=mapping):
            messages.error(request, import_messages.JOB_NOT_WAITING)
        return HttpResponseRedirect(self._url("import_job", job.pk))

    def import_job_status_view(self, request, job_id):
        job = self._import_job(request, job_id)
        return JsonResponse(_import_job_status(job), json_dumps_params={"ensure_ascii": False})

    def import_job_file_view(self, request, job_id):
        job = self._import_job(request, job_id)
        return upload_response(import_file_get(upload_id=job.upload_id))

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
        except ImportProblem as problem:
            messages.error(request, problem.message)
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
        background_job_fail_if_stalled(job)  # its worker stopped: ends here as failed
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


def _import_job_status(job: ImportJob) -> dict:
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "active": job.status in ACTIVE,
        "total_rows": job.total_rows,
        "rows_read": job.rows_read,
        "rows_checked": job.rows_checked,
        "rows_to_write": job.rows_to_write,
        "rows_written": job.rows_written,
        "message": job.message,
    }


def upload_response(upload) -> HttpResponse:
    """An uploaded file given back as it arrived: its bytes, name and content type."""
    response = HttpResponse(bytes(upload.data), content_type=upload.content_type)
    response["Content-Disposition"] = _content_disposition(upload.file_name)
    return response


def _content_disposition(file_name: str) -> str:
    return content_disposition_header(as_attachment=True, filename=file_name)
