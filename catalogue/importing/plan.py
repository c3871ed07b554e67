"""Checking a sheet row by row and deciding what each row does: the import plan.

Every row is parsed, looked up and checked against the field limits and every consistency rule
(`catalogue.rules.item_rule_errors`, the rule code the admin form uses) before anything is written.
Reference data and the existing items are loaded in a few batched queries, never one per row.
The plan is plain data (JSON-serialisable), so the admin can keep it between preview and confirm.
"""

from dataclasses import dataclass, field, fields
from enum import Enum
from types import SimpleNamespace

from catalogue.models import ServiceItem
from catalogue.rules import item_rule_errors
from catalogue.text import join_list

from . import messages, references
from .columns import COLUMN_BY_FIELD, COLUMNS, FIELD_NAMES, Kind, header_key, header_lookup
from .reading import FileProblem, Sheet
from .values import CellProblem, cell_text, code_text, label_key, split_values

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"


@dataclass(slots=True)
class RowError:
    row: int
    column: str
    value: str
    problem: str

    def __str__(self):
        return str(
            messages.ROW_ERROR.format(
                row=self.row,
                column=self.column,
                value=self.value or messages.EMPTY_VALUE,
                problem=self.problem,
            )
        )


@dataclass(slots=True)
class RowPlan:
    row: int
    code: str
    action: str
    item_id: int | None = None
    values: list | None = None  # values to write, in WRITTEN_FIELDS order (new and update rows)
    new_main_item: str | None = None  # a 主项名称 to create in the row's department
    changed: list | tuple = ()  # headers of the changed columns
    errors: list = field(default_factory=list)  # [RowError]
    cells: list | None = None  # the row as found, for the error workbook
    updated_at: str | None = None  # the item's updated_at when checked (stale-plan test)


@dataclass
class ImportPlan:
    rows: list = field(default_factory=list)
    unknown_columns: list = field(default_factory=list)
    columns: list = field(default_factory=list)  # headers recognised, in file order
    header: list = field(default_factory=list)  # the header row as found
    file_problem: str | None = None
    # Set when checking stopped after MAX_ERROR_ROWS error rows: the first row not checked.
    unchecked_from_row: int | None = None

    @property
    def counts(self):
        counts = {NEW: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def has_errors(self):
        return self.file_problem is not None or any(row.action == ERROR for row in self.rows)

    @property
    def errors(self):
        return [error for row in self.rows for error in row.errors]

    def summary(self):
        counts = self.counts
        summary = str(messages.SUMMARY.format(total=len(self.rows), **counts))
        if self.unchecked_from_row is not None:
            summary += str(self.unchecked_message)
        return summary

    @property
    def unchecked_message(self):
        return messages.TOO_MANY_ERROR_ROWS.format(
            count=self.counts[ERROR], row=self.unchecked_from_row
        )

    def to_dict(self):
        """Plain data for JSON: each row as a list in RowPlan's field order (compact, fast)."""
        return {
            "unknown_columns": self.unknown_columns,
            "columns": self.columns,
            "header": self.header,
            "file_problem": self.file_problem,
            "unchecked_from_row": self.unchecked_from_row,
            "rows": [
                [
                    [[e.row, e.column, e.value, e.problem] for e in row.errors]
                    if name == "errors"
                    else getattr(row, name)
                    for name in _ROW_FIELDS
                ]
                for row in self.rows
            ],
        }

    @classmethod
    def from_dict(cls, data):
        rows = []
        for values in data["rows"]:
            row = RowPlan(*values)
            row.errors = [RowError(*error) for error in row.errors]
            rows.append(row)
        return cls(**{**data, "rows": rows})


_ROW_FIELDS = [row_field.name for row_field in fields(RowPlan)]


def plan_from_file_problem(problem: FileProblem) -> ImportPlan:
    return ImportPlan(file_problem=str(problem.message))


_MISSING = object()


class _Parsers:
    """One parse function per present column; reference and choice columns cache their results
    per distinct cell value, so a 100,000-row file parses each label only once."""

    def __init__(self, departments, sectors, channels):
        self.departments, self.sectors, self.channels = departments, sectors, channels

    def for_column(self, column):
        """(parse, cache): cache is None for free-text columns, parsed on every row."""
        kind = column.kind
        if kind == Kind.TEXT:
            return self._text(column), None
        if kind == Kind.CODE:
            return self._code(column), None
        if kind == Kind.MAIN_ITEM:
            return self._text(column), None
        if kind in (Kind.DEPARTMENT, Kind.SECTOR):
            lookup = self.departments if kind == Kind.DEPARTMENT else self.sectors

            def parse_reference(raw):
                text = cell_text(raw)
                if not text:
                    raise CellProblem(messages.REQUIRED)
                return lookup.get(text)

            return parse_reference, {}
        if kind == Kind.CHANNELS:
            channels = self.channels
            return (
                lambda raw: sorted({channels.get(part) for part in split_values(cell_text(raw))}),
                {},
            )
        return column.parse, {}

    @staticmethod
    def _text(column):
        required, max_length = column.required, column.max_length
        # Addresses, phones and legal bases repeat from row to row: keep one copy of each text
        # (a 100,000-row plan is then a third smaller). Names are mostly unique: not kept.
        shared = {} if column.field != "name" else None

        def parse_text(raw):
            text = cell_text(raw)
            if required and not text:
                raise CellProblem(messages.REQUIRED)
            _within_length(max_length, text)
            if shared is not None and len(shared) < 100_000:
                text = shared.setdefault(text, text)
            return text

        return parse_text

    @staticmethod
    def _code(column):
        required, max_length, pattern = column.required, column.max_length, column.pattern
        pattern_problem = messages.CODE_FORMAT.format(length=max_length)

        def parse_code(raw):
            text = code_text(raw)
            if required and not text:
                raise CellProblem(messages.REQUIRED)
            if pattern is not None and text and not pattern.match(text):
                raise CellProblem(pattern_problem)
            return _within_length(max_length, text)

        return parse_code


def _within_length(max_length, text):
    if max_length and len(text) > max_length:
        raise CellProblem(messages.TOO_LONG.format(max_length=max_length, length=len(text)))
    return text


def _model_defaults():
    defaults = {}
    for name in FIELD_NAMES:
        model_field = ServiceItem._meta.get_field(name)
        default = None if model_field.is_relation else model_field.get_default()
        defaults[name] = default.value if isinstance(default, Enum) else default
    defaults["mobile_channels"] = []
    return defaults


def _map_columns(header):
    lookup = header_lookup()
    positions, unknown, duplicates, found = {}, [], [], []
    for index, raw in enumerate(header):
        key = header_key(raw)
        if not key:
            continue
        column = lookup.get(key)
        if column is None:
            unknown.append(cell_text(raw))
        elif column.field in positions:
            duplicates.append(column.header)
        else:
            positions[column.field] = index
            found.append(column.header)
    if duplicates:
        raise FileProblem(messages.DUPLICATE_COLUMNS.format(columns=join_list(duplicates)))
    missing = [
        column.header for column in COLUMNS if column.required and column.field not in positions
    ]
    if missing:
        raise FileProblem(messages.MISSING_COLUMNS.format(columns=join_list(missing)))
    return positions, unknown, found


# A row's values to write, as a list in this order (a dict per row would double the memory).
WRITTEN_FIELDS = (*FIELD_NAMES, "mobile_channels")
VALUE_INDEX = {name: index for index, name in enumerate(WRITTEN_FIELDS)}
CHUNK_ROWS = 2000  # rows checked together: one query for their existing items
# Checking stops after this many error rows (at the end of their chunk): a file of nothing but
# errors would otherwise keep every cell of every row, and nobody reads 100,000 errors.
MAX_ERROR_ROWS = 1000


def build_plan(sheet: Sheet, *, allowed_departments=None) -> ImportPlan:
    """Decide for every row: new, update, unchanged or error (with every error found).

    `allowed_departments`: None for all, else the ids of the departments whose items the user
    may import; other rows are errors. Rows stream through in chunks, so memory holds the plan
    but not the whole sheet's cells.
    """
    try:
        positions, unknown, found = _map_columns(sheet.header)
    except FileProblem as problem:
        return plan_from_file_problem(problem)
    plan = ImportPlan(
        unknown_columns=unknown, columns=found, header=[cell_text(cell) for cell in sheet.header]
    )
    parsers = _Parsers(
        references.department_lookup(suggestible=allowed_departments),
        references.sector_lookup(),
        references.channel_lookup(),
    )
    specs = []
    for name, index in positions.items():
        column = COLUMN_BY_FIELD[name]
        specs.append((name, column.header, index, *parsers.for_column(column)))
    context = _Context(
        positions=positions,
        main_items=references.all_main_items(),
        defaults=_model_defaults(),
        allowed=None if allowed_departments is None else set(allowed_departments),
        departments=parsers.departments,
        not_allowed_message=_not_allowed_message(allowed_departments, parsers.departments),
        compared=[name for name in positions if name != "code"],
    )
    formula_cells = sheet.formula_cells_without_value
    first_column = sheet.first_column
    first_row_of_code = {}
    chunk = []
    for row_number, cells in sheet.rows:
        values, errors = {}, []
        width = len(cells)
        for name, header, index, parse, cache in specs:
            raw = cells[index] if index < width else ""
            if formula_cells and (row_number, index + first_column) in formula_cells:
                problem = formula_cells[(row_number, index + first_column)]
                errors.append(RowError(row_number, header, "", problem))
                continue
            if cache is None:
                try:
                    values[name] = parse(raw)
                except CellProblem as problem:
                    errors.append(
                        RowError(row_number, header, cell_text(raw), str(problem.message))
                    )
                continue
            key = raw if raw.__class__ is str else (raw.__class__, raw)
            result = cache.get(key, _MISSING)
            if result is _MISSING:
                try:
                    result = parse(raw)
                    if isinstance(result, Enum):  # plain values for JSON and the database
                        result = result.value
                except CellProblem as problem:
                    result = problem
                cache[key] = result
            if result.__class__ is CellProblem:
                errors.append(RowError(row_number, header, cell_text(raw), str(result.message)))
            else:
                values[name] = result
        code = values.get("code", "")
        if code:
            other_row = first_row_of_code.setdefault(code, row_number)
            if other_row != row_number:
                errors.append(
                    RowError(
                        row_number,
                        COLUMN_BY_FIELD["code"].header,
                        code,
                        str(messages.DUPLICATE_CODE.format(other_row=other_row)),
                    )
                )
        row = RowPlan(row=row_number, code=code, action=ERROR if errors else NEW, errors=errors)
        plan.rows.append(row)
        chunk.append((row, values, cells))
        if len(chunk) == CHUNK_ROWS:
            _decide(chunk, context)
            chunk = []
            error_rows = plan.counts[ERROR]
            if error_rows >= MAX_ERROR_ROWS:
                plan.unchecked_from_row = row_number + 1
                break
    if chunk:
        _decide(chunk, context)
    if not plan.rows:
        return plan_from_file_problem(FileProblem(messages.NO_ROWS))
    return plan


def _not_allowed_message(allowed_departments, departments):
    if allowed_departments is None:
        return ""
    names = join_list(
        departments.names[pk] for pk in sorted(allowed_departments) if pk in departments.names
    )
    return str(messages.DEPARTMENT_NOT_ALLOWED.format(allowed=names))


@dataclass
class _Context:
    positions: dict
    main_items: dict
    defaults: dict
    allowed: set | None
    departments: object
    not_allowed_message: str
    compared: list


def _decide(chunk, context):
    """Merge each row with the item it updates, apply every rule, and set the row's action."""
    codes = [row.code for row, _values, _cells in chunk if row.code]
    existing = references.existing_items(codes, FIELD_NAMES)
    positions, defaults, allowed = context.positions, context.defaults, context.allowed
    for row, values, cells in chunk:
        current = existing.get(row.code)
        merged = dict(current or defaults)
        merged.update(values)
        if allowed is not None:
            scope_errors = _department_scope_errors(row, values, current, context)
            if scope_errors:
                # The scope errors alone: any other message would depend on what another
                # department's item holds (merged into the row), and so reveal it.
                row.errors = scope_errors
                row.action = ERROR
                row.cells = [cell_text(cell) for cell in cells]
                continue
        main_item_for_rules = _resolve_main_item(row, values, merged, current, context.main_items)
        if row.errors:
            errored = {error.column for error in row.errors}
            rule_values = {
                name: value
                for name, value in merged.items()
                if name not in COLUMN_BY_FIELD or COLUMN_BY_FIELD[name].header not in errored
            }
        else:
            rule_values = dict(merged)
        if "main_item" in rule_values:
            rule_values["main_item"] = main_item_for_rules
        for field_name, rule_messages in item_rule_errors(rule_values).items():
            column = COLUMN_BY_FIELD[field_name]
            index = positions.get(field_name)
            found_text = cell_text(cells[index]) if index is not None and index < len(cells) else ""
            for message in rule_messages:
                row.errors.append(RowError(row.row, column.header, found_text, str(message)))

        if row.errors:
            row.action = ERROR
            row.cells = [cell_text(cell) for cell in cells]
            continue
        if current is None:
            row.action = NEW
            row.values = [merged[name] for name in WRITTEN_FIELDS]
            continue
        row.item_id = current["id"]
        row.updated_at = current["updated_at"].isoformat()
        row.changed = [
            COLUMN_BY_FIELD[name].header
            for name in context.compared
            if merged[name] != current[name] or (name == "main_item" and row.new_main_item)
        ]
        if row.changed:
            row.action = UPDATE
            row.values = [merged[name] for name in WRITTEN_FIELDS]
        else:
            row.action = UNCHANGED


def _department_scope_errors(row, values, current, context):
    """The row's errors if it names a department, or a code held by a department, outside the
    user's scope; the messages depend on the row only, never on the other item's values."""
    allowed, departments = context.allowed, context.departments
    errors = []
    if "department" in values and values["department"] not in allowed:
        errors.append(
            RowError(
                row.row,
                COLUMN_BY_FIELD["department"].header,
                departments.names.get(values["department"], ""),
                context.not_allowed_message,
            )
        )
    if current is not None and current["department"] not in allowed:
        errors.append(
            RowError(
                row.row,
                COLUMN_BY_FIELD["code"].header,
                row.code,
                str(messages.ITEM_OF_OTHER_DEPARTMENT),
            )
        )
    return errors


def _resolve_main_item(row, values, merged, current, main_items):
    """Set merged["main_item"] to an id (or None, or a name to create); return the rule's view."""
    if "main_item" in values:
        name = values["main_item"]
        department_id = merged.get("department")
        if not name:
            merged["main_item"] = None
            return None
        main_item_id = main_items.get((department_id, label_key(name)))
        if main_item_id is None:
            row.new_main_item = name
            merged["main_item"] = None
        else:
            merged["main_item"] = main_item_id
        return SimpleNamespace(department_id=department_id)
    if merged.get("main_item") is None:
        return None
    department_id = current["main_item__department_id"] if current else None
    return SimpleNamespace(department_id=department_id)


def sheet_from_rows(rows) -> Sheet:
    """A sheet from mappings of header -> cell value (row 1 is the header, as in a file)."""
    rows = list(rows)
    header = list(dict.fromkeys(header for row in rows for header in row))
    return Sheet(
        header=header,
        header_row=1,
        rows=[
            (number, [row.get(name, "") for name in header]) for number, row in enumerate(rows, 2)
        ],
        first_column=0,
    )
