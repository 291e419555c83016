"""The one format table (reports/formats.py) drives the CLI's choices, aggregate's file options,
the servers' downloads and the dispatch: a format added, dropped or renamed there shows everywhere."""

from __future__ import annotations

import importlib

import click
import pytest

from readiness.cli import main
from readiness.reports.formats import FILES, FORMATS, LINKED, SHOWN


def test_the_table():
    assert SHOWN == ("text", "json") and FILES == ("html", "csv", "xlsx") and LINKED == ("html", "csv", "xlsx", "json")
    for form in FORMATS.values():  # every renderer it names exists and is a render function
        for module in (form.report, form.site, form.branch):
            if module is not None:
                assert callable(importlib.import_module(f"readiness.reports.{module}").render), module
        assert (form.encoding is None) == (form.name == "xlsx")
    assert FORMATS["csv"].encoding == "utf-8-sig"  # Excel on Chinese Windows


def _choices(command: str, option: str) -> list[str] | None:
    cmd = main.commands[command]
    found = [p for p in cmd.params if option in getattr(p, "opts", [])]
    if not found:
        return None
    kind = found[0].type
    return list(kind.choices) if isinstance(kind, click.Choice) else []


@pytest.mark.parametrize("command", ["check", "bandwidth", "aggregate"])
def test_the_cli_offers_what_the_table_says(command):
    assert _choices(command, "--format") == list(SHOWN)


def test_aggregate_file_options_are_the_tables_file_formats():
    assert [name for name in FILES if _choices("aggregate", f"--{name}") is not None] == list(FILES)
    assert _choices("aggregate", "--pdf") is None
