"""What every console page must be: one h1, every input labelled, operable by keyboard."""

from __future__ import annotations

from playwright.sync_api import Page

#: Inputs a person fills in or presses, and those that have no accessible name.
_UNLABELLED = """
() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden')
  .filter(el => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.tagName === 'BUTTON') return el.textContent.trim() === '';
    return !(el.labels && el.labels.length > 0 && el.labels[0].textContent.trim() !== '');
  })
  .map(el => el.outerHTML)
"""


def check_page(page: Page) -> None:
    """Assert the page has exactly one h1 and no control without a label."""
    assert page.locator("h1").count() == 1, f"{page.url}: not exactly one h1"
    unlabelled = page.evaluate(_UNLABELLED)
    assert unlabelled == [], f"{page.url}: controls without a label: {unlabelled}"
    assert page.locator("html").get_attribute("lang") in ("en", "zh-Hans")
