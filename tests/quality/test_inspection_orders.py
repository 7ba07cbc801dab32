"""Inspection orders: triggers, entry, automatic decision, signature, failure."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from materials import services as materials
from materials.models import LotStatus
from mes import events
from mes.events import Event
from quality import inspections
from quality.models import (
    ElectronicSignature,
    InspectionOrder,
    InspectionResult,
    InspectionTrigger,
    LotHold,
    Measurement,
    Nonconformance,
    OperationStop,
    QualityError,
    SamplingMethod,
)
from tests.factories import DEFAULT_PASSWORD
from tests.factories.equipment import make_machine
from tests.factories.materials import make_item, make_location, make_lot
from tests.factories.quality import (
    make_attribute,
    make_characteristic,
    make_operation,
    make_plan,
)

pytestmark = pytest.mark.django_db


def receipt_setup(aql="1.0"):
    item = make_item(requires_incoming_inspection=True)
    from tests.factories.quality import make_standard

    standard = make_standard("released", item=item)
    characteristic = make_characteristic(standard)
    plan = make_plan(
        standard, sampling=SamplingMethod.AQL, aql=Decimal(aql), sample_size=None
    )
    return item, characteristic, plan


def test_a_receipt_creates_an_aql_sized_incoming_inspection(
    django_capture_on_commit_callbacks,
):
    # given an item with a receipt plan at AQL 1.0
    item, _characteristic, plan = receipt_setup()

    # when a lot of 1000 is received (LOT_RECEIVED after commit)
    with django_capture_on_commit_callbacks(execute=True):
        lot = make_lot(item, 1000)

    # then one order inspects 80 units, accepting 2 (code letter J)
    order = InspectionOrder.objects.get(lot=lot)
    assert order.plan == plan
    assert order.trigger == InspectionTrigger.RECEIPT
    assert (order.sample_size, order.accept_number, order.reject_number) == (80, 2, 3)
    assert order.code_letter == "J"
    assert lot.status == LotStatus.QUARANTINE

    # and the same event delivered again makes no second order
    inspections.on_lot_received(lot_id=lot.pk, needs_inspection=True)
    assert InspectionOrder.objects.filter(lot=lot).count() == 1


def test_operation_reports_create_first_article_and_every_n_parts(
    django_capture_on_commit_callbacks,
):
    # given first article and every-50-parts plans for an operation's product
    operation = make_operation()
    product = operation.work_order.product
    from tests.factories.quality import make_standard

    standard = make_standard("released", item=product, operation_name="Turning")
    make_characteristic(standard)
    first = make_plan(standard, trigger=InspectionTrigger.FIRST_ARTICLE, sample_size=1)
    every = make_plan(
        standard, trigger=InspectionTrigger.IN_PROCESS, every_parts=50, sample_size=5
    )
    machine = make_machine()

    # when dispatch reports 20, then 60, then 110 good parts
    for good in (20, 60, 110):
        operation.good_quantity = Decimal(good)
        operation.save()
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(
                Event.OPERATION_REPORTED,
                operation_id=operation.pk,
                machine_id=machine.pk,
                work_order_id=operation.work_order_id,
                good=str(good),
                scrap="0",
                output_lot_id=None,
            )

    # then one first article order and one order per 50 parts
    assert InspectionOrder.objects.filter(plan=first).count() == 1
    keys = sorted(
        InspectionOrder.objects.filter(plan=every).values_list("trigger_key", flat=True)
    )
    assert keys == [f"op:{operation.pk}:parts:1", f"op:{operation.pk}:parts:2"]
    assert InspectionOrder.objects.filter(plan=first).get().machine == machine


def test_the_timer_creates_one_in_process_order_per_interval():
    # given a running operation and a plan every 30 minutes
    operation = make_operation()
    from tests.factories.quality import make_standard

    standard = make_standard("released", item=operation.work_order.product)
    make_characteristic(standard)
    make_plan(standard, trigger=InspectionTrigger.IN_PROCESS, every_minutes=30)
    now = timezone.now()

    # when the beat task runs twice in one interval and once in the next
    created = [
        inspections.create_timed_orders(now),
        inspections.create_timed_orders(now),
        inspections.create_timed_orders(now + timedelta(minutes=30)),
    ]

    # then it made one order per interval
    assert created == [1, 0, 1]


def results_for(order, value_for):
    data = {}
    for field in inspections.entry_fields(order):
        data[field.name] = value_for(field)
    return data


def test_passing_results_release_a_lot_from_quarantine(quality_inspector):
    # given an incoming inspection of a quarantined lot, fixed sample of 3
    item = make_item(requires_incoming_inspection=True)
    from tests.factories.quality import make_standard

    standard = make_standard("released", item=item)
    make_characteristic(standard)
    make_attribute(standard)
    plan = make_plan(standard)
    lot = make_lot(item, 100)
    order = inspections.create_order(plan, "lot", lot=lot, lot_size=100)

    # when every value is within limits and signed with the password
    data = results_for(
        order, lambda field: "10.010" if field.characteristic.is_variable else "ok"
    )
    inspections.sign_order(order, quality_inspector, data, DEFAULT_PASSWORD)

    # then it passed, the lot is available, the signature and SPC values kept
    order.refresh_from_db()
    lot.refresh_from_db()
    assert order.status == "passed"
    assert lot.status == LotStatus.AVAILABLE
    signature = ElectronicSignature.objects.get(record_id=str(order.pk))
    assert signature.signer == quality_inspector
    assert signature.meaning == "inspected"
    assert Measurement.objects.filter(order=order).count() == 3


def test_a_failing_result_opens_a_nonconformance_and_holds_the_lot(
    quality_inspector,
):
    # given a receipt inspection of 3 units, accept 0
    item = make_item(requires_incoming_inspection=True)
    from tests.factories.quality import make_standard

    standard = make_standard("released", item=item)
    characteristic = make_characteristic(standard)
    plan = make_plan(standard, stops_operation_on_failure=False)
    lot = make_lot(item, 100)
    order = inspections.create_order(plan, "lot", lot=lot, lot_size=100)

    # when one diameter is out of tolerance
    data = results_for(
        order, lambda field: "10.090" if field.sample_number == 2 else "10.000"
    )
    inspections.sign_order(order, quality_inspector, data, DEFAULT_PASSWORD)

    # then the order failed, a nonconformance names the characteristic
    order.refresh_from_db()
    lot.refresh_from_db()
    assert order.status == "failed"
    assert order.nonconforming_units == 1
    report = Nonconformance.objects.get(inspection_order=order)
    assert report.characteristic == characteristic
    assert report.lot == lot

    # and the lot is on hold, which materials enforces
    assert lot.status == LotStatus.ON_HOLD
    assert LotHold.objects.get(lot=lot).nonconformance == report
    with pytest.raises(materials.StockError, match="on hold"):
        materials.consume(lot, 1, "WO-1/10", quality_inspector)


def test_aql_accepts_up_to_the_acceptance_number(quality_inspector):
    # given an AQL order of 80 samples accepting 2 (lot of 1000, AQL 1.0)
    item, characteristic, plan = receipt_setup()
    lot = make_lot(item, 1000)
    order = inspections.create_order(plan, "lot", lot=lot, lot_size=1000)

    # when two units fail
    data = results_for(
        order, lambda field: "9.900" if field.sample_number in (5, 9) else "10.000"
    )
    inspections.sign_order(order, quality_inspector, data, DEFAULT_PASSWORD)

    # then the lot is still accepted
    order.refresh_from_db()
    assert order.status == "passed"
    assert order.nonconforming_units == 2


def test_a_failure_stops_the_operation_when_the_plan_says_so(quality_inspector):
    operation = make_operation()
    from tests.factories.quality import make_standard

    standard = make_standard("released", item=operation.work_order.product)
    make_attribute(standard)
    plan = make_plan(
        standard,
        trigger=InspectionTrigger.FIRST_ARTICLE,
        sample_size=1,
        stops_operation_on_failure=True,
    )
    machine = make_machine()
    from dispatch.models import ProductionException, WorkLog

    running = WorkLog.objects.create(
        operation=operation,
        machine=machine,
        operator=quality_inspector,
        started_at=timezone.now(),
    )
    order = inspections.create_order(
        plan, "first", operation=operation, machine=machine
    )
    defect = standard.characteristics.get().defect_codes.get()

    inspections.sign_order(
        order,
        quality_inspector,
        results_for(order, lambda f: str(defect.pk)),
        DEFAULT_PASSWORD,
    )

    assert OperationStop.objects.get(operation=operation).inspection_order == order
    assert Nonconformance.objects.get(inspection_order=order).defect_code == defect
    running.refresh_from_db()
    assert running.ended_at is not None
    assert running.pause_reason == "quality"
    assert ProductionException.objects.get(operation_id=operation.pk).kind == (
        "quality_stop"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "is not a number"),
        ("-5", "below the lowest possible value"),
        ("1000", "above the highest possible value"),
        ("10.12345", "more than 3 decimal places"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(quality_inspector, value, message):
    order = make_plan_order()
    data = results_for(order, lambda field: value)
    with pytest.raises(QualityError, match=message):
        inspections.save_results(order, quality_inspector, data)
    assert not InspectionResult.objects.exists()


def make_plan_order():
    from tests.factories.quality import make_inspection_order

    return make_inspection_order()


def test_signing_needs_every_sample_and_the_password(quality_inspector):
    order = make_plan_order()
    partial = results_for(order, lambda field: "10.000")
    partial.pop(next(iter(partial)))

    # a missing sample is refused, nothing decided
    with pytest.raises(QualityError, match="Enter a result for sample 1"):
        inspections.sign_order(order, quality_inspector, partial, DEFAULT_PASSWORD)

    # a wrong password is refused
    complete = results_for(order, lambda field: "10.000")
    with pytest.raises(QualityError, match="password is not correct"):
        inspections.sign_order(order, quality_inspector, complete, "wrong")

    order.refresh_from_db()
    assert order.status == "open"
    assert not InspectionResult.objects.exists()
    assert not ElectronicSignature.objects.exists()


def test_the_tablet_page_saves_and_shows_errors_per_field(client, quality_inspector):
    order = make_plan_order()
    client.force_login(quality_inspector)
    fields = inspections.entry_fields(order)

    page = client.get(reverse("quality:inspection-order", args=[order.pk]))
    assert page.status_code == 200
    assert f'name="{fields[0].name}"' in page.content.decode()
    assert 'inputmode="decimal"' in page.content.decode()

    response = client.post(
        reverse("quality:inspection-save", args=[order.pk]), {fields[0].name: "x1"}
    )
    assert response.status_code == 200
    assert "x1 is not a number" in response.content.decode()

    response = client.post(
        reverse("quality:inspection-save", args=[order.pk]), {fields[0].name: "10.001"}
    )
    assert response.status_code == 302
    assert InspectionResult.objects.get().value == Decimal("10.001")


def test_scanning_a_lot_code_opens_its_inspection(client, quality_inspector):
    order = make_plan_order()
    client.force_login(quality_inspector)
    response = client.post(
        reverse("quality:inspection-queue"), {"scan": order.lot.code}
    )
    assert response.url == reverse("quality:inspection-order", args=[order.pk])
    response = client.post(
        reverse("quality:inspection-queue"), {"scan": "NOPE"}, follow=True
    )
    assert "No open inspection order for NOPE" in response.content.decode()


def test_final_inspection_holds_the_output_lot_until_it_passes(quality_inspector):
    operation = make_operation()
    product = operation.work_order.product
    from tests.factories.quality import make_standard

    standard = make_standard("released", item=product)
    make_attribute(standard)
    make_plan(standard, trigger=InspectionTrigger.FINAL, sample_size=2)
    output = make_lot(product, 50, make_location())
    operation.good_quantity = Decimal(50)
    operation.save()

    inspections.on_operation_completed(
        operation_id=operation.pk, output_lot_id=output.pk
    )
    output.refresh_from_db()
    assert output.status == LotStatus.ON_HOLD

    order = InspectionOrder.objects.get(lot=output)
    inspections.sign_order(
        order, quality_inspector, results_for(order, lambda f: "ok"), DEFAULT_PASSWORD
    )
    output.refresh_from_db()
    assert output.status == LotStatus.AVAILABLE
    assert not LotHold.objects.filter(lot=output, released_at__isnull=True).exists()


def test_quality_lifts_a_stop_with_a_reason(client, quality_inspector):
    from quality.models import OperationStop

    stop = OperationStop.objects.create(
        operation=make_operation(), inspection_order=make_plan_order()
    )
    client.force_login(quality_inspector)
    url = reverse("quality:stop-lift", args=[stop.pk])

    client.post(url, {"reason": ""})
    stop.refresh_from_db()
    assert stop.lifted_at is None

    client.post(url, {"reason": "Insert changed, first part good"})
    stop.refresh_from_db()
    assert stop.lifted_by == quality_inspector


def test_a_stopped_operation_cannot_start_until_quality_lifts_the_stop(
    quality_inspector,
):
    # given an operation that quality stopped after a failed first article
    from dispatch import execution
    from dispatch.services import DispatchError
    from tests.factories.quality import make_standard

    operation = make_operation()
    standard = make_standard("released", item=operation.work_order.product)
    make_attribute(standard)
    plan = make_plan(
        standard,
        trigger=InspectionTrigger.FIRST_ARTICLE,
        sample_size=1,
        stops_operation_on_failure=True,
    )
    machine = make_machine()
    order = inspections.create_order(
        plan, "first", operation=operation, machine=machine
    )
    defect = standard.characteristics.get().defect_codes.get()
    inspections.sign_order(
        order,
        quality_inspector,
        results_for(order, lambda f: str(defect.pk)),
        DEFAULT_PASSWORD,
    )

    # when the terminal checks whether it may start, it is refused
    assert execution.quality_stop(operation) is not None
    with pytest.raises(DispatchError, match="Quality stopped operation"):
        execution._check_start(operation, machine, None)

    # then once quality lifts the stop, the stop no longer blocks it
    stop = OperationStop.objects.get(operation=operation)
    from quality import services

    services.lift_operation_stop(stop, quality_inspector, "Insert changed")
    assert execution.quality_stop(operation) is None


def test_all_other_checks_pass_fills_blank_pass_fail_fields(client, quality_inspector):
    from tests.factories.quality import make_standard

    standard = make_standard("released")
    make_attribute(standard)
    order = inspections.create_order(
        make_plan(standard, sample_size=4), "t", lot=make_lot(standard.item, 10)
    )
    client.force_login(quality_inspector)
    first = inspections.entry_fields(order)[0]
    defect = standard.characteristics.get().defect_codes.get()

    client.post(
        reverse("quality:inspection-save", args=[order.pk]),
        {first.name: str(defect.pk), "pass_blank": "yes"},
    )

    results = InspectionResult.objects.filter(order=order)
    assert results.count() == 4
    assert results.filter(conforms=False).count() == 1


def test_completion_finds_the_output_lot_by_its_reference(quality_inspector):
    operation = make_operation()
    product = operation.work_order.product
    from tests.factories.quality import make_standard

    standard = make_standard("released", item=product)
    make_attribute(standard)
    make_plan(standard, trigger=InspectionTrigger.FINAL, sample_size=2)
    output = make_lot(product, 20, make_location(), reference=operation.reference)

    inspections.on_operation_completed(operation_id=operation.pk, output_lot_id=None)

    assert InspectionOrder.objects.get(trigger="final").lot == output


def test_a_corrected_value_keeps_the_old_one_on_the_audit_trail(quality_inspector):
    from mes import audit

    order = make_plan_order()
    field = inspections.entry_fields(order)[0]
    inspections.save_results(order, quality_inspector, {field.name: "10.010"})
    inspections.save_results(order, quality_inspector, {field.name: "10.020"})

    result = InspectionResult.objects.get()
    changes = [entry.changes for entry in audit.history(result)]
    old, new = changes[0]["value"]
    assert (Decimal(old), Decimal(new)) == (Decimal("10.01"), Decimal("10.02"))


def test_an_order_made_by_mistake_is_cancelled_with_a_reason(quality_inspector):
    order = make_plan_order()
    with pytest.raises(QualityError):
        inspections.cancel_order(order, quality_inspector, " ")
    inspections.cancel_order(order, quality_inspector, "Lot received twice")
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert not inspections.open_orders().exists()


def test_the_queue_refreshes_its_tiles_through_htmx(client, quality_inspector):
    order = make_plan_order()
    client.force_login(quality_inspector)
    response = client.get(
        reverse("quality:inspection-queue"), headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert order.number in fragment
    assert "<html" not in fragment
