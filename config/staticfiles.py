"""The apps' static files without what the workbench never serves: drf-spectacular-sidecar ships
Redoc beside Swagger UI (which /api/docs/ uses), 12 MB that collectstatic would copy and compress
for nothing. (Source maps stay: the hashed-name storage checks every file's references to them.)"""

from django.contrib.staticfiles.finders import AppDirectoriesFinder

UNSERVED = ["redoc"]


class WorkbenchAppDirectoriesFinder(AppDirectoriesFinder):
    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNSERVED])
