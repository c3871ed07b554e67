"""Excel import of the catalogue: read (reading), check and plan (plan), write (writing)."""

from .plan import ERROR, NEW, UNCHANGED, UPDATE, ImportPlan, RowError, RowPlan, build_plan
from .reading import FileProblem, read_sheet
from .writing import ImportResult, StalePlan, apply_plan

__all__ = [
    "ERROR",
    "NEW",
    "UNCHANGED",
    "UPDATE",
    "FileProblem",
    "ImportPlan",
    "ImportResult",
    "RowError",
    "RowPlan",
    "StalePlan",
    "apply_plan",
    "build_plan",
    "read_sheet",
]
