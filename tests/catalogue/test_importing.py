import logging

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from catalogue.choices import (
    ChangeSource,
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
    tier_span_label,
)
from catalogue.history import HistoricalServiceItem
from catalogue.importing import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATE,
    CellProblem,
    FileProblem,
    ImportProblem,
    PlanWithErrors,
    StalePlan,
    apply_plan,
    messages,
)
from catalogue.importing.columns import REQUIRED_HEADERS
from catalogue.models import DepartmentMembership, ImportBatch, MainItem, MobileChannel, ServiceItem
from catalogue.roles import DEPARTMENT_STAFF
from catalogue.services.importing import items_import, items_import_apply, items_import_plan
from catalogue.services.roles import roles_setup
from tests.catalogue.importing_support import (
    DEPARTMENT,
    OTHER_DEPARTMENT,
    rows_insert_queries,
    valid_row,
    xlsx_bytes,
)
from tests.factories import MainItemFactory, ServiceItemFactory, UserFactory

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")


def _codes(n, start=1):
    return [f"11440300MB2C{number:019d}" for number in range(start, start + n)]


def test_department_file_with_mixed_label_styles_imports(department, other_department):
    traditional = valid_row(
        实施编码="１１４４０３００ＭＢ２Ｃ０１",
        事项名称=" 建築工程施工許可 ",
        实施主体="深圳市光明區住房和建設局",
        所属行业="住房和城鄉建設",
        事项类型="01",
        权力来源="法定本級行使",
        办件类型="承諾件",
        行使层级="省級、市級、區級",
        是否进驻大厅="√",
        是否一窗办理="×",
        是否综合窗口受理="Y",
        是否网办=1,
        网上办理深度="四级",
        是否指尖办="是",
        指尖办渠道="粵省事，微信公眾號",
        指尖办服务="查閱/預約",
        法定办结时限="２０",
        承诺办结时限="5",
        事项状态="在用",
    )
    simplified = valid_row(
        实施编码="X-02",
        主项名称="社会团体登记",
        实施主体="民政局",  # the department's short name
        事项类型="21 公共服务",
        办件类型="即办件",
        权力来源="上级委托",
        委托部门="深圳市民政局",
        行使层级="区级；街道级",
        是否网办="否",
        网上办理深度="",
        到办事现场次数="1",
        必须现场办理原因="需核验原件",
        法定办结时限="",
        法定时限单位="",
        承诺办结时限=0,
        是否收费="是",
        收费依据="《收费标准》",
        事项状态="暂停",
    )

    result = items_import(file=xlsx_bytes([traditional, simplified]))

    assert result.written, [str(error) for error in result.plan.errors]
    first = ServiceItem.objects.get(code="11440300MB2C01")
    assert first.name == "建築工程施工許可"  # free text is kept as typed
    assert first.department == department
    assert first.item_type == ItemType.LICENSING
    assert first.handling_type == HandlingType.PROMISED
    assert first.tiers == Tier.PROVINCE | Tier.CITY | Tier.COUNTY
    assert tier_span_label(first.tiers) == "省市区三级"
    assert (first.in_hall, first.one_window, first.comprehensive_window) == (True, False, True)
    assert first.online_depth == OnlineDepth.LEVEL_4
    assert first.mobile_services == MobileService.LOOKUP | MobileService.APPOINTMENT
    assert {channel.name for channel in first.mobile_channels.all()} == {"粤省事", "微信公众号"}
    assert (first.legal_limit, first.promised_limit) == (20, 5)
    second = ServiceItem.objects.get(code="X-02")
    assert second.department == other_department
    assert second.item_type == ItemType.PUBLIC_SERVICE
    assert second.power_source == PowerSource.ENTRUSTED_BY_SUPERIOR
    assert second.online_depth is None
    assert second.legal_limit is None and second.legal_limit_unit == ""
    assert second.status == ItemStatus.SUSPENDED
    assert second.main_item.name == "社会团体登记"
    assert second.main_item.department == other_department


def test_import_creates_new_codes_and_reports_them():
    result = items_import(file=xlsx_bytes([valid_row(实施编码=code) for code in _codes(3)]))

    assert result.plan.counts == {NEW: 3, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
    assert sorted(result.created_ids) == sorted(ServiceItem.objects.values_list("id", flat=True))
    assert result.summary() == "共 3 行：新增 3 行，更新 0 行，无变化 0 行，错误 0 行。"


def test_import_updates_existing_codes_and_lists_changed_columns(department, sector):
    item = ServiceItemFactory(
        code="A1",
        name="旧名称",
        department=department,
        sector=sector,
    )
    row = valid_row(实施编码="A1", 事项名称="新名称", 行使层级="市级、区级")

    result = items_import(file=xlsx_bytes([row]))

    assert result.updated_ids == [item.pk]
    planned = result.plan.rows[0]
    assert planned.action == UPDATE
    assert "事项名称" in planned.changed and "行使层级" not in planned.changed
    item.refresh_from_db()
    assert item.name == "新名称"


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    data = xlsx_bytes(
        [
            valid_row(实施编码=code, 主项名称="施工许可", 是否指尖办="是", 指尖办渠道="粤省事")
            for code in _codes(3)
        ]
    )
    items_import(file=data)
    before = list(ServiceItem.objects.order_by("code").values_list("code", "updated_at"))

    second = items_import(file=data)

    assert second.plan.counts[UNCHANGED] == 3
    assert second.created_ids == [] and second.updated_ids == []
    assert list(ServiceItem.objects.order_by("code").values_list("code", "updated_at")) == before
    assert MainItem.objects.filter(name="施工许可").count() == 1


def test_a_file_with_any_error_writes_nothing():
    rows = [valid_row(实施编码="GOOD"), valid_row(实施编码="BAD", 办件类型="马上办")]

    result = items_import(file=xlsx_bytes(rows))

    assert not result.written
    assert ServiceItem.objects.count() == 0
    assert [row.action for row in result.plan.rows] == [NEW, ERROR]


def test_error_names_row_column_value_and_what_is_allowed():
    result = items_import(
        file=xlsx_bytes([valid_row(), valid_row(实施编码="B", 办件类型="马上办")])
    )

    (error,) = result.plan.errors
    assert str(error) == "第 3 行，“办件类型”：值“马上办”——不是可选值。可填：即办件、承诺件。"


def test_every_consistency_rule_applies_to_imported_rows():
    rows = [
        valid_row(实施编码="R1", 网上办理深度="Ⅳ", 到办事现场次数=1, 必须现场办理原因="核验"),
        valid_row(实施编码="R2", 办件类型="即办件", 承诺办结时限=3),
        valid_row(实施编码="R3", 办件类型="承诺件", 承诺办结时限=0),
        valid_row(实施编码="R4", 法定办结时限=5, 承诺办结时限=10),
        valid_row(实施编码="R5", 法定时限单位=""),
        valid_row(实施编码="R6", 是否网办="否", 网上办理深度="", 是否秒批="是"),
        valid_row(实施编码="R7", 是否网办="否"),
        valid_row(实施编码="R8", 指尖办服务="查阅"),
        valid_row(实施编码="R9", 指尖办渠道="粤省事"),
        valid_row(实施编码="R10", 网上办理深度="Ⅲ", 到办事现场次数=1),
        valid_row(实施编码="R11", 权力来源="同级委托"),
        valid_row(实施编码="R12", 是否收费="是"),
    ]

    result = items_import(file=xlsx_bytes(rows))

    messages_by_row = {
        row.code: {error.problem for error in row.errors} for row in result.plan.rows
    }
    assert messages_by_row == {
        "R1": {"到办事现场次数：网上办理深度为Ⅳ级（全程网办）的事项，到现场次数必须为 0。"},
        "R2": {"承诺办结时限：即办件的承诺办结时限不能超过 1 天（当场办结的填 0）。"},
        "R3": {"承诺办结时限：承诺件的承诺办结时限至少为 1 天。"},
        "R4": {"承诺办结时限：不能超过法定办结时限（同一时限单位）。"},
        "R5": {"法定时限单位：填写了法定办结时限时，必须选择时限单位。"},
        "R6": {"是否秒批：秒批事项必须可网办。"},
        "R7": {"网上办理深度：只有可网办的事项才能填写网上办理深度。"},
        "R8": {"指尖办服务：只有可指尖办的事项才能选择指尖办服务。"},
        "R9": {"指尖办渠道：只有可指尖办的事项才能选择指尖办渠道。"},
        "R10": {"必须现场办理原因：到办事现场次数大于 0 时，必须说明原因。"},
        "R11": {"委托部门：权力来源为上级委托或同级委托时，必须填写委托部门。"},
        "R12": {"收费依据：收费事项必须填写收费依据。"},
    }
    r4 = next(row for row in result.plan.rows if row.code == "R4")
    assert (r4.errors[0].row, r4.errors[0].column, r4.errors[0].value) == (5, "承诺办结时限", "10")


def test_rules_accept_the_consistent_variants():
    rows = [
        valid_row(实施编码="OK1", 办件类型="即办件", 承诺办结时限=0),
        valid_row(实施编码="OK2", 法定办结时限=5, 法定时限单位="自然日", 承诺办结时限=10),
        valid_row(实施编码="OK3", 是否指尖办="是", 指尖办渠道="粤省事", 指尖办服务="申办"),
        valid_row(实施编码="OK4", 权力来源="同级委托", 委托部门="区政府"),
        valid_row(实施编码="OK5", 是否收费="是", 收费依据="《收费标准》"),
        valid_row(实施编码="OK6", 网上办理深度="Ⅲ", 到办事现场次数=1, 必须现场办理原因="核验原件"),
    ]

    result = items_import(file=xlsx_bytes(rows))

    assert result.written, [str(error) for error in result.plan.errors]
    assert ServiceItem.objects.count() == 6


def test_field_limits_are_checked_like_the_model():
    rows = [
        valid_row(实施编码="C" * 37),
        valid_row(实施编码="L1", 事项名称="名" * 201),
        valid_row(实施编码="L2", 基本编码="4403-0001"),
        valid_row(实施编码="L3", 事项名称=""),
        valid_row(实施编码="L4", 到办事现场次数=21, 必须现场办理原因="原因"),
        valid_row(实施编码="", 事项名称="无编码"),
    ]

    result = items_import(file=xlsx_bytes(rows))

    problems = [(error.column, error.problem) for error in result.plan.errors]
    assert problems == [
        ("实施编码", "最多 36 个字符，当前 37 个。"),
        ("事项名称", "最多 200 个字符，当前 201 个。"),
        ("基本编码", "应为 12 位数字或字母。"),
        ("事项名称", "必填，不能为空。"),
        ("到办事现场次数", "应为 0 到 20 之间的整数。"),
        ("实施编码", "必填，不能为空。"),
    ]


def test_a_code_repeated_in_the_file_is_an_error_naming_the_first_row():
    result = items_import(file=xlsx_bytes([valid_row(实施编码="D"), valid_row(实施编码="D")]))

    (error,) = result.plan.errors
    assert (error.row, error.column) == (3, "实施编码")
    assert error.problem == messages.DUPLICATE_CODE.format(other_row=2)


def test_columns_are_found_in_any_order_and_unknown_columns_are_reported():
    headers = ["备注", "事项类型", "实施编码", "办件类型", "行使层级", "事项名称", "实施主体"]
    headers += ["所属行业", "网上办理深度", "是否网办", "承诺办结时限"]
    row = valid_row(备注="随便写")

    result = items_import(file=xlsx_bytes([row], headers=headers))

    assert result.written, [str(error) for error in result.plan.errors]
    assert result.plan.unknown_columns == ["备注"]
    assert ServiceItem.objects.get().name == row["事项名称"]


def test_a_missing_optional_column_leaves_the_existing_value_alone(department, sector):
    item = ServiceItemFactory(
        code="K", department=department, sector=sector,
        location="原地点", name="旧名",
    )  # fmt: skip
    headers = ["实施编码", "事项名称", "实施主体", "所属行业", "事项类型", "办件类型", "行使层级"]

    items_import(file=xlsx_bytes([valid_row(实施编码="K", 事项名称="新名")], headers=headers))

    item.refresh_from_db()
    assert (item.name, item.location) == ("新名", "原地点")


def test_a_missing_required_column_stops_the_import_naming_it():
    headers = [header for header in valid_row() if header not in ("实施主体", "办件类型")]

    result = items_import(file=xlsx_bytes([valid_row()], headers=headers))

    assert result.plan.file_problem == "缺少必需的列：实施主体、办件类型。请使用导入模板的列标题。"
    assert result.plan.rows == []
    assert ServiceItem.objects.count() == 0


def test_traditional_headers_are_recognised():
    row = valid_row()
    headers = ["實施編碼", "事項名稱", "實施主體", "所屬行業", "事項類型", "辦件類型", "行使層級"]
    headers.append("承諾辦結時限")
    cells = [row[h] for h in ("实施编码", "事项名称", "实施主体", "所属行业", "事项类型")]
    cells += [row["办件类型"], row["行使层级"], row["承诺办结时限"]]

    result = items_import(file=xlsx_bytes([cells], headers=headers))

    assert result.written, [str(error) for error in result.plan.errors]
    assert result.plan.columns[0] == "实施编码"


def test_unknown_department_lists_the_closest_known_names():
    result = items_import(file=xlsx_bytes([valid_row(实施主体="光明区住房建设局")]))

    (error,) = result.plan.errors
    assert error.column == "实施主体"
    assert error.problem.startswith(f"系统中没有这个实施主体。最接近的有：{DEPARTMENT}")


def test_unknown_channel_lists_the_closest_known_names():
    row = valid_row(是否指尖办="是", 指尖办渠道="粤省事APP")

    result = items_import(file=xlsx_bytes([row]))

    (error,) = result.plan.errors
    assert error.column == "指尖办渠道"
    assert "最接近的有：粤省事" in error.problem


def test_unknown_sector_without_any_close_name_says_to_add_it():
    result = items_import(file=xlsx_bytes([valid_row(所属行业="航天")]))

    (error,) = result.plan.errors
    assert error.problem == messages.UNKNOWN_REFERENCE_NO_SUGGESTION.format(kind="行业/领域")


def test_unknown_main_item_is_created_once_in_the_row_department(department):
    rows = [valid_row(实施编码=code, 主项名称="施工许可") for code in _codes(2)]

    items_import(file=xlsx_bytes(rows))

    main_item = MainItem.objects.get(name="施工许可")
    assert main_item.department == department
    assert set(main_item.items.values_list("code", flat=True)) == set(_codes(2))


def test_known_main_item_is_reused_and_empty_main_item_means_own_main_item(department):
    known = MainItemFactory(department=department, name="施工许可")
    rows = [valid_row(实施编码="M1", 主项名称="施工許可"), valid_row(实施编码="M2", 主项名称="")]

    items_import(file=xlsx_bytes(rows))

    assert ServiceItem.objects.get(code="M1").main_item == known
    assert ServiceItem.objects.get(code="M2").main_item is None
    assert MainItem.objects.count() == 1


def test_dry_run_checks_everything_and_writes_nothing():
    result = items_import(file=xlsx_bytes([valid_row(主项名称="新主项")]), dry_run=True)

    assert result.plan.counts[NEW] == 1 and not result.written
    assert ServiceItem.objects.count() == 0 and MainItem.objects.count() == 0


def _staff_of(department):
    roles_setup()
    user = UserFactory(username="dept_staff", groups=[Group.objects.get(name=DEPARTMENT_STAFF)])
    DepartmentMembership.objects.create(user=user, department=department)
    return user


def test_import_rejects_row_of_other_department(department):
    staff = _staff_of(department)
    rows = [valid_row(实施编码="OWN"), valid_row(实施编码="OTHER", 实施主体=OTHER_DEPARTMENT)]

    result = items_import(file=xlsx_bytes(rows), user=staff)

    (error,) = result.plan.errors
    assert (error.row, error.column) == (3, "实施主体")
    assert error.problem == messages.DEPARTMENT_NOT_ALLOWED.format(allowed=DEPARTMENT)
    assert ServiceItem.objects.count() == 0


def test_import_rejects_changing_an_item_of_other_department(other_department, department):
    ServiceItemFactory(code="THEIRS", department=other_department)

    result = items_import(
        file=xlsx_bytes([valid_row(实施编码="THEIRS")]),
        user=_staff_of(department),
    )

    (error,) = result.plan.errors
    assert error.problem == messages.ITEM_OF_OTHER_DEPARTMENT
    assert ServiceItem.objects.get(code="THEIRS").department == other_department


def test_refusing_a_code_of_another_department_does_not_name_that_department(
    other_department, department
):
    ServiceItemFactory(code="THEIRS", department=other_department)

    plan = items_import_plan(rows=[valid_row(实施编码="THEIRS")], user=_staff_of(department))

    assert plan.has_errors
    assert not [str(error) for error in plan.errors if "民政局" in str(error)]


def _sparse_row(code, **cells):
    """Only the required columns (as valid_row has them) and `cells`: every other value of an
    existing item would come from the item itself."""
    full = valid_row(实施编码=code)
    return {header: full[header] for header in REQUIRED_HEADERS} | cells


def test_codes_of_other_departments_get_the_scope_error_alone_whatever_their_items_hold(
    other_department,
    department,
):
    other = other_department
    # Two foreign items that differ in everything a rule reads from the stored item.
    ServiceItemFactory(
        code="THEIRS-A", department=other, legal_limit=10, is_online=True, is_mobile=False
    )
    ServiceItemFactory(
        code="THEIRS-B",
        department=other,
        legal_limit=60,
        is_online=False,
        online_depth=None,
        onsite_visits=1,
        onsite_reason="需核验原件",
        is_mobile=True,
        mobile_services=MobileService.LOOKUP,
        mobile_channels=[MobileChannel.objects.get(name="粤省事")],
        charges_fee=True,
        fee_basis="收费依据",
        main_item=MainItemFactory(department=other, name="对方的主项"),
    )
    staff = _staff_of(department)
    # Rows that, merged with either stored item, would break one rule or another.
    probes = [
        {"承诺办结时限": "30"},
        {"网上办理深度": "四级"},
        {"指尖办渠道": "粤省事"},
        {"指尖办服务": "查阅"},
        {"收费依据": "依据"},
        {"承诺办结时限": "0", "办件类型": "即办件"},
        {},
    ]

    def errors_for(code, cells):
        plan = items_import_plan(rows=[_sparse_row(code, **cells)], user=staff)
        return [(error.row, error.column, error.value, error.problem) for error in plan.errors]

    for cells in probes:
        from_a, from_b = errors_for("THEIRS-A", cells), errors_for("THEIRS-B", cells)
        assert from_a == [(2, "实施编码", "THEIRS-A", str(messages.ITEM_OF_OTHER_DEPARTMENT))]
        assert from_b == [(2, "实施编码", "THEIRS-B", str(messages.ITEM_OF_OTHER_DEPARTMENT))]


def test_import_is_recorded_as_a_batch_with_history_of_each_item_written(department):
    staff = _staff_of(department)
    first = [valid_row(实施编码="OLD", 事项名称="旧名称"), valid_row(实施编码="SAME")]
    items_import(file=xlsx_bytes(first), file_name="首次.xlsx")
    rows = [valid_row(实施编码="NEW"), valid_row(实施编码="OLD", 事项名称="新名称")]
    rows.append(valid_row(实施编码="SAME"))

    result = items_import(file=xlsx_bytes(rows), user=staff, file_name="住建局.xlsx")

    batch = ImportBatch.objects.get(user=staff)
    assert (batch.file_name, batch.user, batch.created_count, batch.updated_count) == (
        "住建局.xlsx",
        staff,
        1,
        1,
    )
    assert batch.unchanged_count == 1
    assert set(batch.items.values_list("code", flat=True)) == {"NEW", "OLD"}
    records = HistoricalServiceItem.objects.filter(import_batch=batch)
    assert sorted(records.values_list("code", "history_type", "change_source", "history_user")) == [
        ("NEW", "+", ChangeSource.IMPORT, staff.pk),
        ("OLD", "~", ChangeSource.IMPORT, staff.pk),
    ]
    assert records.get(code="OLD").name == "新名称"
    assert len(result.created_ids) == 1


def test_post_write_hook_runs_in_the_transaction_with_the_ids():
    seen = {}

    def record(result):
        seen["in_atomic"] = connection.in_atomic_block
        seen["created"] = list(result.created_ids)

    result = items_import(file=xlsx_bytes([valid_row()]), on_written=record)

    assert seen == {"in_atomic": True, "created": result.created_ids}


def test_a_failing_post_write_hook_rolls_the_whole_import_back():
    def fail(result):
        raise RuntimeError("audit failed")

    with pytest.raises(RuntimeError):
        items_import(file=xlsx_bytes([valid_row(主项名称="新主项")]), on_written=fail)

    assert ServiceItem.objects.count() == 0 and MainItem.objects.count() == 0


def test_changed_channels_are_replaced(department, sector):
    channels = {channel.name: channel for channel in MobileChannel.objects.all()}
    item = ServiceItemFactory(
        code="CH", department=department, sector=sector,
        is_mobile=True, mobile_channels=[channels["粤省事"]],
    )  # fmt: skip
    row = valid_row(实施编码="CH", 是否指尖办="是", 指尖办渠道="微信公众号、粤省事")

    result = items_import(file=xlsx_bytes([row]))

    assert "指尖办渠道" in result.plan.rows[0].changed
    assert {channel.name for channel in item.mobile_channels.all()} == {"粤省事", "微信公众号"}


def test_rows_passed_as_mappings_go_through_the_same_checks():
    result = items_import(rows=[valid_row(), valid_row(实施编码="Z", 行使层级="")])

    assert [error.problem for error in result.plan.errors] == [str(messages.REQUIRED)]


def test_plan_survives_a_json_round_trip():
    from catalogue.importing import ImportPlan

    plan = items_import_plan(file=xlsx_bytes([valid_row(), valid_row(实施编码="E", 办件类型="x")]))

    assert ImportPlan.from_dict(plan.to_dict()) == plan


def test_planning_queries_do_not_grow_with_rows(department, django_assert_num_queries):
    ServiceItemFactory(code=_codes(1)[0], department=department)
    small = xlsx_bytes([valid_row(实施编码=code) for code in _codes(3)])
    large = xlsx_bytes([valid_row(实施编码=code, 主项名称=code) for code in _codes(300)])

    # departments, sectors, channels, existing items by code, their channels, main items
    with django_assert_num_queries(6):
        items_import_plan(file=small)
    with django_assert_num_queries(6):
        items_import_plan(file=large)


def test_import_writes_in_bulk(department, django_assert_num_queries):
    ServiceItemFactory(code=_codes(1)[0], department=department)
    data = xlsx_bytes([valid_row(实施编码=code, 主项名称="施工许可") for code in _codes(3)])

    # 6 planning queries (see above); savepoint; the lock and check of the item it updates,
    # the department and the sector still there (new codes taken since are refused by the
    # unique constraint in the insert); main items: read, insert the new one, read back its
    # id; one insert of the 2 new items (on PostgreSQL: their ids drawn from the sequence,
    # then a COPY, which Django does not record); one update of the changed one;
    # the import batch: savepoint, the batch, its item links (one executemany per 1,000; on
    # PostgreSQL one COPY), the history records of the new items, those of the changed one
    # followed by the closing of its earlier record (new items have none), release; release.
    with django_assert_num_queries(22 + rows_insert_queries()):
        result = items_import(file=data)

    assert (len(result.created_ids), len(result.updated_ids)) == (2, 1)


def test_inserted_items_get_timestamps_defaults_and_their_tier_combination():
    items_import(file=xlsx_bytes([valid_row(行使层级="区级、街道级")]))

    item = ServiceItem.objects.get()
    assert item.created_at is not None and item.updated_at is not None
    assert (item.legal_limit_note, item.promised_limit_note) == ("", "")
    assert tier_span_label(item.tiers) == "区街两级"


def test_plan_values_are_plain_python_values():
    plan = items_import_plan(file=xlsx_bytes([valid_row(事项类型="01", 网上办理深度="Ⅳ")]))

    (row,) = plan.rows
    assert {type(value) for value in row.values} <= {str, int, bool, type(None), list}


def test_a_plan_with_errors_is_refused_by_the_writer_even_without_python_assertions():
    plan = items_import_plan(rows=[valid_row(事项名称="")])
    assert plan.has_errors

    with pytest.raises(PlanWithErrors) as refused:
        apply_plan(plan)

    assert refused.value.message == messages.NOTHING_WRITTEN
    assert ServiceItem.objects.count() == 0


def test_every_import_problem_shares_one_base_class_with_its_message():
    for problem_class in (FileProblem, CellProblem, StalePlan, PlanWithErrors):
        problem = problem_class(messages.NO_ROWS)

        assert isinstance(problem, ImportProblem)
        assert problem.message == messages.NO_ROWS
        assert str(problem) == str(messages.NO_ROWS)


def test_each_completed_import_logs_one_line_with_who_the_file_and_the_counts(caplog):
    user = UserFactory(username="clerk", is_superuser=True)

    with caplog.at_level(logging.INFO, logger="catalogue.importing.writing"):
        items_import(rows=[valid_row()], user=user, file_name="光明.xlsx")

    assert [record.getMessage() for record in caplog.records] == [
        "Import of '光明.xlsx' by clerk: 1 new, 0 updated, 0 unchanged"
    ]


@pytest.mark.parametrize(
    ("typed", "character", "position"), [("A_x0000_B", "U+0000", 2), ("名称_x0007_", "U+0007", 3)]
)
def test_a_control_character_in_a_cell_is_refused_at_the_preview_naming_the_cell(
    department, other_department, sector, typed, character, position
):
    # Excel writes control characters as _xHHHH_; the reader turns them back into characters.
    result = items_import(file=xlsx_bytes([valid_row(事项名称=typed)]))

    (error,) = result.plan.errors
    assert (error.row, error.column) == (2, "事项名称")
    assert error.problem == messages.CONTROL_CHARACTER.format(
        character=character, position=position
    )
    assert not ServiceItem.objects.exists()


def test_tabs_and_line_breaks_in_a_cell_are_kept(department, other_department, sector):
    result = items_import(file=xlsx_bytes([valid_row(办理地点="一楼\n二号\t窗口")]))

    assert not result.plan.errors
    assert ServiceItem.objects.get().location == "一楼\n二号\t窗口"


def test_a_new_code_taken_after_planning_is_refused_by_the_insert_and_nothing_is_written(
    department,
):
    plan = items_import_plan(rows=[valid_row(实施编码="NEW-1"), valid_row(实施编码="NEW-2")])
    ServiceItemFactory(code="NEW-2", name="别人先建的", department=department)

    with pytest.raises(StalePlan) as refused:
        items_import_apply(plan=plan, file_name="住建局.xlsx")

    assert refused.value.message == messages.NEW_CODES_TAKEN.format(codes="NEW-2")
    assert list(ServiceItem.objects.values_list("code", "name")) == [("NEW-2", "别人先建的")]
    assert not ImportBatch.objects.exists()
    assert not MainItem.objects.filter(name="NEW-1").exists()


def test_records_of_imported_items_are_valid_until_the_next_record(department):
    items_import(rows=[valid_row(实施编码="V-1")])
    items_import(rows=[valid_row(实施编码="V-1", 事项名称="改名以后")])

    created, changed = HistoricalServiceItem.objects.filter(code="V-1").order_by("history_date")
    assert (created.history_type, changed.history_type) == ("+", "~")
    assert created.valid_until == changed.history_date
    assert changed.valid_until is None


def test_a_blank_cell_still_clears_a_stored_value_that_no_longer_applies(department):
    items_import(rows=[valid_row(实施编码="B-1", 指尖办渠道="粤省事", 是否指尖办="是")])
    item = ServiceItem.objects.get(code="B-1")
    assert list(item.mobile_channels.values_list("name", flat=True)) == ["粤省事"]

    result = items_import(rows=[valid_row(实施编码="B-1", 是否指尖办="否", 指尖办渠道="")])

    assert len(result.updated_ids) == 1
    assert not item.mobile_channels.exists()


@pytest.mark.parametrize("code", ["1E5", "4403e12"])
def test_a_code_in_e_notation_is_refused_also_as_plain_letters_and_digits(code):
    plan = items_import_plan(rows=[valid_row(实施编码=code)])

    (error,) = plan.errors
    assert (error.column, error.problem) == ("实施编码", str(messages.CODE_ROUNDED))
