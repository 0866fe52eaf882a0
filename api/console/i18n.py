"""The console's languages: English message ids, translated through a catalogue file per language.

A deliberately small mechanism instead of gettext/Babel: the pages hold English text marked with
``_("…")``; ``catalogue/zh.json`` maps each such text to its Chinese. No compile step, no .mo
files in the repository, and a test (``tests/unit/console/test_i18n.py``) fails when a marked
text has no translation. Placeholders use ``str.format`` names: ``_("{n} declarations", n=3)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

#: Languages a user may choose; the first is the default.
LANGUAGES = ("en", "zh")
#: What each language is called in itself (the language switch shows these).
NATIVE_NAMES = {"en": "English", "zh": "中文"}


@cache
def catalogue(language: str) -> Mapping[str, str]:
    """The translations of ``language`` (empty for English, the language of the message ids)."""
    if language == LANGUAGES[0]:
        return {}
    text = (
        resources.files("api.console")
        .joinpath("catalogue", f"{language}.json")
        .read_text(encoding="utf-8")
    )
    table: dict[str, str] = json.loads(text)
    return table


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark ``message`` as a text of the pages (translated where it is shown); returns it."""
    return message


class Translator:
    """Translates the English message ids of the pages into one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else LANGUAGES[0]
        self._table = catalogue(self.language)

    def __call__(self, message: str, /, **values: object) -> str:
        """``message`` in this language (English when the catalogue lacks it), filled in."""
        text = self._table.get(message, message)
        return text.format(**values) if values else text


def negotiate(accept_language: str | None) -> str:
    """The language of the browser's first preference that the console speaks, else English."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        base = tag.split("-")[0]
        if base in LANGUAGES:
            return base
    return LANGUAGES[0]
