import errno

import pytest

from catalogue.text import os_error_reason


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (errno.ENOENT, "文件或文件夹不存在"),
        (errno.EACCES, "没有读写这个文件的权限"),
        (errno.EPERM, "没有读写这个文件的权限"),
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EROFS, "这个位置只能读、不能写"),
        (errno.EISDIR, "这是一个文件夹，请给出文件名"),
        (errno.ENOTDIR, "路径中的某一级不是文件夹"),
        (errno.ENAMETOOLONG, "文件名太长"),
    ],
)
def test_an_os_error_is_explained_in_chinese(number, reason):
    assert os_error_reason(OSError(number, "English text of the system")) == reason


def test_an_unusual_os_error_is_named_by_its_code_not_by_the_systems_english():
    reason = os_error_reason(OSError(errno.EIO, "Input/output error"))

    assert reason == "操作系统报告错误 EIO"
    assert "Input/output" not in reason


def test_an_os_error_without_a_number_still_reads_as_chinese():
    assert os_error_reason(OSError("something")) == "操作系统报告错误"
