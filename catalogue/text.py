"""Text for people, in the active language (not for files: the Excel format keeps its 、)."""

import errno

from django.utils.translation import pgettext


def join_list(items) -> str:
    """["A", "B", "C"] → "A、B、C" in Chinese, "A, B, C" in English."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def end_sentence() -> str:
    return pgettext("end of a sentence", "。")


# Why a file could not be read or written, for the command line: the operating system's own
# text (OSError.strerror) is English.
_OS_ERROR_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有读写这个文件的权限",
    errno.EPERM: "没有读写这个文件的权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "这个位置只能读、不能写",
    errno.EISDIR: "这是一个文件夹，请给出文件名",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.ENAMETOOLONG: "文件名太长",
}


def os_error_reason(error: OSError) -> str:
    """Why `error` happened, in Chinese; an unusual error by its code (EIO …)."""
    if error.errno in _OS_ERROR_REASONS:
        return _OS_ERROR_REASONS[error.errno]
    code = errno.errorcode.get(error.errno) if error.errno is not None else None
    return f"操作系统报告错误 {code}" if code else "操作系统报告错误"
