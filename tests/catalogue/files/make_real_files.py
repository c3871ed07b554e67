"""Build the department-style workbooks of tests/catalogue/files/real/ (issue 10). Run by hand.

    .venv/bin/pip install pandas          # not a project dependency: only this script needs it
    .venv/bin/python tests/catalogue/files/make_real_files.py [SHAPE ...]

Needs LibreOffice (`soffice`, Debian's libreoffice-calc-nogui) on the PATH. Each shape is saved
three ways, because each writer stores cells differently:

- `<shape>.openpyxl.xlsx`: written cell by cell with openpyxl (numbers exactly as Python holds
  them, merged titles, hidden sheets);
- `<shape>.pandas.xlsx`: `DataFrame.to_excel(engine="openpyxl")`, the header from the frame's
  columns, title rows and merges added through the writer's sheet;
- `<shape>.libreoffice.xlsx`: the openpyxl file opened and saved again by LibreOffice
  (`soffice --headless --convert-to xlsx`), which stores numbers as doubles and rewrites styles.

The committed files are what the tests read: CI needs neither LibreOffice nor pandas. Rerun the
script only to change a shape, and update real/README.md and the tests with it.
"""

import datetime
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent / "real"

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from catalogue.importing.columns import HEADERS  # noqa: E402
from catalogue.validators import credit_code_check_character  # noqa: E402
from tests.catalogue.importing_support import OTHER_DEPARTMENT, valid_row  # noqa: E402

TITLE = "深圳市光明区住房和建设局政务服务事项实施清单（2025年）"
# A valid 统一社会信用代码 for the department of `valid_row`; the tests give it to that department.
CREDIT_CODE = "11440300MB2C00000" + credit_code_check_character("11440300MB2C00000")


@dataclass
class SheetShape:
    title: str
    header: list
    rows: list  # lists of cells, in header order
    title_rows: list = field(default_factory=list)  # rows of cells above the header
    merge_title: bool = False
    hidden: bool = False
    number_formats: dict = field(default_factory=dict)  # header -> Excel number format


def renamed(renames: dict, *, drop=(), before=(), after=()) -> list:
    """The template's headers with some renamed and some dropped, plus extra columns."""
    return [*before, *(renames.get(h, h) for h in HEADERS if h not in drop), *after]


def cells(header: list, renames: dict, **overrides) -> list:
    """A `valid_row` laid out under `header` (renamed headers read the template's value)."""
    back = {new: old for old, new in renames.items()}
    row = valid_row()
    row.update({back.get(key, key): value for key, value in overrides.items()})
    return [row.get(back.get(h, h), overrides.get(h, "")) for h in header]


def one_sheet(header, rows, **options):
    return [SheetShape("事项", header, rows, **options)]


PROVINCIAL = {
    "是否进驻大厅": "是否进驻政务大厅",
    "是否网办": "是否支持网上办理",
    "网上办理深度": "网办深度",
    "到办事现场次数": "跑动次数",
    "法定办结时限": "法定期限",
    "监督投诉电话": "投诉电话",
}
NATIONAL = {
    "法定时限单位": "法定办结时限单位",
    "承诺时限单位": "承诺办结时限单位",
    "必须现场办理原因": "办理现场办理原因说明",
    "咨询电话": "咨询方式",
    "监督投诉电话": "监督投诉方式",
}
OTHER_NAMES = {"实施编码": "事项编码", "事项类型": "事项类别", "所属行业": "所属领域",
               "承诺办结时限": "承诺期限"}  # fmt: skip


def shapes() -> dict:
    provincial = renamed(PROVINCIAL, drop=("法定时限单位",))
    national = renamed(NATIONAL)
    other = renamed(OTHER_NAMES)
    template = list(HEADERS)
    without_counted = renamed(
        {},
        drop=(
            "到办事现场次数",
            "必须现场办理原因",
            "是否秒批",
            "是否指尖办",
            "指尖办渠道",
            "指尖办服务",
        ),
    )
    result = {
        "provincial_headers": one_sheet(
            provincial,
            [
                cells(
                    provincial,
                    PROVINCIAL,
                    实施编码="P-01",
                    跑动次数="0次",
                    法定期限="20个工作日",
                    网办深度="Ⅳ",
                    投诉电话="0755-12345",
                ),
                cells(
                    provincial,
                    PROVINCIAL,
                    实施编码="P-02",
                    跑动次数="1次",
                    法定期限="15个工作日",
                    网办深度="Ⅲ",
                    必须现场办理原因="需核验原件",
                    是否进驻政务大厅="否",
                ),
            ],
        ),
        "national_names": one_sheet(
            national,
            [
                cells(
                    national,
                    NATIONAL,
                    实施编码="N-01",
                    到办事现场次数=1,
                    办理现场办理原因说明="需现场勘验",
                    网上办理深度="Ⅲ",
                    法定办结时限单位="自然日",
                    法定办结时限=30,
                    承诺办结时限单位="自然日",
                    承诺办结时限=10,
                    咨询方式="0755-88211234",
                    监督投诉方式="0755-12345",
                ),
            ],
        ),
        "other_element_names": one_sheet(
            other,
            [
                cells(
                    other,
                    OTHER_NAMES,
                    事项编码="O-01",
                    事项类别="行政确认",
                    所属领域="住房和城乡建设",
                    承诺期限=3,
                ),
            ],
        ),
        "hidden_sheet_first": [
            SheetShape(
                "2024",
                template,
                [cells(template, {}, 事项名称="去年的名称", 承诺办结时限=9)],
                hidden=True,
            ),
            SheetShape(
                "2025", template, [cells(template, {}, 事项名称="今年的名称", 承诺办结时限=4)]
            ),
        ],
        "time_limits_in_cells": one_sheet(
            template,
            [
                cells(
                    template,
                    {},
                    实施编码="T-01",
                    法定办结时限="30自然日",
                    法定时限单位="",
                    承诺办结时限="15个自然日",
                    承诺时限单位="",
                ),
                cells(
                    template,
                    {},
                    实施编码="T-02",
                    法定办结时限="30个自然日",
                    法定时限单位="",
                    承诺办结时限=10,
                    承诺时限单位="自然日",
                ),
                cells(
                    template,
                    {},
                    实施编码="T-03",
                    办件类型="即办件",
                    法定办结时限="无",
                    法定时限单位="",
                    承诺办结时限="即办",
                    承诺时限单位="",
                ),
                cells(
                    template, {}, 实施编码="T-04", 法定办结时限="20个工作日", 法定时限单位="工作日"
                ),
            ],
        ),
        "time_limit_in_days": one_sheet(
            template,
            [
                cells(
                    template,
                    {},
                    实施编码="T-10",
                    法定办结时限="10天",
                    法定时限单位="",
                    承诺办结时限=5,
                    承诺时限单位="工作日",
                ),
            ],
        ),
        "time_limit_unit_conflict": one_sheet(
            template,
            [
                cells(
                    template, {}, 实施编码="T-20", 法定办结时限="20个工作日", 法定时限单位="自然日"
                ),
            ],
        ),
        "fee_words": one_sheet(
            template,
            [
                cells(template, {}, 实施编码="F-01", 是否收费="不收费", 收费依据=""),
                cells(
                    template,
                    {},
                    实施编码="F-02",
                    是否收费="收费",
                    收费依据="《不动产登记收费标准》",
                ),
            ],
        ),
        "code_in_number_cell": one_sheet(
            template,
            [
                # 15 digits and 12 digits: a double holds them exactly.
                cells(template, {}, 实施编码=123456789012345, 基本编码=440300000001),
            ],
        ),
        "code_18_digits_in_number_cell": one_sheet(
            template,
            [
                # Every writer stores the double nearest to it: 9.144030012345679e+17.
                cells(template, {}, 实施编码=914403001234567890),
            ],
        ),
        "code_rounded_by_excel": one_sheet(
            template,
            [
                # What Excel holds after a clerk typed 914403001234567890 into a General cell.
                cells(template, {}, 实施编码=9.14403001234568e17),
            ],
        ),
        "basic_code_lost_zero": one_sheet(
            template,
            [
                cells(template, {}, 实施编码="B-01", 基本编码=12345678901),
            ],
        ),
        "title_row_merged": one_sheet(
            template, [cells(template, {}, 实施编码="H-01")], title_rows=[[TITLE]], merge_title=True
        ),
        "title_rows_plain": one_sheet(
            template,
            [cells(template, {}, 实施编码="H-02")],
            title_rows=[[TITLE], ["填报单位：深圳市光明区住房和建设局"]],
        ),
        "serial_number_column": one_sheet(
            renamed({}, before=("序号",)),
            [
                [1, *cells(template, {}, 实施编码="S-01")],
                [2, *cells(template, {}, 实施编码="S-02")],
            ],
        ),
        "date_in_time_limit": one_sheet(
            template,
            [
                cells(template, {}, 实施编码="D-01", 法定办结时限=datetime.datetime(2024, 1, 5)),
            ],
            number_formats={"法定办结时限": "yyyy-mm-dd"},
        ),
        "national_code_values": one_sheet(
            template,
            [
                cells(
                    template,
                    {},
                    实施编码="C-01",
                    权力来源="1",
                    行使层级="3,4",
                    办件类型="2",
                    事项状态="1",
                ),
                cells(
                    template,
                    {},
                    实施编码="C-02",
                    权力来源=5,
                    委托部门="深圳市住房和建设局",
                    行使层级=4,
                    办件类型=1,
                    承诺办结时限=0,
                    事项状态=2,
                ),
            ],
        ),
        "blank_cells_on_update": one_sheet(
            template,
            [
                # Row 2: blanks everywhere but the code and the required columns; the tests create
                # U-01 first with stored values in those cells.
                [
                    (
                        "U-01"
                        if h == "实施编码"
                        else valid_row()[h]
                        if h
                        in ("事项名称", "实施主体", "所属行业", "事项类型", "办件类型", "行使层级")
                        else ""
                    )
                    for h in template
                ],
                # Row 3: 清空 clears 咨询电话; 是否网办 否 makes the blank 网上办理深度 clear.
                cells(
                    template,
                    {},
                    实施编码="U-02",
                    咨询电话="清空",
                    是否网办="否",
                    网上办理深度="",
                    是否秒批="否",
                    设定依据="",
                    办理地点="",
                ),
            ],
        ),
        "columns_like_no_element": one_sheet(
            renamed({}, after=("备注", "服务对象")),
            [
                [*cells(template, {}, 实施编码="L-01"), "2025年新增", "企业法人"],
            ],
        ),
        "column_resembling_an_element": one_sheet(
            renamed({"承诺办结时限": "办结时限"}),
            [
                cells(
                    renamed({"承诺办结时限": "办结时限"}),
                    {"承诺办结时限": "办结时限"},
                    实施编码="R-01",
                    办结时限=7,
                ),
            ],
        ),
        "several_candidate_sheets": [
            SheetShape("住房和建设局", template, [cells(template, {}, 实施编码="M-01")]),
            SheetShape(
                "民政局",
                template,
                [
                    cells(
                        template,
                        {},
                        实施编码="M-02",
                        实施主体=OTHER_DEPARTMENT,
                        所属行业="住房和城乡建设",
                    )
                ],
            ),
        ],
        "counted_columns_missing": one_sheet(
            without_counted, [cells(without_counted, {}, 实施编码="K-01")]
        ),
        "code_check_against_credit_code": one_sheet(
            template,
            [
                cells(
                    template, {}, 实施编码=f"{CREDIT_CODE}4440300000001", 基本编码="440300000001"
                ),
                cells(
                    template, {}, 实施编码=f"{CREDIT_CODE}4440300000002", 基本编码="440300000009"
                ),
                cells(
                    template,
                    {},
                    实施编码="11440300000000000X4440300000003",
                    基本编码="440300000003",
                ),
            ],
        ),
    }
    return result


def write_openpyxl(sheets: list, path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for shape in sheets:
        sheet = workbook.create_sheet(shape.title)
        for row in shape.title_rows:
            sheet.append(row)
        sheet.append(shape.header)
        for row in shape.rows:
            sheet.append(row)
        _finish(sheet, shape)
    _activate_first_visible(workbook, sheets)
    workbook.save(path)


def write_pandas(sheets: list, path: Path) -> None:
    import pandas

    with pandas.ExcelWriter(path, engine="openpyxl") as writer:
        for shape in sheets:
            frame = pandas.DataFrame(
                [[None if cell == "" else cell for cell in row] for row in shape.rows],
                columns=shape.header,
            )
            frame.to_excel(writer, sheet_name=shape.title, index=False,
                           startrow=len(shape.title_rows))  # fmt: skip
            sheet = writer.sheets[shape.title]
            for number, row in enumerate(shape.title_rows, start=1):
                for column, value in enumerate(row, start=1):
                    sheet.cell(number, column, value)
            _finish(sheet, shape)
        _activate_first_visible(writer.book, sheets)


def _finish(sheet, shape: SheetShape) -> None:
    if shape.merge_title:
        sheet.merge_cells(f"A1:{get_column_letter(len(shape.header))}1")
    if shape.hidden:
        sheet.sheet_state = "hidden"
    header_row = len(shape.title_rows) + 1
    for header, number_format in shape.number_formats.items():
        column = shape.header.index(header) + 1
        for row in range(header_row + 1, header_row + 1 + len(shape.rows)):
            sheet.cell(row, column).number_format = number_format


def _activate_first_visible(workbook, sheets: list) -> None:
    # Excel refuses a workbook whose active sheet is hidden.
    workbook.active = next(i for i, shape in enumerate(sheets) if not shape.hidden)


def save_with_libreoffice(source: Path, path: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{scratch}/profile", "--headless",
             "--convert-to", "xlsx", "--outdir", f"{scratch}/out", str(source)],
            check=True, capture_output=True,
        )  # fmt: skip
        shutil.move(f"{scratch}/out/{source.name}", path)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:])  # shape names; none: every shape
    for name, sheets in shapes().items():
        if wanted and name not in wanted:
            continue
        openpyxl_path = OUT / f"{name}.openpyxl.xlsx"
        write_openpyxl(sheets, openpyxl_path)
        write_pandas(sheets, OUT / f"{name}.pandas.xlsx")
        save_with_libreoffice(openpyxl_path, OUT / f"{name}.libreoffice.xlsx")
        print(name)


if __name__ == "__main__":
    main()
