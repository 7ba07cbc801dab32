"""Demo quality data of the pump housing plant.

Defect codes; released standards for castings, the turned PH-100 housing
and the finished PH-100; inspection plans for receipt, first article,
in-process and final inspection; a measurement history with kept control
limits so the SPC charts have something to show; and a failed incoming
inspection of the suspect O-ring lot with its nonconformance and hold.
Idempotent: a second run finds everything and changes nothing.
"""

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.contrib.auth.models import User
from django.utils import timezone

from materials.models import Item, Lot, LotStatus
from mes.demo import DEMO_PASSWORD
from quality import inspections, spc
from quality.models import (
    Characteristic,
    DefectCode,
    InspectionPlan,
    Measurement,
    QualityStandard,
    StandardStatus,
)

DEFECTS = [
    ("POR", "Porosity", "major"),
    ("CRK", "Crack", "critical"),
    ("BUR", "Burr", "minor"),
    ("SCR", "Scratch", "minor"),
    ("LEAK", "Leak at test pressure", "critical"),
    ("HARD", "Hardness out of range", "major"),
]

# code, name, item, operation, characteristics
# characteristic: name, kind, unit, decimals, nominal, low, high, defects
STANDARDS = [
    (
        "QS-CAST-100",
        "Housing casting size 100, incoming",
        "CAST-100",
        "",
        [
            ("Wall thickness", "variable", "mm", 2, "8.00", "7.50", "8.50", []),
            ("Surface", "attribute", "", 0, None, None, None, ["POR", "CRK"]),
        ],
    ),
    (
        "QS-CAST-200",
        "Housing casting size 200, incoming",
        "CAST-200",
        "",
        [
            ("Wall thickness", "variable", "mm", 2, "10.00", "9.40", "10.60", []),
            ("Surface", "attribute", "", 0, None, None, None, ["POR", "CRK"]),
        ],
    ),
    (
        "QS-PH100-T",
        "Turned housing PH-100",
        "PH-100-T",
        "Turning",
        [
            ("Bore diameter", "variable", "mm", 3, "52.000", "51.985", "52.015", []),
            ("Face runout", "variable", "mm", 3, "0.000", None, "0.020", []),
            ("Edges", "attribute", "", 0, None, None, None, ["BUR", "SCR"]),
        ],
    ),
    (
        "QS-PH100",
        "Pump housing PH-100, final",
        "PH-100",
        "",
        [("Leak test", "attribute", "", 0, None, None, None, ["LEAK"])],
    ),
    (
        "QS-ORING-150",
        "O-ring NBR 150, incoming",
        "ORING-150",
        "",
        [
            ("Hardness", "variable", "Shore A", 0, "70", "65", "75", []),
            ("Appearance", "attribute", "", 0, None, None, None, ["HARD", "SCR"]),
        ],
    ),
]

# code, name, standard, trigger, sampling, sample size, AQL, every parts,
# every minutes, stop the operation on failure
PLANS = [
    (
        "IP-CAST-100-R",
        "CAST-100 receipt",
        "QS-CAST-100",
        "receipt",
        "aql",
        None,
        "1.0",
        None,
        None,
        False,
    ),  # noqa: E501
    (
        "IP-CAST-200-R",
        "CAST-200 receipt",
        "QS-CAST-200",
        "receipt",
        "aql",
        None,
        "1.0",
        None,
        None,
        False,
    ),  # noqa: E501
    (
        "IP-PH100T-FA",
        "PH-100 turning first article",
        "QS-PH100-T",
        "first_article",
        "fixed",
        1,
        None,
        None,
        None,
        True,
    ),  # noqa: E501
    (
        "IP-PH100T-IP",
        "PH-100 turning every 20 parts",
        "QS-PH100-T",
        "in_process",
        "fixed",
        5,
        None,
        20,
        None,
        True,
    ),  # noqa: E501
    (
        "IP-PH100-F",
        "PH-100 final inspection",
        "QS-PH100",
        "final",
        "aql",
        None,
        "0.65",
        None,
        None,
        False,
    ),  # noqa: E501
    (
        "IP-ORING-150-R",
        "ORING-150 receipt",
        "QS-ORING-150",
        "receipt",
        "fixed",
        5,
        None,
        None,
        None,
        False,
    ),  # noqa: E501
]

SPC_HISTORY = {
    # standard, characteristic: mean, sigma, subgroups, drift at the end
    ("QS-PH100-T", "Bore diameter"): (52.001, 0.0035, 120, 0.006),
    ("QS-CAST-100", "Wall thickness"): (8.05, 0.09, 60, 0.0),
}
BASELINE_SUBGROUPS = 80

SUSPECT_LOT = "R-ORING150-2611-02"


def load() -> str:
    inspector = User.objects.filter(username="quality").first()
    reviewer = User.objects.filter(username="admin").first()
    if inspector is None:
        return "no demo users; run mes demo first"
    defects = {
        code: DefectCode.objects.get_or_create(
            code=code, defaults={"name": name, "severity": severity}
        )[0]
        for code, name, severity in DEFECTS
    }
    items = {item.code: item for item in Item.objects.all()}
    standards = _standards(items, defects, inspector, reviewer)
    plans = _plans(standards)
    values = _history(standards)
    failed = _suspect_inspection(plans, inspector)
    return (
        f"{len(defects)} defect codes, {len(standards)} standards, "
        f"{len(plans)} plans, {values} new measured values, "
        f"{failed} new failed inspections"
    )


def _standards(
    items: dict[str, Item],
    defects: dict[str, DefectCode],
    inspector: User,
    reviewer: User | None,
) -> dict[str, QualityStandard]:
    standards = {}
    for code, name, item_code, operation, characteristics in STANDARDS:
        if item_code not in items:
            continue
        standard, created = QualityStandard.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "name": name,
                "item": items[item_code],
                "operation_name": operation,
                "status": StandardStatus.RELEASED,
                "created_by": inspector,
                "submitted_by": inspector,
                "released_by": reviewer,
                "released_at": timezone.now(),
            },
        )
        standards[code] = standard
        if not created:
            continue
        for sequence, row in enumerate(characteristics, start=1):
            label, kind, unit, decimals, nominal, low, high, codes = row
            characteristic = Characteristic.objects.create(
                standard=standard,
                sequence=sequence * 10,
                name=label,
                kind=kind,
                unit=unit,
                decimals=decimals,
                nominal=_decimal(nominal),
                lower_limit=_decimal(low),
                upper_limit=_decimal(high),
                physical_minimum=Decimal(0) if kind == "variable" else None,
                physical_maximum=Decimal(1000) if kind == "variable" else None,
            )
            characteristic.defect_codes.set([defects[code] for code in codes])
    return standards


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _plans(standards: dict[str, QualityStandard]) -> dict[str, InspectionPlan]:
    plans = {}
    for row in PLANS:
        code, name, standard, trigger, method, size, aql, parts, minutes, stop = row
        if standard not in standards:
            continue
        plans[code] = InspectionPlan.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "standard": standards[standard],
                "trigger": trigger,
                "sampling": method,
                "sample_size": size,
                "aql": _decimal(aql),
                "every_parts": parts,
                "every_minutes": minutes,
                "stops_operation_on_failure": stop,
            },
        )[0]
    return plans


def _history(standards: dict[str, QualityStandard]) -> int:
    """Measurements of past subgroups, and limits kept from the first ones."""
    generator = np.random.default_rng(2026)
    written = 0
    for (code, name), (mean, sigma, count, drift) in SPC_HISTORY.items():
        if code not in standards:
            continue
        characteristic = standards[code].characteristics.get(name=name)
        if characteristic.measurements.exists():
            continue
        size = characteristic.subgroup_size
        values = generator.normal(mean, sigma, count * size)
        values[-10 * size :] += np.linspace(0, drift, 10 * size)
        start = timezone.now() - timedelta(hours=count)
        Measurement.objects.bulk_create(
            Measurement(
                characteristic=characteristic,
                subgroup=index // size + 1,
                value=round(float(value), characteristic.decimals),
                taken_at=start + timedelta(hours=index // size),
            )
            for index, value in enumerate(values)
        )
        written += len(values)
        baseline = values[: BASELINE_SUBGROUPS * size]
        characteristic.control_limits = spc.variable_limits(baseline, size).as_dict()
        characteristic.baseline_from = start
        characteristic.baseline_to = start + timedelta(hours=BASELINE_SUBGROUPS)
        characteristic.save(
            update_fields=["control_limits", "baseline_from", "baseline_to"]
        )
    return written


def _suspect_inspection(plans: dict[str, InspectionPlan], inspector: User) -> int:
    """The suspect O-ring lot fails its hardness check: report and hold."""
    lot = Lot.objects.filter(code=SUSPECT_LOT).first()
    plan = plans.get("IP-ORING-150-R")
    if lot is None or plan is None or lot.status != LotStatus.ON_HOLD:
        return 0
    if not inspector.check_password(DEMO_PASSWORD):
        return 0
    order = inspections.create_order(
        plan, f"lot:{lot.pk}", lot=lot, lot_size=int(lot.initial_quantity)
    )
    if order is None:
        return 0
    data = {}
    hard = plan.standard.characteristics.get(name="Appearance").defect_codes.get(
        code="HARD"
    )
    for field in inspections.entry_fields(order):
        if field.characteristic.is_variable:
            data[field.name] = "78" if field.sample_number <= 2 else "72"
        else:
            data[field.name] = str(hard.pk) if field.sample_number <= 2 else "ok"
    inspections.sign_order(order, inspector, data, DEMO_PASSWORD)
    return 1
