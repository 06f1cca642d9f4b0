"""`collectstatic` without what the workbench never serves: drf-spectacular-sidecar ships Redoc
and source maps beside Swagger UI (which /api/docs/ uses), 26 MB that production would copy and
compress for nothing (INSTALLED_APPS names this instead of django.contrib.staticfiles)."""
from django.contrib.staticfiles.apps import StaticFilesConfig


class WorkbenchStaticFilesConfig(StaticFilesConfig):
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "redoc"]
