"""Text written into a spreadsheet cell: what a spreadsheet would run is written as text.

Excel, LibreOffice and WPS read a cell typed as text that starts with =, +, -, @, tab or CR as a
formula when it is edited or re-saved (and openpyxl writes any text starting with = as one). So
every spreadsheet this project writes (the item export and template, the failing-rows file, the
report's tables) passes its text cells through `neutralise_formula`, which prefixes a
quote; the import drops that quote again (catalogue.importing.values.cell_text), so exported text
comes back as it was.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"


def neutralise_formula(text: str) -> str:
    if text.startswith(FORMULA_TRIGGERS):
        return NEUTRALISING_PREFIX + text
    return text


def safe_cells(values) -> list:
    """A row for a spreadsheet writer: its text cells neutralised, other values as they are."""
    return [neutralise_formula(value) if isinstance(value, str) else value for value in values]
