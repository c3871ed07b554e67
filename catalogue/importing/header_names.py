"""The names other systems give the catalogue's Excel columns, per model field (issue 10).

Data only, not yet read by the import: after the `contract` branch's restructuring of this
package, `columns.Column.aliases` is to be built from HEADER_NAMES and UNIT_HEADER_NAMES (one
list), and the header matching compares names in `columns.header_key` form (half-width,
simplified, no spaces or * marks), so traditional-character and full-width variants need no entry.

Sources (docs/excel-import-names.md has the table):
- GB/T 39046—2020 《政务服务平台基础数据规范》, table 4 (事项管理基础数据集) and annex A: the
  national element names (实施编码, 基本编码, 法定办结时限单位, 咨询方式, 咨询电话, 监督电话 …).
- The 实施清单 element set of the national platform (ZWFW C0109.2—2018, 要素要求) as the
  platform's and vendors' database schemas and exchange files name it: 到办事现场次数,
  必须现场办理原因说明, 监督投诉方式, 办理深度, 权力来源, 委托部门 ….
- 广东政务服务网 / 广东省事项管理系统 办事指南 pages and exports: 是否进驻政务大厅,
  是否支持网上办理, 网办深度, 跑动次数, 法定期限, 承诺期限, 投诉电话, 事项编码, 事项类别, 所属领域.
- Names the department files of the issue used (办理现场办理原因说明, 实施清单编码, 可网上办理).
"""

# Every model field of columns.COLUMNS except the two unit fields: the template's header first,
# then the other names, national before provincial.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    # GB/T 39046 table 4 no. 3; provincial exports: 事项编码, 实施清单编码. Not 地方实施编码 or
    # 业务办理项编码: those are other elements (see KNOWN_UNUSED_NAMES).
    "code": ("实施编码", "事项实施编码", "实施清单编码", "事项编码"),
    # GB/T 39046 no. 1; Guangdong lists sub-items as 子项名称 beside 主项名称.
    "name": ("事项名称", "实施清单名称", "子项名称"),
    # GB/T 39046 no. 2.
    "basic_code": ("基本编码", "事项基本编码", "国家基本编码"),
    # Guangdong's 主项/子项 structure; 大项 is the report's word.
    "main_item": ("主项名称", "主项", "所属主项", "大项名称"),
    # GB/T 39046 no. 11 (实施主体); 实施机关 and 实施部门 in 办事指南 pages.
    "department": ("实施主体", "实施主体名称", "实施部门", "实施机关", "实施机构"),
    # The national set calls it 所属领域 (also GB/T 39046 table 16); the template 所属行业.
    "sector": ("所属行业", "所属行业/领域", "所属领域", "行业领域", "所属行业领域"),
    # GB/T 39046 nos. 4-5 (事项类型, 事项类型代码, codes in annex A.1); Guangdong: 事项类别;
    # older power lists (权力清单): 权力类型, 职权类型.
    "item_type": ("事项类型", "事项类型代码", "事项类别", "权力类型", "职权类型"),
    # 实施清单 element 权力来源 (codes 1-6, see docs/excel-import-names.md).
    "power_source": ("权力来源",),
    "entrusting_body": ("委托部门", "委托单位", "委托机关"),
    # GB/T 39046 annex A.6 heads the column 办件类别.
    "handling_type": ("办件类型", "办件类别"),
    # GB/T 39046 nos. 7-8 (行使层级, 行使层级代码, codes in annex A.2).
    "tiers": ("行使层级", "行使层级代码", "事项行使层级"),
    # Guangdong 办事指南: 是否进驻政务大厅.
    "in_hall": ("是否进驻大厅", "是否进驻政务大厅", "进驻大厅", "是否进驻实体大厅"),
    # Guangdong's 一门一窗 reform calls it 一窗受理.
    "one_window": ("是否一窗办理", "一窗办理", "是否一窗受理"),
    "comprehensive_window": ("是否综合窗口受理", "综合窗口受理", "是否综窗受理"),
    # GB/T 39046 no. 47 (是否网办, 1-是, 0-否); Guangdong: 是否支持网上办理, 可网上办理.
    "is_online": ("是否网办", "是否支持网上办理", "可网上办理", "是否可网办", "是否网上办理"),
    # 实施清单 element 办理深度 (its national codes are not Ⅰ-Ⅳ: the parser refuses them with
    # the allowed values); Guangdong: 网办深度.
    "online_depth": ("网上办理深度", "网办深度", "办理深度"),
    # 指尖办 is Guangdong's own notion; no national element.
    "is_mobile": ("是否指尖办", "是否可指尖办", "指尖办"),
    "mobile_channels": ("指尖办渠道", "指尖办办理渠道"),
    "mobile_services": ("指尖办服务", "指尖办服务类型"),
    # 实施清单 element 到办事现场次数 (LIMIT_SCENE_NUM); Guangdong: 跑动次数; older guides:
    # 办事者到办事现场次数.
    "onsite_visits": ("到办事现场次数", "跑动次数", "到现场次数", "办事者到办事现场次数"),
    # 实施清单 element 必须现场办理原因说明; 办理现场办理原因说明 as one department's file has it.
    "onsite_reason": ("必须现场办理原因", "必须现场办理原因说明", "办理现场办理原因说明"),
    "instant_approval": ("是否秒批", "秒批", "是否无人干预自动审批"),
    # GB/T 39046 no. 15; Guangdong 办事指南: 法定期限.
    "legal_limit": ("法定办结时限", "法定期限", "法定时限", "法定办理时限"),
    # GB/T 39046 no. 18; Guangdong 办事指南: 承诺期限.
    "promised_limit": ("承诺办结时限", "承诺期限", "承诺时限", "承诺办理时限"),
    # GB/T 39046 no. 6 (设定依据); 实施依据 in some provinces' guides.
    "legal_basis": ("设定依据", "实施依据"),
    # GB/T 39046 no. 50; 受理地点 in vendors' schemas.
    "location": ("办理地点", "受理地点"),
    # GB/T 39046 nos. 52-53: 咨询方式 is a text element (phone, letter, mail), 咨询电话 the number;
    # files that carry only 咨询方式 put the phone number there.
    "consult_phone": ("咨询电话", "咨询方式", "咨询联系电话"),
    # GB/T 39046 no. 54 (监督电话); 实施清单 element 监督投诉方式; Guangdong: 投诉电话.
    "complaint_phone": ("监督投诉电话", "监督电话", "监督投诉方式", "投诉电话"),
    # GB/T 39046 nos. 31-32 (是否收费 1-是, 0-否; 收费依据).
    "charges_fee": ("是否收费",),
    "fee_basis": ("收费依据",),
    # 实施清单 element 事项状态 (在用, 暂停, 取消).
    "status": ("事项状态", "实施清单状态"),
}

# The unit columns beside the time limits. GB/T 39046 nos. 16 and 19 (法定/承诺办结时限单位);
# vendors' schemas also say 法定期限单位, 法定时间单位.
UNIT_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "legal_limit_unit": ("法定时限单位", "法定办结时限单位", "法定期限单位", "法定时间单位"),
    "promised_limit_unit": ("承诺时限单位", "承诺办结时限单位", "承诺期限单位", "承诺时间单位"),
}

# Elements of the national set (and of Guangdong's exports) that the catalogue does not hold.
# A column with one of these names is listed as left out and never blocks the import, even where
# it resembles a catalogue element by its wording (法定办结时限说明 beside 法定办结时限).
KNOWN_UNUSED_NAMES: tuple[str, ...] = (
    "备注",
    "服务对象",
    "服务对象代码",
    "实施主体性质",
    "实施主体性质代码",
    "实施主体代码",
    "实施主体编码",
    "统一社会信用代码",
    "地方实施编码",
    "地方基本编码",
    "业务办理项编码",
    "法定办结时限说明",
    "承诺办结时限说明",
    "受理条件",
    "办理流程",
    "办理时间",
    "办理形式",
    "网办地址",
    "数量限制",
    "结果名称",
    "共同实施部门",
    "中介服务",
    "特别程序",
    "权限划分",
    "行使内容",
    "是否支持预约办理",
    "是否支持网上支付",
    "是否支持物流快递",
)

# A running number column (序号) is skipped wherever it stands.
SERIAL_NUMBER_NAMES: tuple[str, ...] = ("序号", "No.")

# Names seen in department files for more than one element: such a column is never read on a
# guess; the person placing it is offered these elements in this order. 办结时限 is mostly the
# promised limit (the 办事指南 pages show the public the promised one under that name).
AMBIGUOUS_NAMES: dict[str, tuple[str, ...]] = {
    "办结时限": ("promised_limit", "legal_limit"),
    "办理时限": ("promised_limit", "legal_limit"),
    "时限单位": ("promised_limit_unit", "legal_limit_unit"),
    "联系电话": ("consult_phone", "complaint_phone"),
}
