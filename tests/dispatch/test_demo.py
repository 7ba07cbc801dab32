"""The dispatch demo data loads once and changes nothing the second time."""

import pytest
from django.core.management import call_command

from dispatch.models import OperatorBadge, ScheduleVersion, VersionStatus
from tests.factories.dispatch import make_released_order


@pytest.mark.django_db
def test_the_demo_gives_badges_and_publishes_a_first_schedule(capsys):
    # given released orders
    make_released_order()

    # when the demo loads twice
    call_command("load_demo")
    call_command("load_demo")

    # then operators have badges and exactly one schedule is published
    assert OperatorBadge.objects.filter(badge_code="OP-1001").exists()
    assert ScheduleVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 1
    assert "dispatch:" in capsys.readouterr().out
