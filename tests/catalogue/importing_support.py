"""Building Excel files in tests, and the reference data every import test needs."""

import io

import openpyxl

from catalogue.importing.columns import HEADERS

DEPARTMENT = "深圳市光明区住房和建设局"
OTHER_DEPARTMENT = "深圳市光明区民政局"
SECTOR = "住房和城乡建设"


def valid_row(**overrides) -> dict:
    """A complete, valid row as a department would type it (simplified labels)."""
    row = {
        "实施编码": "11440300MB2C0000000000000000001",
        "事项名称": "建筑工程施工许可证核发",
        "基本编码": "440300000001",
        "主项名称": "",
        "实施主体": DEPARTMENT,
        "所属行业": SECTOR,
        "事项类型": "行政许可",
        "权力来源": "法定本级行使",
        "委托部门": "",
        "办件类型": "承诺件",
        "行使层级": "市级、区级",
        "是否进驻大厅": "是",
        "是否一窗办理": "否",
        "是否综合窗口受理": "是",
        "是否网办": "是",
        "网上办理深度": "Ⅳ",
        "是否指尖办": "否",
        "指尖办渠道": "",
        "指尖办服务": "",
        "到办事现场次数": 0,
        "必须现场办理原因": "",
        "是否秒批": "否",
        "法定办结时限": 20,
        "法定时限单位": "工作日",
        "承诺办结时限": 5,
        "承诺时限单位": "工作日",
        "设定依据": "《建筑法》第七条",
        "办理地点": "光明区行政服务大厅",
        "咨询电话": "0755-88211234",
        "监督投诉电话": "12345",
        "是否收费": "否",
        "收费依据": "",
        "事项状态": "在用",
    }
    row.update(overrides)
    return row


def xlsx_bytes(rows, headers=None) -> bytes:
    """A one-sheet workbook: the header row, then each row (a mapping or a list of cells)."""
    headers = list(headers or HEADERS)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header, "") for header in headers] if isinstance(row, dict) else row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
