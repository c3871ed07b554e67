"""The English catalogue (locale/en): complete, and placeholders kept in every translation."""

import re
import shutil
from collections import Counter
from contextlib import chdir
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.html import escape

from catalogue.choices import Tier
from catalogue.importing.columns import HEADERS
from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.factories import ServiceItemFactory
from tests.reports.conftest import make_varied_items

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What `make messages` reads for the django domain (it skips .venv, tests and staticfiles).
SOURCE_DIRS = ("benchmarks", "catalogue", "config", "demo", "reports", "templates")
# %(name)s and %s (gettext's python-format), {name} and {} (str.format messages).
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_FILE))


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """The catalogue as `make messages` would refresh it, built from a scratch copy."""
    root = tmp_path_factory.mktemp("messages")
    for name in SOURCE_DIRS:
        (root / name).symlink_to(Path(settings.BASE_DIR) / name, target_is_directory=True)
    po_file = root / "locale" / "en" / "LC_MESSAGES" / "django.po"
    po_file.parent.mkdir(parents=True)
    shutil.copy(PO_FILE, po_file)
    with override_settings(LOCALE_PATHS=[root / "locale"]), chdir(root):
        call_command("makemessages", locale=["en"], symlinks=True, no_obsolete=True, verbosity=0)
    return polib.pofile(str(po_file))


def _messages(po) -> set:
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


def test_catalogue_holds_exactly_the_messages_of_the_code(catalogue, refreshed):
    """Fails after strings are added or changed without `make messages` (and translating)."""
    assert _messages(refreshed) - _messages(catalogue) == set(), "run `make messages`"
    assert _messages(catalogue) - _messages(refreshed) == set(), "run `make messages`"


def test_every_message_is_translated(catalogue):
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]

    assert untranslated == []


def test_no_translation_is_fuzzy(catalogue):
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_catalogue_keeps_no_obsolete_messages(catalogue):
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []


def test_translations_keep_every_placeholder_of_their_message(catalogue):
    mismatched = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if index == 0 else entry.msgid_plural, text)
                for index, text in sorted(entry.msgstr_plural.items())
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        mismatched += [
            (source, text) for source, text in pairs if placeholders(source) != placeholders(text)
        ]

    assert mismatched == []


def test_placeholder_check_sees_both_kinds_of_placeholder():
    found = placeholders("第 {row} 行，%(count)d 项，{}")

    assert found == Counter({"{row}": 1, "%(count)d": 1, "{}": 1})
    assert placeholders("占比50%。") == Counter()


@pytest.mark.parametrize("model", list(apps.get_app_config("catalogue").get_models()))
def test_every_model_has_an_english_plural_of_its_own(model):
    with translation.override("en"):
        singular, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)

    assert singular != plural
    assert not re.search(r"[\u4e00-\u9fff]", singular + plural)


# --- pages in each language -------------------------------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
REPORT = reverse_lazy("reports:page")
IMPORT = reverse_lazy("admin:catalogue_serviceitem_import")
CHANGELIST = reverse_lazy("admin:catalogue_serviceitem_changelist")


@pytest.fixture(autouse=True)
def _language_restored():
    # LocaleMiddleware activates the request's language for the whole thread.
    with translation.override(settings.LANGUAGE_CODE):
        yield


def switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


def chinese_outside(html: str, data_values) -> list[str]:
    """Lines of `html` that still hold Chinese once the given data values are taken out."""
    for value in sorted({str(value) for value in data_values if value}, key=len, reverse=True):
        html = html.replace(str(escape(value)), "")
    return [line.strip() for line in html.splitlines() if CJK.search(line)]


def catalogue_data_values() -> list[str]:
    """Names staff typed in: they stay as they are in every language."""
    return [
        *Department.objects.values_list("name", flat=True),
        *Department.objects.values_list("short_name", flat=True),
        *Sector.objects.values_list("name", flat=True),
        *MobileChannel.objects.values_list("name", flat=True),
        *ServiceItem.objects.values_list("name", flat=True),
        *MainItem.objects.values_list("name", flat=True),
        # The region and the issuing unit are names the deployment gives (settings).
        settings.REPORT_REGION,
        settings.REPORT_ISSUER,
    ]


@pytest.mark.django_db
def test_report_page_is_in_chinese_by_default(admin_client):
    make_varied_items(30)

    html = admin_client.get(REPORT).content.decode()

    assert '<html lang="zh-hans">' in html
    assert f"<h1>{settings.REPORT_REGION}政务服务事项统计报告</h1>" in html
    assert "<h3>实施主体事项分布</h3>" in html
    assert '<span class="filter-chip">事项状态：在用</span>' in html
    assert "市区两级" in html
    assert "Service item" not in html


@pytest.mark.django_db
def test_report_page_is_in_english_after_switching_language(admin_client):
    make_varied_items(30)
    switch_to_english(admin_client)

    response = admin_client.get(REPORT)
    html = response.content.decode()

    assert '<html lang="en">' in html
    assert f"<h1>{settings.REPORT_REGION} Service item statistics report</h1>" in html
    assert "<h3>Items by implementing department</h3>" in html
    assert '<span class="filter-chip">Status: In use</span>' in html
    assert "City–District" in html
    assert response.context["chart_data"]["handling-type"]["tooltip_format"] == (
        "{label}: {value} {unit} ({share}%)"
    )
    assert chinese_outside(html, ["简体中文", *catalogue_data_values()]) == []


@pytest.mark.django_db
def test_report_page_is_chinese_whatever_the_browser_language(admin_client):
    # Chinese first: only the language switch chooses English (config/language.py).
    make_varied_items(5)

    english = admin_client.get(REPORT, headers={"accept-language": "en-GB,en;q=0.8"})
    chinese = admin_client.get(REPORT, headers={"accept-language": "zh-CN,zh;q=0.9"})

    title = f"<h1>{settings.REPORT_REGION}政务服务事项统计报告</h1>"
    assert title in english.content.decode()
    assert title in chinese.content.decode()


@pytest.mark.django_db
def test_import_page_is_in_chinese_by_default(admin_client):
    html = admin_client.get(IMPORT).content.decode()

    assert '<html lang="zh-hans"' in html
    assert "上传按模板填写的 Excel 文件（.xlsx，最大 20.0\xa0MB）。" in html
    assert 'value="检查并预览"' in html


@pytest.mark.django_db
def test_import_page_is_in_english_after_switching_language(admin_client):
    switch_to_english(admin_client)

    html = admin_client.get(IMPORT).content.decode()

    assert '<html lang="en"' in html
    assert "Upload an Excel file (.xlsx, at most 20.0\xa0MB) filled in from the template." in html
    assert 'value="Check and preview"' in html
    assert "<title>Import service items | Service catalogue</title>" in html
    # The language switcher names each language in that language.
    assert chinese_outside(html, ["简体中文"]) == []


@pytest.mark.django_db
def test_import_preview_in_english_explains_errors_with_the_chinese_values_to_type(
    admin_client, department, other_department, sector
):
    switch_to_english(admin_client)
    upload = SimpleUploadedFile("items.xlsx", xlsx_bytes([valid_row(办件类型="Immediate item")]))

    response = admin_client.post(IMPORT, {"import_file": upload})
    html = response.content.decode()

    assert "The file has errors, so nothing was imported." in html
    assert "Not an allowed value. Allowed: 即办件、承诺件." in html
    # Left over: the file's own headers and values, and the values to type instead.
    file_text = [*HEADERS, *valid_row().values(), "即办件、承诺件"]
    assert chinese_outside(html, ["简体中文", *file_text]) == []


@pytest.mark.django_db
def test_item_changelist_in_english_shows_chinese_only_in_data(admin_client, refs):
    ServiceItemFactory(
        department=refs.department, sector=refs.sector, tiers=Tier.CITY | Tier.COUNTY
    )
    switch_to_english(admin_client)

    html = admin_client.get(CHANGELIST).content.decode()

    assert "City–District" in html
    assert chinese_outside(html, ["简体中文", *catalogue_data_values()]) == []
