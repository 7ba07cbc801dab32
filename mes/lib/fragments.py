"""Rendered rows remembered by what they show.

Lists refreshed every few seconds by every tablet and board (the operator's
queue, the supervisor's board) render the same rows again and again. A row's
HTML depends only on its template, its data, the extra values passed with it,
the active language and the active time zone; ``render_rows`` keeps recently
rendered rows per process, keyed by exactly these, so a refresh renders only
the rows that changed since.

Limitations: a row must be hashable (a frozen dataclass) and hold everything
its template shows; a row template must not read the request, the user or a
CSRF token, which are not part of the key. Each server process keeps its own
rows (``ROWS_KEPT`` at most).
"""

from collections.abc import Hashable, Iterable
from functools import lru_cache

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

ROWS_KEPT = 4096


def render_rows(
    template_name: str, rows: Iterable[Hashable], **extra: Hashable
) -> list[SafeString]:
    """Each row rendered with ``template_name`` as ``row``, plus ``extra``."""
    language = translation.get_language()
    zone = timezone.get_current_timezone_name()
    fixed = tuple(sorted(extra.items()))
    return [_render(template_name, row, fixed, language, zone) for row in rows]


@lru_cache(maxsize=ROWS_KEPT)
def _render(
    template_name: str,
    row: Hashable,
    extra: tuple[tuple[str, Hashable], ...],
    language: str | None,
    zone: str,
) -> SafeString:
    # The language and zone are active already; they are arguments only to
    # tell rows rendered under different ones apart.
    return mark_safe(render_to_string(template_name, {"row": row, **dict(extra)}))
