"""Renderers: pure functions ``render(subject, lang) -> str | bytes``, one module per format and
subject (a PC's report, a site, a branch); the callers do the writing. The one table that picks
them is readiness.reports.formats."""
