"""``manage.py check`` tells an operator when PDF exports lack their fonts."""

from __future__ import annotations

from typing import Any

from django.core import checks

from openisms.reports import fonts


def pdf_fonts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    missing = fonts.missing()
    if not missing:
        return []
    return [
        checks.Warning(
            f"PDF exports cannot find {', '.join(missing)}: text outside Latin-1 (or CJK text) "
            "will print as '?'.",
            hint="Install the Debian packages fonts-dejavu-core and fonts-wqy-zenhei (or the "
            "same fonts on your system), or point OPENISMS_FONT_DIRS at a folder holding them.",
            id="openisms.W001",
        )
    ]
