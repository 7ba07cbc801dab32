"""The audit trail: recorded on every change, never altered."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse

from equipment.models import Machine
from mes import audit
from mes.models import AuditAction, AuditEntry
from tests.factories.equipment import make_machine, make_work_center

pytestmark = pytest.mark.django_db


def test_create_change_and_delete_are_recorded(planner):
    # given a machine created and recorded
    machine = make_machine(name="Lathe")
    audit.record_create(machine, actor=planner)

    # when its name changes with a reason
    before = audit.snapshot(machine)
    machine.name = "Lathe 2"
    machine.save()
    audit.record_change(machine, before, actor=planner, reason="Renamed on site")
    audit.record_delete(machine, actor=planner, reason="Scrapped")

    # then the history holds all three, newest first, with old and new values
    entries = list(audit.history(machine))
    assert [entry.action for entry in entries] == [
        AuditAction.DELETE,
        AuditAction.CHANGE,
        AuditAction.CREATE,
    ]
    change = entries[1]
    assert change.changes == {"name": ["Lathe", "Lathe 2"]}
    assert change.reason == "Renamed on site"
    assert change.actor == planner


def test_no_change_records_nothing(planner):
    machine = make_machine()
    before = audit.snapshot(machine)

    assert audit.record_change(machine, before, actor=planner) is None
    assert not AuditEntry.objects.exists()


def test_transition_is_recorded_with_reason(supervisor):
    machine = make_machine()

    entry = audit.record_transition(
        machine, "status", "draft", "released", actor=supervisor, reason="Go"
    )

    assert entry.changes == {"status": ["draft", "released"]}
    assert entry.get_action_display() == "Status changed"


def test_entries_cannot_be_changed_or_deleted_through_the_orm(planner):
    entry = audit.record_create(make_machine(), actor=planner)

    with pytest.raises(PermissionError):
        entry.reason = "tampered"
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(reason="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_entries_cannot_be_changed_or_deleted_in_the_database(planner):
    # given an entry in the table
    entry = audit.record_create(make_machine(), actor=planner)

    # when raw SQL tries to alter or remove it, the database refuses
    for statement in (
        "UPDATE mes_auditentry SET reason = 'tampered'",
        "DELETE FROM mes_auditentry",
    ):
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    # then the entry is unchanged
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_admin_edits_are_audited_and_the_trail_is_read_only(admin_user):
    # given an admin editing a machine in Django admin
    machine = make_machine(name="Old name")
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:equipment_machine_change", args=[machine.pk])

    # when the name is changed
    response = client.post(
        url,
        {
            "work_center": machine.work_center_id,
            "code": machine.code,
            "name": "New name",
            "is_active": "on",
        },
    )

    # then the change is in the trail and the trail offers no edit
    assert response.status_code == 302
    entry = audit.history(machine).get()
    assert entry.changes["name"] == ["Old name", "New name"]
    assert entry.actor == admin_user
    change_url = reverse("admin:mes_auditentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert b'name="reason"' not in page.content
    delete_url = reverse("admin:mes_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_admin_delete_is_audited(admin_user):
    machine = make_machine(work_center=make_work_center())
    client = Client()
    client.force_login(admin_user)

    client.post(
        reverse("admin:equipment_machine_delete", args=[machine.pk]), {"post": "yes"}
    )

    assert not Machine.objects.filter(pk=machine.pk).exists()
    assert AuditEntry.objects.get().action == AuditAction.DELETE


def test_detail_page_shows_the_history(maintenance_technician, admin_user):
    machine = make_machine(name="Press")
    before = audit.snapshot(machine)
    machine.name = "Press 2"
    machine.save()
    audit.record_change(machine, before, actor=admin_user, reason="New plate")
    client = Client()
    client.force_login(maintenance_technician)

    response = client.get(reverse("equipment:machine-detail", args=[machine.pk]))

    assert b"New plate" in response.content
    assert b"Press 2" in response.content
