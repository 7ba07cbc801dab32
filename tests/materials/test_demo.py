"""The demo materials load once and tell a traceable story."""

import pytest

from materials import demo, queries
from materials.models import Lot, LotStatus, StockMove
from mes import demo as mes_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_stock_genealogy_and_a_plan():
    # given the demo users
    mes_demo.load()

    # when the materials demo is loaded twice
    demo.load()
    lots, moves = Lot.objects.count(), StockMove.objects.count()
    demo.load()

    # then the second run changes nothing
    assert (Lot.objects.count(), StockMove.objects.count()) == (lots, moves)

    # and a finished housing traces back to its casting
    housing = Lot.objects.get(code="F-PH100-2611-01")
    codes = {lot.code for lot in queries.trace_backward(housing).reached}
    assert {"P-PH100M-2611-01", "P-PH100T-2611-01", demo.FIRST_DEMO_LOT} <= codes
    assert Lot.objects.get(code="R-ORING150-2611-02").status == LotStatus.ON_HOLD
    assert Lot.objects.get(code="R-CAST200-2612-01").status == LotStatus.QUARANTINE
    plan = Lot.objects.get(code="R-ORING200-2612-01").reference
    assert plan.startswith("PP-")
    assert queries.open_receipts_by_item()
