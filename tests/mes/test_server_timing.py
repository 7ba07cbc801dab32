"""Every response tells its server time, for developer tools and benches."""

import re

from django.urls import reverse


def test_a_page_tells_its_server_time(client, db):
    # when any page is requested
    response = client.get(reverse("mes:login"))

    # then its Server-Timing header gives the time spent in the server
    timing = re.fullmatch(r"app;dur=(\d+\.\d)", response.headers["Server-Timing"])
    assert timing is not None
    assert 0 < float(timing.group(1)) < 60_000
