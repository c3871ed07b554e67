import openpyxl
import pytest

from benchmarks.management.commands import benchmark_import
from catalogue.importing.columns import COLUMNS
from catalogue.importing.plan import NEW
from catalogue.models import ImportBatch, ServiceItem
from tests.factories import MobileChannelFactory

pytestmark = pytest.mark.django_db

SIZE = 40


@pytest.fixture
def synthetic_file(tmp_path):
    # Seeded by migration 0002, gone after a transactional test's flush: get or create.
    for name in ("粤省事", "微信公众号"):
        MobileChannelFactory(name=name)
    benchmark_import._task_seed({})
    return benchmark_import.Command()._synthetic_file(tmp_path, SIZE)


def test_synthetic_rows_follow_the_columns_order():
    rows = list(benchmark_import._synthetic_rows(3))

    assert [len(row) for row in rows] == [len(COLUMNS)] * 3
    code_column = [column.field for column in COLUMNS].index("code")
    assert [row[code_column] for row in rows] == [f"11440300MB2C{n:019d}" for n in range(3)]


def test_synthetic_file_holds_the_header_and_one_row_per_item(synthetic_file):
    sheet = openpyxl.load_workbook(synthetic_file, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))

    assert list(rows[0][: len(COLUMNS)]) == [column.header for column in COLUMNS]
    assert len(rows) == SIZE + 1


def test_import_task_imports_every_synthetic_row_as_new(synthetic_file):
    result = benchmark_import._task_import({"file": str(synthetic_file)})

    assert result["counts"] == {"new": SIZE, "update": 0, "unchanged": 0, "error": 0}
    assert result["counts"][NEW] == ServiceItem.objects.count() == SIZE
    assert ImportBatch.objects.get().created_count == SIZE
    assert result["queries"] > 0
    assert result["total"] == pytest.approx(result["parse"] + result["validate"] + result["write"])


def test_export_task_writes_every_item(synthetic_file, tmp_path):
    benchmark_import._task_import({"file": str(synthetic_file)})

    result = benchmark_import._task_export({"file": str(tmp_path / "export.xlsx")})

    assert result["rows"] == SIZE
    sheet = openpyxl.load_workbook(tmp_path / "export.xlsx", read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows()) == SIZE + 1


def test_stock_task_imports_the_same_file_row_by_row_without_errors(synthetic_file):
    # As in the benchmark: the first import has created the main items the seed left out.
    benchmark_import._task_import({"file": str(synthetic_file)})
    benchmark_import._task_flush({})
    ImportBatch.objects.all().delete()

    result = benchmark_import._task_stock({"file": str(synthetic_file)})

    assert result["errors"] is False
    assert ServiceItem.objects.count() == SIZE
    assert not ImportBatch.objects.exists()  # the stock path records no import batch
    assert set(ServiceItem.objects.values_list("code", flat=True)) == {
        f"11440300MB2C{n:019d}" for n in range(SIZE)
    }
    assert not ServiceItem.objects.filter(entrusting_body__isnull=True).exists()
    assert result["queries"] >= SIZE


def test_flush_task_empties_the_catalogue(synthetic_file):
    benchmark_import._task_import({"file": str(synthetic_file)})

    benchmark_import._task_flush({})

    assert not ServiceItem.objects.exists()


def test_tasks_run_with_the_development_settings(monkeypatch, tmp_path):
    seen = {}

    def fake_run(command, env, **kwargs):
        seen.update(command=command, env=env)
        return type("Completed", (), {"returncode": 0, "stdout": 'RESULT {"ok": 1}\n'})()

    monkeypatch.setattr(benchmark_import.subprocess, "run", fake_run)

    assert benchmark_import._run_task("sqlite:///x", "seed") == {"ok": 1}
    assert seen["env"]["DJANGO_SETTINGS_MODULE"] == "config.settings.dev"
    assert seen["command"][-3:] == ["benchmark_import", "--task", "seed"]
