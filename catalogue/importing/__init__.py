"""Excel import of the catalogue: read (reading), check and plan (plan), write (writing)."""

from .plan import ERROR, NEW, UNCHANGED, UPDATE, ImportPlan, RowError, RowPlan, build_plan
from .problems import CellProblem, FileProblem, ImportProblem, PlanWithErrors, StalePlan
from .reading import read_sheet
from .writing import ImportResult, apply_plan

__all__ = [
    "ERROR",
    "NEW",
    "UNCHANGED",
    "UPDATE",
    "CellProblem",
    "FileProblem",
    "ImportPlan",
    "ImportProblem",
    "ImportResult",
    "PlanWithErrors",
    "RowError",
    "RowPlan",
    "StalePlan",
    "apply_plan",
    "build_plan",
    "read_sheet",
]
