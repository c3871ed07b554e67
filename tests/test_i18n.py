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
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What `make messages` reads for the django domain (it skips .venv, tests and staticfiles).
SOURCE_DIRS = ("catalogue", "config", "reports", "templates")
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
