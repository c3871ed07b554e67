import pytest
from django.core.exceptions import ValidationError

from catalogue.validators import credit_code_check_character, validate_credit_code

FORMAT_MESSAGE = "统一社会信用代码：应为 18 位数字或大写字母（不含 I、O、Z、S、V）。"
CHECKSUM_MESSAGE = "统一社会信用代码：校验位不正确，请核对。"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91350100M000100Y43", id="example-of-gb-32100"),
        pytest.param("91440300708461136T", id="check-character-a-letter"),
        pytest.param("914403001922038216", id="all-digits"),
    ],
)
def test_valid_credit_code_passes(code):
    assert validate_credit_code(code) is None


def test_check_character_is_computed_with_the_standard_weights():
    assert credit_code_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "message", "error_code"),
    [
        pytest.param("91350100M000100Y4", FORMAT_MESSAGE, "credit_code_format", id="17-characters"),
        pytest.param(
            "91350100M000100Y430", FORMAT_MESSAGE, "credit_code_format", id="19-characters"
        ),
        pytest.param("91350100M00010OY43", FORMAT_MESSAGE, "credit_code_format", id="letter-O"),
        pytest.param("91350100m000100y43", FORMAT_MESSAGE, "credit_code_format", id="lower-case"),
        pytest.param(
            "91350100M000100Y44", CHECKSUM_MESSAGE, "credit_code_checksum", id="bad-checksum"
        ),
    ],
)
def test_bad_credit_code_is_refused_with_its_message(code, message, error_code):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)

    assert error.value.messages == [message]
    assert error.value.code == error_code
