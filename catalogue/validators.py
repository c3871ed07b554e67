import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the alphabet of the 统一社会信用代码 and the weights of its check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first_17: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first_17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != 18 or any(char not in CREDIT_CODE_ALPHABET for char in value):
        raise ValidationError(
            _("统一社会信用代码：应为 18 位数字或大写字母（不含 I、O、Z、S、V）。"),
            code="credit_code_format",
        )
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("统一社会信用代码：校验位不正确，请核对。"), code="credit_code_checksum"
        )


# Text may hold tabs and line breaks; no other control character (NUL cannot even be stored
# on PostgreSQL, and the others are invisible on screen and in Excel).
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str) -> tuple[int, str] | None:
    """The first forbidden control character of `text`: (1-based position, "U+0000"), or None.

    The one rule for text given by a person or a file (the admin form and the import)."""
    found = _CONTROL_CHARACTER.search(text)
    if found is None:
        return None
    return found.start() + 1, f"U+{ord(found.group()):04X}"


def validate_no_control_characters(value: str) -> None:
    found = control_character(value or "")
    if found is not None:
        position, character = found
        raise ValidationError(
            _("含有不可见的控制字符 %(character)s（第 %(position)s 个字符），请删除。"),
            code="control_character",
            params={"character": character, "position": position},
        )
