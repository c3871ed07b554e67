"""Text for people, in the active language (not for files: the Excel format keeps its 、)."""

from django.utils.translation import pgettext


def join_list(items) -> str:
    """["A", "B", "C"] → "A、B、C" in Chinese, "A, B, C" in English."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def end_sentence() -> str:
    return pgettext("end of a sentence", "。")
