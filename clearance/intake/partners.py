"""Trading partner agreements: which CUSDEC profile each sender's interchanges are read with.

``CUSTOMS_PARTNERS`` names a JSON or TOML file::

    default_profile = "default"          # optional: else CUSTOMS_EDIFACT_PROFILE

    [partners.ZABROKER01]
    profile = "sars-cusdec-30.2"

(JSON: ``{"default_profile": …, "partners": {"ZABROKER01": {"profile": …}}}``.) Profiles
come from the shipped folder and ``CUSTOMS_EDIFACT_PROFILES``. Anything wrong stops the
start-up with the file named, not the first interchange of that partner.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from core.settings import Settings
from edi.edifact.profile import ProfileError, ProfileSet, profile_set


def profiles_for(settings: Settings) -> ProfileSet:
    """Every profile the settings make known, and the agreements of the partners file."""
    default, by_sender = settings.edifact_profile, {}
    if settings.partners:
        data = _read(Path(settings.partners))
        default = str(data.get("default_profile") or default)
        partners = data.get("partners") or {}
        if not isinstance(partners, dict):
            raise ProfileError(f"{settings.partners}: 'partners' must be a table of sender ids")
        for sender, agreement in partners.items():
            if not isinstance(agreement, dict) or not isinstance(agreement.get("profile"), str):
                raise ProfileError(f"{settings.partners}: partner {sender}: needs a 'profile'")
            by_sender[str(sender)] = agreement["profile"]
    return profile_set(default, settings.edifact_profiles, by_sender)


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the partners file: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}, line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: the partners file is a table (object)")
    return data
