from typing import Any

from django import template

from mes import audit

register = template.Library()


@register.inclusion_tag("mes/partials/history.html")
def audit_history(instance: Any, limit: int = 50) -> dict[str, Any]:
    """The audit trail of a record, newest first."""
    return {"entries": list(audit.history(instance)[:limit])}
