"""zh-Hans is the default language: its catalogue must be complete, compiled, and
cover every string in the source; English is the source language itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import po_tool  # noqa: E402

PO = ROOT / "guanxi/locale/zh_Hans/LC_MESSAGES/django.po"


def test_every_string_has_a_chinese_translation():
    untranslated = [e["msgid"] for e in po_tool.parse(PO) if po_tool.is_untranslated(e)]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file():
    entries = [
        e
        for e in po_tool.parse(PO)
        if e["msgid"] and e["msgid_plural"] is None and e["msgctxt"] is None
    ]
    with translation.override("zh-hans"):
        stale = [e["msgid"] for e in entries if translation.gettext(e["msgid"]) != e["msgstr"]]
    assert stale == [], "run `make messages` to recompile the .mo files"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogue_holds_every_string_of_the_source(tmp_path):
    copy = tmp_path / "guanxi"
    shutil.copytree(ROOT / "guanxi", copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "guanxi.settings"}
    subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
         "--ignore", "static/*", "--ignore", "conftest.py"],
        cwd=copy, env=env, check=True, capture_output=True,
    )  # fmt: skip
    fresh = {e["msgid"] for e in po_tool.parse(copy / "locale/zh_Hans/LC_MESSAGES/django.po")}
    committed = {e["msgid"] for e in po_tool.parse(PO)}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new strings"
