from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportPageView.as_view(), name="page"),
    path("summary.json", views.SummaryView.as_view(), name="summary"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
    path("report.docx", views.DocumentView.as_view(), name="document"),
    path("charts/<slug:slug>/", views.ChartDataView.as_view(), name="chart"),
    path("trend.json", views.TrendView.as_view(), name="trend"),
    # reports as issued
    path("issue/", views.IssueReportView.as_view(), name="issue"),
    path("issued/", views.IssuedReportListView.as_view(), name="issued"),
    path(
        "issued/<int:pk>/summary.json",
        views.IssuedReportSummaryView.as_view(),
        name="issued-summary",
    ),
    path(
        "issued/<int:pk>/compare.json",
        views.IssuedReportCompareView.as_view(),
        name="issued-compare",
    ),
    path(
        "issued/<int:pk>/<slug:kind>/",
        views.IssuedReportDocumentView.as_view(),
        name="issued-document",
    ),
]
