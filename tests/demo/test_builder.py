"""The demo catalogue's builder, without a database (tests/demo/test_figures.py checks the
loaded catalogue against the 光明区 report)."""

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from catalogue.choices import HandlingType
from catalogue.rules import item_rule_errors
from catalogue.validators import validate_credit_code
from demo import builder
from demo.builder import build_demo_catalogue, organization_code

# The sha256 of the built catalogue as JSON: the same catalogue since its data moved from a
# Python module into demo/data/. Change it only with a deliberate change of the demo.
CATALOGUE_SHA256 = "bdb474adab7bc30108f85de9b3799d684c3b9089b273832e6fbad4c1ce254703"


def _sha256(catalogue) -> str:
    data = json.dumps(asdict(catalogue), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def test_build_gives_exactly_the_pinned_catalogue():
    assert _sha256(build_demo_catalogue()) == CATALOGUE_SHA256


def test_build_is_deterministic():
    assert build_demo_catalogue() == build_demo_catalogue()


def _fingerprint_script():
    return (
        "import django, hashlib, json, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.test');"
        "django.setup();"
        "from dataclasses import asdict;"
        "from demo.builder import build_demo_catalogue;"
        "data = json.dumps(asdict(build_demo_catalogue()), ensure_ascii=False, sort_keys=True);"
        "print(hashlib.sha256(data.encode()).hexdigest())"
    )


def test_build_is_the_same_in_other_interpreters():
    expected = _sha256(build_demo_catalogue())
    root = Path(__file__).resolve().parents[2]
    for hash_seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", _fingerprint_script()],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == expected


def test_every_built_item_passes_the_rules_that_need_no_database():
    # The main-item rule compares saved departments; the load service checks it (tests below).
    broken = {
        item["code"]: item_rule_errors(
            {key: value for key, value in item.items() if key not in ("department", "main_item")}
        )
        for item in build_demo_catalogue().items
    }
    assert {code: errors for code, errors in broken.items() if errors} == {}


def test_build_refuses_quotas_that_do_not_cover_every_item(monkeypatch):
    monkeypatch.setattr(
        builder, "HANDLING_QUOTAS", ((HandlingType.IMMEDIATE, 279), (HandlingType.PROMISED, 400))
    )
    with pytest.raises(ValueError, match="quotas for 679 items dealt over 681 items"):
        build_demo_catalogue()


def test_organization_code_check_character_follows_gb_11714():
    assert organization_code("D2143569") == "D2143569X"


def test_built_codes_are_unique_and_made_of_credit_code_level_and_basic_code():
    catalogue = build_demo_catalogue()
    credit_codes = {row["name"]: row["credit_code"] for row in catalogue.departments}
    codes = [item["code"] for item in catalogue.items]

    assert len(set(codes)) == len(codes)
    for item in catalogue.items:
        assert len(item["code"]) == 31
        assert item["code"][:18] == credit_codes[item["department"]]
        assert item["code"][18] in "45"
        assert item["code"][19:] == item["basic_code"]
        assert len(item["basic_code"]) == 12


def test_built_departments_have_valid_unique_credit_codes():
    credit_codes = [row["credit_code"] for row in build_demo_catalogue().departments]

    for credit_code in credit_codes:
        validate_credit_code(credit_code)
    assert len(set(credit_codes)) == len(credit_codes)
