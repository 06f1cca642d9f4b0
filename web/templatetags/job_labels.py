"""A job's failure reason in the page language: `{% load job_labels %}` then `{{ job|job_error }}`
(jobs/progress.py: job_error_text; a reason stored as plain text shows as it is)."""

from django import template

from jobs.progress import job_error_text

register = template.Library()


@register.filter
def job_error(job):
    return job_error_text(job) if job is not None else ""
