"""Lot genealogy: backward and forward traces over several levels."""

from decimal import Decimal

import pytest

from materials import queries, services
from materials.genealogy import as_tree
from materials.models import ItemKind, Lot, LotLink
from tests.factories.materials import make_item, make_location, make_lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(materials_handler):
    """A casting split into two turned lots that merge again in a housing.

    casting -5-> turned 1 -3-> housing 1 <-2- turned 2 -3-> housing 2
    casting -5-> turned 2;   o-ring -1-> housing 1
    """
    store = make_location()
    casting = make_lot(make_item(code="CAST"), 10, store)
    oring = make_lot(make_item(ItemKind.PURCHASED_PART, code="ORING"), 10, store)
    turned = make_item(ItemKind.SEMI_FINISHED, code="TURNED")
    housing = make_item(ItemKind.FINISHED_GOOD, code="HOUSING")
    actor = materials_handler
    turned_1 = services.record_output(
        turned, 5, store, "WO-1", [(casting, 5)], actor, lot_code="T1"
    )
    turned_2 = services.record_output(
        turned, 5, store, "WO-2", [(casting, 5)], actor, lot_code="T2"
    )
    housing_1 = services.record_output(
        housing,
        1,
        store,
        "WO-3",
        [(turned_1, 3), (turned_2, 2), (oring, 1)],
        actor,
        lot_code="H1",
    )
    housing_2 = services.record_output(
        housing, 1, store, "WO-4", [(turned_2, 3)], actor, lot_code="H2"
    )
    return {
        "casting": casting,
        "oring": oring,
        "turned_1": turned_1,
        "turned_2": turned_2,
        "housing_1": housing_1,
        "housing_2": housing_2,
        "store": store,
    }


def codes(lots):
    return sorted(lot.code for lot in lots)


def test_backward_trace_finds_every_input_with_depths(plant):
    trace = queries.trace_backward(plant["housing_1"])

    assert codes(trace.reached) == codes(
        [plant["turned_1"], plant["turned_2"], plant["oring"], plant["casting"]]
    )
    depths = trace.depths()
    assert depths[plant["turned_1"].pk] == 1
    assert depths[plant["casting"].pk] == 2
    quantities = dict(trace.branches[plant["housing_1"].pk])
    assert quantities[plant["turned_1"].pk] == Decimal(3)
    assert quantities[plant["turned_2"].pk] == Decimal(2)


def test_forward_trace_follows_the_split_and_the_merge(plant):
    trace = queries.trace_forward(plant["casting"])

    assert codes(trace.reached) == ["H1", "H2", "T1", "T2"]
    assert trace.link_count == 5
    assert codes(trace.ends()) == ["H1", "H2"]


def test_a_lot_without_links_traces_to_itself_only(plant):
    lonely = make_lot(quantity=1)

    trace = queries.trace_forward(lonely)

    assert trace.root.code == lonely.code
    assert trace.reached == []


def test_a_cycle_does_not_loop_forever(materials_handler):
    first = make_lot(quantity=1)
    second = make_lot(quantity=1)
    LotLink.objects.create(parent=first, child=second, quantity=1)
    LotLink.objects.create(parent=second, child=first, quantity=1)

    trace = queries.trace_forward(first)

    assert codes(trace.reached) == [second.code]


def test_tree_expands_a_lot_reached_twice_only_once(plant):
    tree, cut = as_tree(queries.trace_forward(plant["casting"]))

    assert not cut
    turned = {child.lot.code: child for child in tree.children}
    housings = [h for child in turned.values() for h in child.children]
    assert sorted(h.lot.code for h in housings) == ["H1", "H1", "H2"]
    assert sum(h.repeated for h in housings) == 1


def test_recall_report_lists_finished_lots_and_where_they_are(plant):
    trace, entries = queries.recall_report(plant["oring"])

    assert [(e.lot.code, e.on_hand) for e in entries] == [
        ("H1", [(plant["store"].code, Decimal(1))])
    ]


def test_traced_lots_carry_their_item_and_status(plant):
    trace = queries.trace_forward(plant["casting"].pk)

    housing = trace.lots[plant["housing_1"].pk]
    assert housing.code == "H1"
    assert housing.status == plant["housing_1"].status
    assert (housing.item_code, housing.item_kind) == ("HOUSING", ItemKind.FINISHED_GOOD)
    assert housing.item_name == plant["housing_1"].item.name
    assert housing.is_finished_good
    assert not trace.lots[plant["turned_1"].pk].is_finished_good
    assert trace.root.code == plant["casting"].code


def test_every_link_keeps_its_quantity(plant):
    trace = queries.trace_forward(plant["casting"])

    steps = {
        (near, far): quantity
        for near, entries in trace.branches.items()
        for far, quantity in entries
    }
    assert steps == {
        (plant["casting"].pk, plant["turned_1"].pk): Decimal(5),
        (plant["casting"].pk, plant["turned_2"].pk): Decimal(5),
        (plant["turned_1"].pk, plant["housing_1"].pk): Decimal(3),
        (plant["turned_2"].pk, plant["housing_1"].pk): Decimal(2),
        (plant["turned_2"].pk, plant["housing_2"].pk): Decimal(3),
    }


def test_tracing_an_unknown_lot_id_is_refused(plant):
    # given an id no lot has
    missing = Lot.objects.order_by("-pk").values_list("pk", flat=True).first() + 1

    # when it is traced, then the lot is not found
    with pytest.raises(Lot.DoesNotExist):
        queries.trace_backward(missing)
