"""The bundle's human-readable pages: plain HTML with the CSS inside, relative links only,
so an auditor reads the records offline in any browser, straight from the unpacked ZIP.

The index page speaks the auditor's language (Finnish, Swedish or English) from the web UI's
catalog, and prints on A4: a FINAS assessor often reads it on paper."""

import posixpath
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from lims import i18n
from lims.migrations import PROJECT_ROOT

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "records"


@lru_cache(maxsize=8)
def environment(timezone: str, language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        i18n.translations("ui", language), newstyle=True
    )
    env.globals["language"] = language
    zone = ZoneInfo(timezone)
    env.filters["local"] = lambda value: _local(value, zone)
    env.filters["link"] = lambda path, start: posixpath.relpath(path, start)
    env.filters["num"] = _number
    return env


def _number(value: float | int | None) -> str:
    """A measured value for reading (six significant digits); the JSON keeps every digit."""
    return "" if value is None else f"{value:.6g}"


def _local(value: str | datetime | None, zone: ZoneInfo) -> str:
    """A stored UTC time as the lab's local time, to the minute."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def render(
    template: str, *, timezone: str, language: str = i18n.MASTER_LANGUAGE, **context: Any
) -> str:
    return environment(timezone, language).get_template(template).render(**context)
