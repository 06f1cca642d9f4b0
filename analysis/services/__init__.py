"""Every write the analysis app makes goes through a function here (HackSoft's services layer),
one module per subject: releases, panels, runs, sensitivity. Keyword-only, named <entity>_<action>; no service
imports a task module (a run's task is sent by name through jobs.dispatch.job_dispatch).
Import from the module."""
