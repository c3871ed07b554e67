"""The English catalogue (locale/en): complete, and placeholders kept in every translation."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
# %(name)s and %s (gettext's python-format), {name} and {} (str.format messages).
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_FILE))


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
