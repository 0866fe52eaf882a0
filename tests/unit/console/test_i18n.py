"""Every text the console shows is in the Chinese catalogue, and nothing else is.

The texts are found where they are marked: ``_("…")`` in the templates, ``N_("…")`` in the
Python modules, the code labels of ``api/console/codes.py`` and the page titles.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from api.console import codes
from api.console.i18n import Translator, negotiate

CONSOLE = Path(__file__).resolve().parents[3] / "api" / "console"
MARKED = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
#: Texts of the pages made in Python are marked ``N_("…")`` (api/console/i18n.py).
PYTHON_MARKED = re.compile(r'\bN_\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
TITLE = re.compile(r'{% set title = "([^"]+)" %}')


def texts_of_the_pages() -> set[str]:
    """The English message ids: marked in templates, page titles, form errors, code labels."""
    found: set[str] = set(codes.LABELS.values())
    for template in CONSOLE.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        found |= {a or b for a, b in MARKED.findall(text)}
        found |= set(TITLE.findall(text))
    for module in CONSOLE.glob("*.py"):
        if module.name != "i18n.py":  # its docstring shows the marker
            found |= set(PYTHON_MARKED.findall(module.read_text(encoding="utf-8")))
    return found


def catalogue() -> dict[str, str]:
    table: dict[str, str] = json.loads((CONSOLE / "catalogue" / "zh.json").read_text("utf-8"))
    return table


def test_every_text_has_a_chinese_translation() -> None:
    missing = sorted(texts_of_the_pages() - set(catalogue()))
    assert missing == []


def test_the_catalogue_holds_no_text_the_pages_no_longer_show() -> None:
    unused = sorted(set(catalogue()) - texts_of_the_pages())
    assert unused == []


def test_translations_keep_their_placeholders() -> None:
    placeholder = re.compile(r"{(\w+)}")
    for english, chinese in catalogue().items():
        assert set(placeholder.findall(english)) == set(placeholder.findall(chinese)), english


def test_a_translator_translates_and_fills_in() -> None:
    assert Translator("zh")("Sign in") == "登录"
    assert Translator("zh")("Signed in as {name}", name="王") == "当前用户：王"
    assert Translator("en")("Signed in as {name}", name="Wang") == "Signed in as Wang"
    assert Translator("fr")("Sign in") == "Sign in"  # an unknown language is English


def test_the_browsers_first_language_the_console_speaks_is_chosen() -> None:
    assert negotiate("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert negotiate("fr-FR, en-GB;q=0.8") == "en"
    assert negotiate(None) == "en"


def test_codes_without_a_label_show_their_words() -> None:
    assert codes.label("documents_required") == "Documents required"
    assert codes.label("some_new_kind") == "Some new kind"
