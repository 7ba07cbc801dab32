"""Concurrent stock moves over real parallel database connections."""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from materials import services
from materials.models import LocationKind, StockBalance, StockMove
from materials.services import StockError
from tests.factories.materials import make_item, make_location, make_lot

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_threads(count, work):
    """Run work(index) in ``count`` threads started together; collect results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def runner(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - reported through results
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_parallel_consumptions_of_a_lot_of_twenty(materials_handler):
    # given a lot of 20 on the line
    line = make_location(LocationKind.LINE_SIDE)
    lot = make_lot(quantity=20, location=line)

    # when 50 threads each consume 1 at the same moment
    def consume_one(index):
        services.consume(lot, 1, f"WO-{index}", materials_handler)
        return "ok"

    results = run_in_threads(50, consume_one)

    # then exactly 20 succeed and 30 are refused with a clear reason
    refused = [result for result in results if isinstance(result, StockError)]
    assert results.count("ok") == 20
    assert len(refused) == 30
    assert all("on hand" in str(error) or "consumed" in str(error) for error in refused)
    balance = StockBalance.objects.get(lot=lot, location=line)
    assert balance.quantity == 0
    consumed = sum(move.quantity for move in StockMove.objects.filter(lot=lot))
    assert consumed == 40  # 20 received + 20 consumed, every move of 1 or 20
    assert StockMove.objects.filter(lot=lot, kind="consumption").count() == 20


def test_random_mixed_moves_keep_every_balance_equal_to_its_ledger(
    materials_handler,
):
    # given three items with lots spread over four locations
    rng = random.Random(20261203)
    locations = [make_location() for _ in range(3)]
    locations.append(make_location(LocationKind.LINE_SIDE))
    lots = [
        make_lot(make_item(), 50, rng.choice(locations[:3]), materials_handler)
        for _ in range(6)
    ]

    # when several hundred random moves run in four parallel threads
    def random_moves(index):
        local = random.Random(index)
        refused = 0
        for _step in range(80):
            lot = local.choice(lots)
            quantity = local.randint(1, 12)
            verb = local.choice(["transfer", "consume", "receive", "scrap", "issue"])
            source, target = local.sample(locations, 2)
            try:
                if verb == "transfer":
                    services.transfer(
                        quantity, source, target, materials_handler, lot=lot
                    )
                elif verb == "consume":
                    services.consume(lot, quantity, "WO-R", materials_handler)
                elif verb == "receive":
                    services.receive(lot.item, quantity, source, materials_handler)
                elif verb == "scrap":
                    services.scrap(quantity, source, materials_handler, "Test", lot=lot)
                else:
                    services.issue_to_order(
                        lot, quantity, "WO-R", locations[3], materials_handler
                    )
            except StockError:
                refused += 1
        return refused

    results = run_in_threads(4, random_moves)

    # then no thread failed unexpectedly and every balance equals its ledger
    assert all(isinstance(result, int) for result in results), results
    assert_balances_match_ledger()


def assert_balances_match_ledger():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH ledger AS (
                SELECT item_id, lot_id, to_location_id AS location_id,
                       quantity AS delta
                FROM materials_stockmove WHERE to_location_id IS NOT NULL
                UNION ALL
                SELECT item_id, lot_id, from_location_id, -quantity
                FROM materials_stockmove WHERE from_location_id IS NOT NULL
            ), sums AS (
                SELECT item_id, lot_id, location_id, SUM(delta) AS total
                FROM ledger GROUP BY 1, 2, 3
            )
            SELECT COUNT(*) FROM sums
            FULL JOIN materials_stockbalance b
              ON b.item_id = sums.item_id
             AND b.lot_id IS NOT DISTINCT FROM sums.lot_id
             AND b.location_id = sums.location_id
            WHERE COALESCE(b.quantity, 0) <> COALESCE(sums.total, 0)
            """
        )
        mismatches = cursor.fetchone()[0]
    assert mismatches == 0
    assert not StockBalance.objects.filter(quantity__lt=Decimal(0)).exists()


def test_outputs_from_the_same_inputs_in_opposite_order_never_deadlock(
    materials_handler,
):
    # given two input lots on the line and a product
    line = make_location(LocationKind.LINE_SIDE)
    first = make_lot(quantity=100, location=line)
    second = make_lot(quantity=100, location=line)
    product = make_item()

    # when two threads record outputs naming the inputs in opposite order
    def record(index):
        inputs = [(first, 1), (second, 1)]
        if index % 2:
            inputs.reverse()
        for _round in range(10):
            services.record_output(
                product, 1, line, f"WO-{index}", inputs, materials_handler
            )
        return "ok"

    results = run_in_threads(4, record)

    # then every output was recorded and the inputs lost exactly their share
    assert results == ["ok"] * 4
    assert StockBalance.objects.get(lot=first).quantity == 60
    assert StockBalance.objects.get(lot=second).quantity == 60
