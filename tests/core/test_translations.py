"""Every user-facing string ships in French and Spanish: CI fails on a missing or fuzzy one."""

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGS = ROOT / "ecommunity" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%d")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings marked in the code and templates right now."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def _catalog(language):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_marked_string_is_translated_and_not_fuzzy(extracted, language):
    catalog = _catalog(language)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        if translated is None:
            problems.append(f"missing: {message.id!r}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif isinstance(translated.string, tuple | list):
            if not all(translated.string):
                problems.append(f"untranslated plural: {message.id!r}")
        elif not translated.string:
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{language}: {len(problems)} problems (run `make update-catalogs`):\n" + "\n".join(
        problems[:50]
    )


@pytest.mark.parametrize("language", ["fr", "es"])
def test_translations_keep_the_placeholders(language):
    problems = []
    for message in _catalog(language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != expected:
                problems.append(f"{message.id!r} -> {string!r}")
    assert not problems, "\n".join(problems)
