from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportPageView.as_view(), name="page"),
    path("summary.json", views.SummaryView.as_view(), name="summary"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
    path("report.docx", views.DocumentView.as_view(), name="document"),
    path("charts/<slug:slug>/", views.ChartDataView.as_view(), name="chart"),
]
