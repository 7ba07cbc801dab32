"""Holds following the genealogy forward, and release with a signature."""

import pytest
from django.urls import reverse

from materials import services as materials
from materials.models import LotStatus
from quality import holds
from quality.models import ElectronicSignature, LotHold, QualityError
from tests.factories import DEFAULT_PASSWORD
from tests.factories.materials import make_item, make_location, make_lot
from tests.factories.quality import make_hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def genealogy(materials_handler):
    """Casting lot -> two turned lots -> a finished lot, one turned lot used up.

    casting (100) --20--> turned A (10) --10--> finished (5)
                  --20--> turned B (10, still in stock)
    """
    location = make_location()
    casting = make_lot(make_item(), 100, location)
    turned_item, finished_item = make_item(), make_item()
    turned_a = materials.record_output(
        turned_item, 10, location, "WO-1/10", [(casting, 20)], materials_handler
    )
    turned_b = materials.record_output(
        turned_item, 10, location, "WO-2/10", [(casting, 20)], materials_handler
    )
    finished = materials.record_output(
        finished_item, 5, location, "WO-3/20", [(turned_a, 10)], materials_handler
    )
    return {"casting": casting, "a": turned_a, "b": turned_b, "finished": finished}


def test_preview_lists_every_lot_made_from_the_suspect_lot(genealogy):
    preview = holds.hold_preview(genealogy["casting"], follow_genealogy=True)

    by_code = {lot.code: lot for lot in preview}
    assert set(by_code) == {lot.code for lot in genealogy.values()}
    assert by_code[genealogy["finished"].code].depth == 2
    assert not by_code[genealogy["a"].code].can_hold  # consumed into the finished lot
    assert by_code[genealogy["b"].code].can_hold

    alone = holds.hold_preview(genealogy["casting"], follow_genealogy=False)
    assert [lot.code for lot in alone] == [genealogy["casting"].code]


def test_forward_hold_reaches_every_level_and_blocks_consumption(
    genealogy, quality_inspector
):
    # when the casting lot is held with its genealogy
    created = holds.hold_lots(
        genealogy["casting"], quality_inspector, "Porosity", follow_genealogy=True
    )

    # then the casting, the turned lot in stock and the finished lot are held
    held = {hold.lot.code for hold in created}
    assert held == {
        genealogy["casting"].code,
        genealogy["b"].code,
        genealogy["finished"].code,
    }
    for key in ("casting", "b", "finished"):
        genealogy[key].refresh_from_db()
        assert genealogy[key].status == LotStatus.ON_HOLD
    source = LotHold.objects.get(lot=genealogy["finished"]).source_lot
    assert source == genealogy["casting"]

    # and materials refuses to consume a held lot
    with pytest.raises(materials.StockError, match="on hold"):
        materials.consume(genealogy["b"], 1, "WO-9/10", quality_inspector)

    # and holding again creates nothing new
    assert (
        holds.hold_lots(
            genealogy["casting"], quality_inspector, "Again", follow_genealogy=True
        )
        == []
    )


def test_release_needs_a_reason_and_the_password(quality_inspector):
    hold = make_hold()

    with pytest.raises(QualityError):
        holds.release_hold(hold, quality_inspector, "", DEFAULT_PASSWORD)
    with pytest.raises(QualityError, match="Enter your password"):
        holds.release_hold(hold, quality_inspector, "Checked", "")
    with pytest.raises(QualityError, match="password is not correct"):
        holds.release_hold(hold, quality_inspector, "Checked", "guess")
    hold.lot.refresh_from_db()
    assert hold.lot.status == LotStatus.ON_HOLD
    assert not ElectronicSignature.objects.exists()

    holds.release_hold(
        hold, quality_inspector, "Re-measured, in tolerance", DEFAULT_PASSWORD
    )

    hold.refresh_from_db()
    hold.lot.refresh_from_db()
    assert hold.lot.status == LotStatus.AVAILABLE
    signature = hold.release_signature
    assert signature.signer == quality_inspector
    assert signature.meaning == "released"
    assert signature.reason == "Re-measured, in tolerance"
    assert signature.signed_at is not None


def test_hold_pages_preview_then_hold_then_release(
    client, quality_inspector, genealogy
):
    client.force_login(quality_inspector)
    url = reverse("quality:hold-create")
    form = {
        "lot_code": genealogy["casting"].code,
        "reason": "Supplier alert",
        "follow_genealogy": "on",
    }

    # the first submit only previews
    preview = client.post(url, form)
    assert genealogy["finished"].code in preview.content.decode()
    assert not LotHold.objects.exists()

    # confirming holds
    client.post(url, form | {"confirm": "yes"})
    hold = LotHold.objects.get(lot=genealogy["finished"])

    # releasing without the password keeps the hold
    release = reverse("quality:hold-release", args=[hold.pk])
    response = client.post(release, {"reason": "Cleared", "password": "nope"})
    assert "password is not correct" in response.content.decode()
    hold.refresh_from_db()
    assert hold.is_open

    client.post(release, {"reason": "Cleared", "password": DEFAULT_PASSWORD})
    hold.refresh_from_db()
    assert not hold.is_open


def test_an_unknown_lot_code_is_refused(client, quality_inspector):
    client.force_login(quality_inspector)
    response = client.post(
        reverse("quality:hold-create"), {"lot_code": "NOPE", "reason": "x"}
    )
    assert "No lot has the code NOPE" in response.content.decode()


def test_the_hold_form_starts_from_a_traced_lot(client, quality_inspector, genealogy):
    client.force_login(quality_inspector)
    code = genealogy["casting"].code
    trace = client.get(reverse("quality:trace"), {"lot": code}).content.decode()
    assert "follow=yes" in trace
    form = client.get(reverse("quality:hold-create"), {"lot": code, "follow": "yes"})
    page = form.content.decode()
    assert f'value="{code}"' in page
    assert "checked" in page
