"""Production settings load neither the demo nor the benchmarks, and the product never imports
them."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_APPS = ("demo", "benchmarks")


def test_base_settings_install_neither_the_demo_nor_the_benchmarks():
    base = importlib.import_module("config.settings.base")

    assert not set(DEVELOPMENT_APPS) & set(base.INSTALLED_APPS)


def test_development_settings_install_both_after_the_product():
    dev = importlib.import_module("config.settings.dev")
    base = importlib.import_module("config.settings.base")

    assert [*base.INSTALLED_APPS, *DEVELOPMENT_APPS] == dev.INSTALLED_APPS


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("package", ["catalogue", "reports", "config"])
def test_the_product_never_imports_the_demo_or_the_benchmarks(package):
    offending = {
        str(path.relative_to(ROOT)): sorted(
            module for module in _imported_modules(path) if module.split(".")[0] in DEVELOPMENT_APPS
        )
        for path in (ROOT / package).rglob("*.py")
    }

    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_the_admin_index_names_the_background_tasks_in_chinese(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert "后台任务" in page
    assert "Tasks Database Backend" not in page
    assert "Task Results" not in page


def test_the_admin_index_names_the_background_tasks_in_english(admin_client):
    admin_client.cookies["django_language"] = "en"

    page = admin_client.get("/admin/").content.decode()

    assert "Background tasks" in page
