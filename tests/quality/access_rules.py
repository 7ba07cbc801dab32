from mes.roles import Role
from tests.access import Rule, roles
from tests.factories.quality import make_characteristic, make_plan, make_standard

VIEWERS = roles(Role.QUALITY, Role.SUPERVISOR, Role.ADMIN)
EDITORS = roles(Role.QUALITY, Role.ADMIN)


def _standard() -> dict[str, int]:
    return {"pk": make_standard().pk}


def _characteristic() -> dict[str, int]:
    return {"pk": make_characteristic().pk}


RULES = {
    "quality:home": Rule(roles=VIEWERS),
    "quality:standard-list": Rule(roles=VIEWERS),
    "quality:standard-create": Rule(roles=EDITORS),
    "quality:standard-detail": Rule(roles=VIEWERS, kwargs=_standard),
    "quality:standard-submit": Rule(roles=EDITORS, method="post", kwargs=_standard),
    "quality:standard-return": Rule(roles=EDITORS, method="post", kwargs=_standard),
    "quality:standard-release": Rule(roles=EDITORS, method="post", kwargs=_standard),
    "quality:standard-new-version": Rule(
        roles=EDITORS, method="post", kwargs=_standard
    ),
    "quality:characteristic-create": Rule(roles=EDITORS, kwargs=_standard),
    "quality:characteristic-edit": Rule(roles=EDITORS, kwargs=_characteristic),
    "quality:characteristic-delete": Rule(
        roles=EDITORS, method="post", kwargs=_characteristic
    ),
    "quality:characteristic-chart": Rule(roles=VIEWERS, kwargs=_characteristic),
    "quality:characteristic-baseline": Rule(
        roles=EDITORS, method="post", kwargs=_characteristic
    ),
    "quality:spc-overview": Rule(roles=VIEWERS),
    "quality:plan-list": Rule(roles=VIEWERS),
    "quality:plan-create": Rule(roles=EDITORS),
    "quality:plan-edit": Rule(roles=EDITORS, kwargs=lambda: {"pk": make_plan().pk}),
}
