"""The analysis app's models, one module per subject: releases (DatasetRelease), panels (Panel),
runs (ModelRun, a coding.models.jobs.Job) and sensitivity (SensitivityRun, one ModelRun per
source). Fields and invariants only; writes are services."""

from .panels import Panel
from .releases import DatasetRelease
from .runs import ModelRun, SpecFit
from .sensitivity import SensitivityColumn, SensitivityRun

__all__ = ["DatasetRelease", "ModelRun", "Panel", "SensitivityColumn", "SensitivityRun", "SpecFit"]
