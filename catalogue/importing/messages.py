"""Messages shown to people importing a file. Constants, so that tests can assert them."""

from django.utils.translation import gettext_lazy as _

# Problems with the file as a whole: nothing is read, nothing is written.
EMPTY_FILE = _("文件是空的，请选择填写好的 Excel 文件（.xlsx）。")
FILE_TOO_LARGE = _("文件过大（{size}），上限为 {limit}。请拆分后分批导入。")
NOT_EXCEL = _("这不是 Excel 文件（.xlsx），请用模板填写后另存为 .xlsx 再导入。")
OLD_XLS = _("这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后再导入。")
ENCRYPTED = _("文件设置了密码（已加密），请在 Excel 中取消密码保护后再导入。")
CORRUPT = _("文件已损坏，无法读取，请在 Excel 中打开并重新保存后再导入。")
READ_FAILED = _(
    "读取文件时系统出错（不是文件的问题），错误已记录。请稍后重试，或把文件交给中心管理员。"
)
ZIP_BOMB = _("文件解压后过大（超过 {limit}），疑似压缩炸弹，已拒绝。")
TOO_WIDE = _(
    "工作表在 {cell} 单元格还有数据，超过了 {limit} 列的上限（导入模板共 {columns} 列）。"
    "请删除模板以外多余的列后再导入。"
)
TOO_MANY_COLUMNS = _(
    "工作表有一行填了 {count} 个单元格，超过了 {limit} 列的上限（导入模板共 {columns} 列）。"
    "请删除模板以外多余的列后再导入。"
)
TOO_MANY_CELLS = _(
    "文件中有数据的单元格超过 {limit} 个，无法一次导入。请拆分为几个文件后分批导入。"
)
ROWS_OUT_OF_PLACE = _(
    "工作表第 {row} 行附近的单元格位置与行号不符（或行没有行号、行的顺序错乱），"
    "不是 Excel 保存文件的写法，无法安全读取。请在 Excel 或 WPS 中打开文件，另存为 .xlsx 后再导入。"
)
ROW_TOO_LARGE = _(
    "工作表中有一行的内容超过 {limit}，超出一行 {columns} 列所能容纳的内容，无法读取。"
    "请检查文件（可在 Excel 中打开后另存为 .xlsx）后再导入。"
)
NO_SHEET = _("文件中没有工作表。")
NO_HEADER = _("第一行应为列标题（实施编码、事项名称……），但工作表是空的。")
NO_ROWS = _("文件只有标题行，没有事项数据。")
MERGED_HEADER = _("标题行不能有合并单元格（{cells}），请取消合并，每列一个标题。")
MISSING_COLUMNS = _("缺少必需的列：{columns}。请使用导入模板的列标题。")
DUPLICATE_COLUMNS = _("列标题重复：{columns}。每个标题只能出现一次。")
UNKNOWN_COLUMNS = _("以下列不属于模板，已忽略：{columns}。")
UNPLACED_COLUMNS = _("以下列无法确定对应哪个要素：{columns}。请指定每列对应的要素，或将其忽略。")
UNPLACED_COLUMN = _("“{header}”（最接近：{closest}）")
SEVERAL_SHEETS = _("文件中有多个工作表含有事项：{sheets}。请选择要导入的工作表。")
UNKNOWN_SHEET = _("文件中没有名为“{sheet}”的工作表。可选：{sheets}。")
UNKNOWN_ELEMENT = _("“{element}”不是要素名称。可填：{elements}。")
MISSING_COUNTED_COLUMNS = _("文件没有以下列：{columns}。{count} 个新事项将记为：{defaults}。")
WILL_CLEAR = _("本次导入将清空 {count} 个已存的值。")
CODE_MISMATCH_SUMMARY = _("{count} 行的实施编码与实施主体的统一社会信用代码或基本编码不一致。")
CODE_MISMATCH = _(
    "实施编码应以实施主体的统一社会信用代码 {credit_code} 开头，其后一位之后为基本编码 "
    "{basic_code}。请核对编码。"
)
SHEET_READ = _("读取的工作表：“{sheet}”。")
STALE_PLAN = _("预览之后目录已被修改（{codes}），请重新上传文件预览。")
PLAN_EXPIRED = _("预览已过期或不属于当前用户，请重新上传文件。")
PLAN_ALREADY_CONFIRMED = _("这次预览已经确认导入过了，不会重复导入。请在事项列表中查看结果。")
NEW_CODES_TAKEN = _(
    "预览之后以下实施编码已被其他导入或编辑占用（{codes}），未导入任何数据。请重新上传文件预览。"
)
REFERENCES_GONE = _("预览之后文件引用的{kinds}已被删除，未导入任何数据。请重新上传文件预览。")
SCOPE_CHANGED = _(
    "预览之后您的权限已变更，不能再导入以下实施主体的事项：{departments}。未导入任何数据。"
)
NO_IMPORT_PERMISSION = _("您没有导入实施清单事项的权限，未导入任何数据。")

# Problems in one cell. The row error reads: 第 N 行，“列”：值“…”——problem.
REQUIRED = _("必填，不能为空。")
TOO_LONG = _("最多 {max_length} 个字符，当前 {length} 个。")
CONTROL_CHARACTER = _("含有不可见的控制字符 {character}（第 {position} 个字符），请删除后再导入。")
CODE_FORMAT = _("应为 {length} 位数字或字母。")
DUPLICATE_CODE = _("与第 {other_row} 行的实施编码重复，同一文件中每个实施编码只能出现一次。")
NOT_A_CHOICE = _("不是可选值。可填：{allowed}。")
ITEM_TYPE_CODE_MISMATCH = _("代码与名称不一致。可填名称（如“行政许可”）或代码：{allowed}。")
NOT_A_BOOLEAN = _("应填“是”或“否”（也可填 Y/N、1/0、√/×）。")
NOT_A_WHOLE_NUMBER = _("应为 {minimum} 到 {maximum} 之间的整数。")
DAYS_WITHOUT_KIND = _(
    "只写了“天”，无法确定是工作日还是自然日：请写“{number}个工作日”或“{number}个自然日”，"
    "或在时限单位列中填写。"
)
UNIT_CONFLICT = _(
    "单元格中的单位“{cell_unit}”与“{unit_column}”列的“{column_unit}”不一致，请改为一致。"
)
DATE_IN_NUMBER_CELL = _("单元格为日期格式：{date}。请把该列设为“常规”格式后填写整数。")
CODE_ROUNDED = _(
    "编码存成了数字，Excel 已将其舍入（超过 15 位有效数字）。请把该列设为“文本”格式后重新填写编码。"
)
BASIC_CODE_LOST_ZERO = _(
    "基本编码存成了数字，开头的 0 已丢失（{digits} 只有 11 位）。"
    "请把该列设为“文本”格式后填写 12 位编码。"
)
UNKNOWN_REFERENCE = _("系统中没有这个{kind}。最接近的有：{suggestions}。")
UNKNOWN_REFERENCE_NO_SUGGESTION = _("系统中没有这个{kind}，请先在系统中添加。")
ERROR_VALUE = _("是 Excel 错误值（如 #DIV/0!、#N/A），请改正后再导入。")
FORMULA_WITHOUT_VALUE = _("是公式但没有计算结果，请在 Excel 中打开并保存（或改填数值）后再导入。")
DEPARTMENT_NOT_ALLOWED = _("您只能导入以下实施主体的事项：{allowed}。")
# Names no department: department staff see only their own departments' names.
ITEM_OF_OTHER_DEPARTMENT = _("该编码是其他实施主体的事项，您不能修改。")

ROW_ERROR = _("第 {row} 行，“{column}”：值“{value}”——{problem}")
EMPTY_VALUE = _("（空）")

# Summary lines.
SUMMARY = _(
    "共 {total} 行：新增 {new} 行，更新 {update} 行，无变化 {unchanged} 行，错误 {error} 行。"
)
TOO_MANY_ERROR_ROWS = _(
    "已有 {count} 行错误，检查到此为止，第 {row} 行起未检查。请先改正这些错误再导入。"
)
NOTHING_WRITTEN = _("文件有错误，未导入任何数据。请改正后重新导入。")
DRY_RUN_DONE = _("试导入完成，未写入任何数据。")
WRITTEN = _("导入完成：新增 {new} 项，更新 {update} 项，{unchanged} 项无变化。")

# Imports checked and written in the background (catalogue.services.import_jobs).
BACKGROUND_STALLED = _(
    "后台导入中断：处理它的后台进程已停止（例如服务器重启），未写入任何数据。上传的文件已保存，"
    "可在本页下载；请重新导入。"
)
BACKGROUND_FAILED = _(
    "后台导入时系统出错（不是文件的问题），未写入任何数据，错误已记录。上传的文件已保存，"
    "可在本页下载；请稍后重新导入，或把文件交给中心管理员。"
)
JOB_NOT_WAITING = _("这次导入已经确认过了（或正在检查），不会重复导入。请在本页查看进度。")
