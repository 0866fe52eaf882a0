"""The one import of lxml's ``etree`` for this package.

lxml ships no type information and the project does not install ``lxml-stubs`` (mypy treats
``lxml.*`` as untyped, see pyproject.toml); every module imports ``etree`` from here so a
later switch to typed stubs touches one place.
"""

from lxml import etree

__all__ = ["etree"]
