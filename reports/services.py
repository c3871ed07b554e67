"""Writes of the reports app: freezing a report as issued."""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import IssuedReport, IssuedReportDocument
from .report import Report


@transaction.atomic
def issued_report_create(
    *,
    title: str,
    report: Report,
    query: str,
    documents: list[tuple[str, str, str, bytes]],
    user,
) -> IssuedReport:
    """Keep `report` as issued: its summary.json and each document (kind, file name, content
    type, bytes) exactly as they are now. The title is checked by the database (not empty)."""
    as_of: datetime.date = report.as_of or timezone.localdate()
    issued = IssuedReport(
        title=title.strip(), as_of=as_of, query=query, summary=report.as_summary(), issued_by=user
    )
    issued.full_clean()
    issued.save()
    IssuedReportDocument.objects.bulk_create(
        IssuedReportDocument(
            report=issued, kind=kind, file_name=file_name, content_type=content_type, content=data
        )
        for kind, file_name, content_type, data in documents
    )
    return issued
