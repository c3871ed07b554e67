"""Checking a sheet row by row and deciding what each row does: the import plan.

Every row is parsed, looked up and checked against the field limits and every consistency rule
(`catalogue.rules.item_rule_errors`, the rule code the admin form uses) before anything is written.
Reference data and the existing items are loaded in a few batched queries, never one per row.
The plan is plain data (JSON-serialisable), so the admin can keep it between preview and confirm.
"""

import difflib
import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from enum import Enum
from operator import itemgetter
from types import SimpleNamespace

from catalogue.choices import TimeUnit
from catalogue.models import ServiceItem
from catalogue.rules import ELEMENT_APPLIES, item_fields_not_applying, item_rule_errors
from catalogue.text import join_list
from catalogue.validators import control_character

from . import messages, references
from .columns import (
    COLUMN_BY_FIELD,
    COLUMNS,
    FIELD_NAMES,
    Kind,
    cell_renderers,
    header_key,
    header_lookup,
)
from .header_names import AMBIGUOUS_NAMES, KNOWN_UNUSED_NAMES, SERIAL_NUMBER_NAMES
from .reading import FileProblem, Sheet
from .values import (
    CLEAR_MARKER,
    DAYS,
    EXAMPLE_MARKER,
    CellProblem,
    cell_text,
    code_cell_text,
    contract_text,
    label_key,
    rounded_code_text,
    split_values,
    time_limit_parser,
)

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"


@contextmanager
def _no_cyclic_garbage_collection():
    """Building a plan, or loading a kept one, allocates a few objects per row and frees
    few, which makes Python's collector walk the whole heap again and again: measured, 10,000
    rows loaded in 160 ms with it, 40 ms without; building the plan of 10,000 rows ran two
    full collections of 0.1 s each. Plain data has no reference cycles (none are left after
    building the plan of 10,000 rows; about one per error row, which MAX_ERROR_ROWS bounds);
    the collector resumes after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    changes: list = field(default_factory=list)  # [(header, old, new)] of an update, as shown


@dataclass
class ImportPlan:
    rows: list = field(default_factory=list)
    unknown_columns: list = field(default_factory=list)
    columns: list = field(default_factory=list)  # headers recognised, in file order
    header: list = field(default_factory=list)  # the header row as found
    file_problem: str | None = None
    # Set when checking stopped after MAX_ERROR_ROWS error rows: the first row not checked.
    unchecked_from_row: int | None = None
    column_readings: list = field(default_factory=list)  # [(the file's header, field)]
    left_out: list = field(default_factory=list)  # headers not read (like no element)
    unplaced: dict = field(default_factory=dict)  # header -> closest fields (blocks)
    sheet_name: str = ""
    sheet_choices: list = field(default_factory=list)  # several sheets hold items (blocks)
    header_row: int | None = None
    warnings: list = field(default_factory=list)  # text for the file, RowError for a row
    cleared_count: int = 0  # stored values the import clears
    mapping: dict = field(default_factory=dict)  # a person's placing of columns: header -> field

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
    def department_ids(self):
        """The departments of the rows the plan writes."""
        index = VALUE_INDEX["department"]
        return sorted({row.values[index] for row in self.rows if row.values})

    @property
    def errors(self):
        return [error for row in self.rows for error in row.errors]

    def summary(self):
        counts = self.counts
        summary = str(messages.SUMMARY.format(total=len(self.rows), **counts))
        if self.sheet_name:
            summary = str(messages.SHEET_READ.format(sheet=self.sheet_name)) + summary
        if self.cleared_count:
            summary += str(messages.WILL_CLEAR.format(count=self.cleared_count))
        mismatches = sum(1 for warning in self.warnings if isinstance(warning, RowError))
        if mismatches:
            summary += str(messages.CODE_MISMATCH_SUMMARY.format(count=mismatches))
        if self.unchecked_from_row is not None:
            summary += str(self.unchecked_message)
        return summary

    @property
    def unchecked_message(self):
        return messages.TOO_MANY_ERROR_ROWS.format(
            count=self.counts[ERROR], row=self.unchecked_from_row
        )

    def to_dict(self, *, rows=True):
        """Plain data for JSON: each row as a list in RowPlan's field order (compact, fast).
        Without `rows`, the rest only (the rows are then serialised with row_to_list)."""
        data = {
            "unknown_columns": self.unknown_columns,
            "columns": self.columns,
            "header": self.header,
            "file_problem": self.file_problem,
            "unchecked_from_row": self.unchecked_from_row,
            "column_readings": self.column_readings,
            "left_out": self.left_out,
            "unplaced": self.unplaced,
            "sheet_name": self.sheet_name,
            "sheet_choices": self.sheet_choices,
            "header_row": self.header_row,
            "warnings": [
                warning
                if isinstance(warning, str)
                else [warning.row, warning.column, warning.value, warning.problem]
                for warning in self.warnings
            ],
            "cleared_count": self.cleared_count,
            "mapping": self.mapping,
        }
        if rows:
            data["rows"] = [row_to_list(row) for row in self.rows]
        return data

    @classmethod
    def from_dict(cls, data):
        with _no_cyclic_garbage_collection():
            rows = []
            for values in data["rows"]:
                row = RowPlan(*values)
                row.errors = [RowError(*error) for error in row.errors]
                row.changes = [tuple(change) for change in row.changes]
                rows.append(row)
        warnings = [
            warning if isinstance(warning, str) else RowError(*warning)
            for warning in data.get("warnings", [])
        ]
        readings = [tuple(reading) for reading in data.get("column_readings", [])]
        return cls(**{**data, "rows": rows, "warnings": warnings, "column_readings": readings})


_ROW_FIELDS = [row_field.name for row_field in fields(RowPlan)]


def row_to_list(row: RowPlan) -> list:
    """A row of the plan as plain data, in RowPlan's field order (ImportPlan.from_dict)."""
    return [
        [[e.row, e.column, e.value, e.problem] for e in row.errors]
        if name == "errors"
        else getattr(row, name)
        for name in _ROW_FIELDS
    ]


def plan_from_file_problem(problem: FileProblem) -> ImportPlan:
    """The plan of a file that cannot be imported as it is, with the choices that would let
    it be (the sheets to choose from, the columns to place)."""
    return ImportPlan(
        file_problem=str(problem.message),
        sheet_choices=list(getattr(problem, "sheets", [])),
        unplaced=dict(getattr(problem, "unplaced", {})),
        column_readings=list(getattr(problem, "readings", [])),
        left_out=list(getattr(problem, "left_out", [])),
    )


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
        if column.unit_field is not None:
            parse = time_limit_parser(
                minimum=column.minimum, maximum=column.maximum, default=column.default
            )
            return parse, {}
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
        # A kept text has passed every check below: it is returned at once.
        shared = {} if column.field != "name" else None

        def parse_text(raw):
            found = cell_text(raw)
            if shared is not None:
                kept = shared.get(found)
                if kept is not None:
                    return kept
            text = "" if found == CLEAR_MARKER else found
            if required and not text:
                raise CellProblem(messages.REQUIRED)
            _within_length(max_length, text)
            _without_control_characters(text)
            if shared is not None and len(shared) < 100_000:
                shared[found] = text
            return text

        return parse_text

    @staticmethod
    def _code(column):
        required, max_length, pattern = column.required, column.max_length, column.pattern
        if pattern is not None:  # the validator's lazily compiled regex, compiled now
            pattern = re.compile(pattern.pattern, pattern.flags)
        pattern_problem = messages.CODE_FORMAT.format(length=max_length)

        lost_zero_length = max_length if column.field == "basic_code" else None

        def parse_code(raw):
            text = code_cell_text(raw, lost_zero_length=lost_zero_length)
            if text == CLEAR_MARKER:
                text = ""
            if required and not text:
                raise CellProblem(messages.REQUIRED)
            _without_control_characters(text)
            if pattern is not None and text and not pattern.match(text):
                raise CellProblem(pattern_problem)
            return _within_length(max_length, text)

        return parse_code


def _within_length(max_length, text):
    if max_length and len(text) > max_length:
        raise CellProblem(messages.TOO_LONG.format(max_length=max_length, length=len(text)))
    return text


def _without_control_characters(text):
    if text.isprintable():  # no control character at all: the rule's search is not needed
        return
    found = control_character(text)
    if found is not None:
        position, character = found
        raise CellProblem(messages.CONTROL_CHARACTER.format(character=character, position=position))


def _model_defaults():
    defaults = {}
    for name in FIELD_NAMES:
        model_field = ServiceItem._meta.get_field(name)
        default = None if model_field.is_relation else model_field.get_default()
        defaults[name] = default.value if isinstance(default, Enum) else default
    defaults["mobile_channels"] = []
    return defaults


@dataclass
class _ColumnMap:
    positions: dict  # field -> index in the row
    readings: list  # [(the file's header, field)] in file order
    left_out: list  # headers set aside (like no element, or set aside by a person)
    unplaced: dict  # header -> [closest fields]: a person must place or set aside each


def _map_columns(header, mapping=None) -> _ColumnMap:
    """Place each of the file's columns: by the names of the contract (header_names.py), by a
    person's `mapping` ({header: field, or None to set it aside}), or not at all; a column that
    only resembles an element is never used on a guess."""
    lookup = header_lookup()
    chosen = {header_key(name): target for name, target in (mapping or {}).items()}
    positions, readings, left_out, unplaced, duplicates = {}, [], [], {}, []
    for index, raw in enumerate(header):
        key = header_key(raw)
        if not key or key in SERIAL_NUMBER_KEYS:
            continue
        text = cell_text(raw)
        if key in chosen:
            target = chosen[key]
            if target is None:
                left_out.append(text)
                continue
            column = COLUMN_BY_FIELD[target]
        else:
            column = lookup.get(key)
        if column is None:
            closest = [] if key in UNUSED_KEYS else closest_fields(key)
            if closest:
                unplaced[text] = closest
            else:
                left_out.append(text)
        elif column.field in positions:
            duplicates.append(column.header)
        else:
            positions[column.field] = index
            readings.append((text, column.field))
    if duplicates:
        raise FileProblem(messages.DUPLICATE_COLUMNS.format(columns=join_list(duplicates)))
    if unplaced:
        raise _Unplaced(unplaced, readings, left_out)
    missing = [
        column.header for column in COLUMNS if column.required and column.field not in positions
    ]
    if missing:
        raise FileProblem(messages.MISSING_COLUMNS.format(columns=join_list(missing)))
    return _ColumnMap(positions, readings, left_out, unplaced)


class _Unplaced(FileProblem):
    def __init__(self, unplaced, readings, left_out):
        super().__init__(
            messages.UNPLACED_COLUMNS.format(
                columns=join_list(
                    messages.UNPLACED_COLUMN.format(
                        header=header,
                        closest="、".join(COLUMN_BY_FIELD[name].header for name in fields),
                    )
                    for header, fields in unplaced.items()
                )
            )
        )
        self.unplaced, self.readings, self.left_out = unplaced, readings, left_out


SERIAL_NUMBER_KEYS = frozenset(header_key(name) for name in SERIAL_NUMBER_NAMES)
UNUSED_KEYS = frozenset(header_key(name) for name in KNOWN_UNUSED_NAMES)
# How alike a header and a known name must be (difflib's ratio) for the column to need a
# person's decision instead of being left out.
RESEMBLANCE = 0.6


def closest_fields(key: str) -> list[str]:
    """The elements a header resembles, closest first (at most three). Names seen in files for
    more than one element come first, in the order header_names.AMBIGUOUS_NAMES gives."""
    if key in AMBIGUOUS_KEYS:
        return list(AMBIGUOUS_KEYS[key])
    scores = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            ratio = difflib.SequenceMatcher(None, key, header_key(name)).ratio()
            if ratio >= RESEMBLANCE and ratio > scores.get(column.field, 0):
                scores[column.field] = ratio
    return sorted(scores, key=lambda name: -scores[name])[:3]


AMBIGUOUS_KEYS = {header_key(name): fields for name, fields in AMBIGUOUS_NAMES.items()}


def mapping_from_text(pairs) -> dict:
    """`header=element` pairs (the command line's --map) as a mapping: the element by its
    header, another name or field name; 忽略 or nothing after = to set the column aside."""
    lookup = header_lookup()
    mapping = {}
    for pair in pairs:
        header, _sep, element = pair.partition("=")
        element = element.strip()
        if element in ("", IGNORE_WORD):
            mapping[header.strip()] = None
            continue
        column = COLUMN_BY_FIELD.get(element) or lookup.get(header_key(element))
        if column is None:
            raise FileProblem(
                messages.UNKNOWN_ELEMENT.format(
                    element=element, elements="、".join(c.header for c in COLUMNS)
                )
            )
        mapping[header.strip()] = column.field
    return mapping


IGNORE_WORD = "忽略"


# A row's values to write, as a list in this order (a dict per row would double the memory).
WRITTEN_FIELDS = (*FIELD_NAMES, "mobile_channels")
VALUE_INDEX = {name: index for index, name in enumerate(WRITTEN_FIELDS)}
CHUNK_ROWS = 2000  # rows checked together: one query for their existing items
# Checking stops after this many error rows (at the end of their chunk): a file of nothing but
# errors would otherwise keep every cell of every row, and nobody reads 100,000 errors.
MAX_ERROR_ROWS = 1000


def build_plan(sheet: Sheet, *, allowed_departments=None, mapping=None) -> ImportPlan:
    """Decide for every row: new, update, unchanged or error (with every error found).

    `allowed_departments`: None for all, else the ids of the departments whose items the user
    may import; other rows are errors. `mapping`: a person's placing of the file's columns
    ({header: field, or None to set it aside}). Rows stream through in chunks, so memory holds
    the plan but not the whole sheet's cells.
    """
    with _no_cyclic_garbage_collection():
        return _build_plan(sheet, allowed_departments, mapping)


def _build_plan(sheet, allowed_departments, mapping):
    try:
        column_map = _map_columns(sheet.header, mapping)
    except FileProblem as problem:
        plan = plan_from_file_problem(problem)
        plan.sheet_name, plan.header_row = sheet.name, sheet.header_row
        return plan
    positions = column_map.positions
    plan = ImportPlan(
        unknown_columns=column_map.left_out,
        columns=[COLUMN_BY_FIELD[name].header for _header, name in column_map.readings],
        header=[cell_text(cell) for cell in sheet.header],
        column_readings=column_map.readings,
        left_out=column_map.left_out,
        sheet_name=sheet.name,
        header_row=sheet.header_row,
        mapping=dict(mapping or {}),
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
    time_limits = [COLUMN_BY_FIELD[name] for name in positions if COLUMN_BY_FIELD[name].unit_field]
    context = _Context(
        positions=positions,
        main_items=references.all_main_items(),
        defaults=_model_defaults(),
        allowed=None if allowed_departments is None else set(allowed_departments),
        departments=parsers.departments,
        not_allowed_message=_not_allowed_message(allowed_departments, parsers.departments),
        compared=[name for name in positions if name != "code"],
        plan=plan,
        renderers=_change_renderers(parsers),
    )
    formula_cells = sheet.formula_cells_without_value
    first_column = sheet.first_column
    first_row_of_code = {}
    chunk = []
    code_index = positions["code"]
    example_length = len(EXAMPLE_MARKER)
    for row_number, cells in sheet.rows:
        width = len(cells)
        if code_index < width:
            code_cell = cells[code_index]
            if code_cell.__class__ is str and code_cell[:example_length] == EXAMPLE_MARKER:
                continue  # the template's example row
        # Which cells are blank is worked out for updated items only (_decide): most rows of a
        # large file are new, and a check per cell would cost a tenth of the checking.
        values, errors, units_from_cells = {}, [], ()
        for name, header, index, parse, cache in specs:
            raw = cells[index] if index < width else ""
            if formula_cells and (row_number, index + first_column) in formula_cells:
                problem = formula_cells[(row_number, index + first_column)]
                errors.append(RowError(row_number, header, "", problem))
                continue
            if cache is None:  # text and codes: their parsers read the 清空 marker
                try:
                    values[name] = parse(raw)
                except CellProblem as problem:
                    errors.append(
                        RowError(row_number, header, rounded_code_text(raw), str(problem.message))
                    )
                continue
            key = raw if raw.__class__ is str else (raw.__class__, raw)
            result = cache.get(key, _MISSING)
            if result is _MISSING:
                try:
                    result = parse("" if cell_text(raw) == CLEAR_MARKER else raw)
                    if isinstance(result, Enum):  # plain values for JSON and the database
                        result = result.value
                except CellProblem as problem:
                    result = problem
                cache[key] = result
            if result.__class__ is CellProblem:
                errors.append(RowError(row_number, header, cell_text(raw), str(result.message)))
            else:
                values[name] = result
        if (
            values.get("legal_limit").__class__ is tuple
            or values.get("promised_limit").__class__ is tuple
        ):
            units_from_cells = _time_limit_units(
                row_number, cells, values, errors, time_limits, positions
            )
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
        chunk.append((row, values, cells, units_from_cells))
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
    _warn_missing_counted_columns(plan, positions, context.defaults)
    return plan


def _time_limit_units(row_number, cells, values, errors, time_limits, positions):
    """A time limit's cell parsed as (number, unit in the cell): its unit, from the cell or
    from the unit column, which must agree; "天" alone is refused unless the unit column says
    which days. Returns the unit fields set from the cells."""
    set_from_cells = ()
    for column in time_limits:
        parsed = values.get(column.field)
        if parsed.__class__ is not tuple:
            continue
        number, cell_unit = parsed
        values[column.field] = number
        unit_field = column.unit_field
        unit_given = unit_field in positions and not _blank(cells, positions[unit_field])
        if cell_unit == DAYS:
            if unit_given:
                continue
            errors.append(
                RowError(
                    row_number,
                    column.header,
                    cell_text(cells[positions[column.field]]),
                    str(messages.DAYS_WITHOUT_KIND.format(number=number)),
                )
            )
            del values[column.field]
        elif unit_given and values.get(unit_field, cell_unit) != cell_unit:
            unit_column = COLUMN_BY_FIELD[unit_field]
            errors.append(
                RowError(
                    row_number,
                    column.header,
                    cell_text(cells[positions[column.field]]),
                    str(
                        messages.UNIT_CONFLICT.format(
                            cell_unit=_unit_label(cell_unit),
                            unit_column=unit_column.header,
                            column_unit=_unit_label(values[unit_field]),
                        )
                    ),
                )
            )
            del values[column.field]
        else:
            values[unit_field] = cell_unit
            set_from_cells = (*set_from_cells, unit_field)
    return set_from_cells


def _blank(cells, index) -> bool:
    if index >= len(cells):
        return True
    raw = cells[index]
    return raw is None or (raw.__class__ is str and not raw.strip())


def _unit_label(unit):
    return contract_text(TimeUnit(unit).label)


# The elements the report counts, in the order the warning names them: the hall and window
# flags, then what the report's 网办/跑动/秒批/指尖办 columns count, then the time limits.
COUNTED_FIELDS = (
    "in_hall", "one_window", "comprehensive_window", "is_online", "onsite_visits",
    "instant_approval", "is_mobile", "legal_limit", "promised_limit",
)  # fmt: skip


def _warn_missing_counted_columns(plan, positions, defaults):
    """New items from a file without a counted column get its default: say so, in the preview.
    A warning, not an error (docs/excel-import.md): provincial exports never carry 秒批 or
    指尖办, and the person sees the defaults before confirming."""
    new_rows = plan.counts[NEW]
    missing = [name for name in COUNTED_FIELDS if name not in positions]
    if not new_rows or not missing:
        return
    renderers = cell_renderers()
    shown = []
    for name in missing:
        render = renderers[name]
        value = defaults[name]
        text = render(value) if render is not None and value is not None else value
        shown.append(str(messages.EMPTY_VALUE) if text in (None, "") else str(text))
    plan.warnings.insert(
        0,
        str(
            messages.MISSING_COUNTED_COLUMNS.format(
                columns="、".join(COLUMN_BY_FIELD[name].header for name in missing),
                defaults="、".join(shown),
                count=new_rows,
            )
        ),
    )


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
    plan: ImportPlan
    renderers: dict  # field -> value as the preview shows it


def _decide(chunk, context):
    """Merge each row with the item it updates, apply every rule, and set the row's action."""
    codes = [row.code for row, _values, _cells, _units in chunk if row.code]
    existing = references.existing_items(codes, FIELD_NAMES)
    positions, defaults, allowed = context.positions, context.defaults, context.allowed
    credit_codes = context.departments.credit_codes
    # A blank cell can change the row (_keep_blanks) only in a column whose value differs from
    # the stored one, or in an element that may no longer apply while it holds more than its
    # default. Most rows of a re-import differ in nothing: one comparison of all their values
    # at C speed leaves those few elements to look at. (The main item is compared apart: the
    # row holds its name until _resolve_main_item, the stored item its id.)
    plain_items = [(name, index) for name, index in positions.items() if name != "main_item"]
    plain_values = _values_getter([name for name, _index in plain_items])
    applying_items = [(name, index) for name, index in plain_items if name in ELEMENT_APPLIES]
    main_item_index = positions.get("main_item")
    compared = context.compared
    compared_values = _values_getter(compared)
    for row, values, cells, units_from_cells in chunk:
        current = existing.get(row.code)
        merged = dict(current or defaults)
        merged.update(values)
        if current is not None:
            if plain_values(merged) == plain_values(current):
                suspects = [
                    (name, index)
                    for name, index in applying_items
                    if current[name] != defaults[name]
                ]
            else:
                suspects = [
                    (name, index)
                    for name, index in plain_items
                    if merged[name] != current[name]
                    or (name in ELEMENT_APPLIES and current[name] != defaults[name])
                ]
            if main_item_index is not None and merged["main_item"] != current["main_item"]:
                suspects.append(("main_item", main_item_index))
            width = len(cells)
            # _blank(cells, index), inline.
            blanks = [
                name
                for name, index in suspects
                if (
                    index >= width
                    or (raw := cells[index]) is None
                    or (raw.__class__ is str and (not raw or raw.isspace()))
                )
                and name not in units_from_cells
            ]
            if blanks:
                _keep_blanks(merged, current, defaults, blanks)
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
            if credit_codes:
                _check_code_structure(row, merged, context)
            continue
        row.item_id = current["id"]
        row.updated_at = current["updated_at"].isoformat()
        if not row.new_main_item and compared_values(merged) == compared_values(current):
            changed = []  # most rows of a re-import: one comparison at C speed
        else:
            changed = [
                name
                for name in compared
                if merged[name] != current[name] or (name == "main_item" and row.new_main_item)
            ]
        if changed:
            row.changed = [COLUMN_BY_FIELD[name].header for name in changed]
            row.action = UPDATE
            row.values = [merged[name] for name in WRITTEN_FIELDS]
            row.changes = _changes(changed, current, merged, row, context)
            context.plan.cleared_count += sum(1 for _h, old, new in row.changes if old and not new)
        else:
            row.changed = []
            row.action = UNCHANGED
        if credit_codes:
            _check_code_structure(row, merged, context)


def _values_getter(names):
    """A function giving the values of `names` in a mapping, as a tuple (to compare two)."""
    if len(names) > 1:
        return itemgetter(*names)
    return lambda mapping: tuple(mapping[name] for name in names)


def _keep_blanks(merged, current, defaults, blanks):
    """A blank cell keeps the stored value, unless the element no longer applies given the
    row's own values (the rules then require it empty)."""
    for name in blanks:
        merged[name] = current[name]
    # Only a kept value other than the default can be cleared: most rows have none.
    if any(name in ELEMENT_APPLIES and current[name] != defaults[name] for name in blanks):
        for name in item_fields_not_applying(merged).intersection(blanks):
            merged[name] = defaults[name]


def _change_renderers(parsers):
    renderers = {name: render for name, render in cell_renderers().items() if render}
    renderers["department"] = lambda pk: parsers.departments.names.get(pk, "")
    renderers["sector"] = lambda pk: parsers.sectors.names.get(pk, "")
    renderers["mobile_channels"] = lambda ids: "、".join(
        parsers.channels.names.get(pk, "") for pk in ids
    )
    return renderers


def _changes(changed, current, merged, row, context):
    """(header, old, new) for each changed cell, as the preview shows them."""
    renderers = context.renderers
    changes = []
    for name in changed:
        render = renderers.get(name, _shown)
        old, new = current[name], merged[name]
        if name == "main_item":
            old, new = ("" if old is None else str(old)), (row.new_main_item or new or "")
            changes.append((COLUMN_BY_FIELD[name].header, old, str(new)))
            continue
        changes.append((COLUMN_BY_FIELD[name].header, _shown(render(old)), _shown(render(new))))
    return changes


def _shown(value):
    return "" if value is None else str(value)


def _check_code_structure(row, merged, context):
    """实施编码 = the department's 统一社会信用代码, one character, the 基本编码: a mismatch
    is a warning (codes made before the rule exist), where both are known."""
    credit_code = context.departments.credit_codes.get(merged.get("department"))
    basic_code = merged.get("basic_code")
    if not credit_code or not basic_code:
        return
    code = row.code
    tail = code[len(credit_code) + 1 :]
    if code.startswith(credit_code) and tail.startswith(basic_code):
        return
    context.plan.warnings.append(
        RowError(
            row.row,
            COLUMN_BY_FIELD["code"].header,
            code,
            str(messages.CODE_MISMATCH.format(credit_code=credit_code, basic_code=basic_code)),
        )
    )


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
