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
    "quality:standard-edit": Rule(roles=EDITORS, kwargs=_standard),
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


def _order() -> dict[str, int]:
    from tests.factories.quality import make_inspection_order

    return {"pk": make_inspection_order().pk}


def _report() -> dict[str, int]:
    from tests.factories.quality import make_nonconformance

    return {"pk": make_nonconformance().pk}


def _action() -> dict[str, int]:
    from datetime import date

    from quality.models import CorrectiveAction
    from tests.factories import make_user
    from tests.factories.quality import make_nonconformance

    action = CorrectiveAction.objects.create(
        nonconformance=make_nonconformance(),
        description="Deburr",
        owner=make_user(),
        due_on=date.today(),
    )
    return {"pk": action.pk}


def _hold() -> dict[str, int]:
    from tests.factories.quality import make_hold

    return {"pk": make_hold().pk}


RULES |= {
    "quality:inspection-queue": Rule(roles=VIEWERS),
    "quality:inspection-order": Rule(roles=VIEWERS, kwargs=_order),
    "quality:inspection-save": Rule(roles=EDITORS, method="post", kwargs=_order),
    "quality:inspection-sign": Rule(roles=EDITORS, method="post", kwargs=_order),
    "quality:inspection-cancel": Rule(roles=EDITORS, method="post", kwargs=_order),
    "quality:nonconformance-list": Rule(roles=VIEWERS),
    "quality:nonconformance-create": Rule(roles=EDITORS),
    "quality:nonconformance-detail": Rule(roles=VIEWERS, kwargs=_report),
    "quality:nonconformance-disposition": Rule(
        roles=VIEWERS, method="post", kwargs=_report
    ),
    "quality:nonconformance-action-add": Rule(
        roles=EDITORS, method="post", kwargs=_report
    ),
    "quality:nonconformance-close": Rule(roles=EDITORS, method="post", kwargs=_report),
    "quality:action-complete": Rule(roles=VIEWERS, method="post", kwargs=_action),
    "quality:hold-list": Rule(roles=VIEWERS),
    "quality:hold-create": Rule(roles=EDITORS),
    "quality:hold-detail": Rule(roles=VIEWERS, kwargs=_hold),
    "quality:hold-release": Rule(roles=EDITORS, method="post", kwargs=_hold),
    "quality:trace": Rule(roles=VIEWERS),
}

RULES |= {
    "quality:report-index": Rule(roles=VIEWERS),
    "quality:report": Rule(roles=VIEWERS, kwargs=lambda: {"name": "defect-pareto"}),
    "quality:report-export": Rule(
        roles=VIEWERS, kwargs=lambda: {"name": "first-pass-yield"}
    ),
}


def _alert() -> dict[str, int]:
    from quality.models import SpcAlert
    from tests.factories.quality import make_characteristic

    alert = SpcAlert.objects.create(
        characteristic=make_characteristic(), rule=1, subgroup=1, value=1.0
    )
    return {"pk": alert.pk}


def _stop() -> dict[str, int]:
    from quality.models import OperationStop
    from tests.factories.quality import make_inspection_order, make_operation

    stop = OperationStop.objects.create(
        operation=make_operation(), inspection_order=make_inspection_order()
    )
    return {"pk": stop.pk}


RULES |= {
    "quality:alert-acknowledge": Rule(roles=VIEWERS, method="post", kwargs=_alert),
    "quality:stop-lift": Rule(
        roles=EDITORS, method="post", kwargs=_stop, data={"reason": "x"}
    ),
}
