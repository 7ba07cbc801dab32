"""SPC alerts: a run rule broken by new points raises an alert.

After an inspection adds measurements, the characteristic's chart is checked
against its control limits; each rule broken on one of the newest points
gives one ``SpcAlert`` (once per rule and subgroup). Alerts show on the
quality home page, which inspectors and supervisors see, and are logged as
warnings.
"""

import logging
from collections.abc import Iterable

import numpy as np

from quality import queries, spc
from quality.models import Characteristic, SpcAlert

logger = logging.getLogger(__name__)

# How many of the newest points are checked: patterns end on a new point.
RECENT_POINTS = 3


def check_characteristics(characteristic_ids: Iterable[int]) -> list[SpcAlert]:
    """Alerts for rules broken on the newest points of each characteristic."""
    characteristics = list(Characteristic.objects.filter(pk__in=characteristic_ids))
    history = queries.load_measurements(item.pk for item in characteristics)
    raised = []
    for characteristic in characteristics:
        values = history.get(characteristic.pk, np.zeros(0))
        limits = queries.limits_for(characteristic, values)
        if limits is None:
            continue
        analysis = spc.analyse(values, limits)
        first = max(0, len(analysis.means) - RECENT_POINTS)
        for rule, flags in analysis.violations.items():
            for index in np.flatnonzero(flags[first:]) + first:
                alert, created = SpcAlert.objects.get_or_create(
                    characteristic=characteristic,
                    rule=rule,
                    subgroup=int(index) + 1,
                    defaults={"value": float(analysis.means[index])},
                )
                if created:
                    raised.append(alert)
                    logger.warning(
                        "SPC rule %s broken on %s at subgroup %s",
                        rule,
                        characteristic,
                        index + 1,
                    )
    return raised
