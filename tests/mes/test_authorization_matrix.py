"""Every URL of the project against every role and an anonymous visitor."""

import pytest
from django.test import Client
from django.urls import reverse

from mes.roles import Role
from tests.access import all_rules, url_names
from tests.factories import make_user

RULES = all_rules()
ADMIN_PREFIX = "admin:"
LOGIN_PATH = "/login/"
APP_NAMES = [name for name in url_names() if not name.startswith(ADMIN_PREFIX)]


def test_every_url_has_a_rule():
    # given every named URL of the project outside Django admin
    # when they are looked up in the matrix
    missing = [name for name in APP_NAMES if name not in RULES]
    stale = [name for name in RULES if name not in APP_NAMES]

    # then each one has a rule and no rule names a URL that is gone
    assert missing == [], f"URLs without an access rule: {missing}"
    assert stale == [], f"Rules for URLs that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", APP_NAMES)
def test_url_obeys_its_rule(name):
    rule = RULES[name]
    kwargs = rule.kwargs() if rule.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    people = {role: make_user(f"matrix-{role}", role) for role in Role.values}
    people["outsider"] = make_user("matrix-outsider")

    # anonymous visitors reach public URLs and are sent to log in elsewhere
    response = _request(Client(), rule, url)
    if rule.public:
        assert response.status_code != 403
        assert rule.lands_on_login or not _sent_to_login(response), name
    else:
        assert _sent_to_login(response), f"{name} is open to anonymous users"

    # each role is let in or refused as the rule says
    for who, user in people.items():
        client = Client()
        client.force_login(user)
        response = _request(client, rule, url)
        if rule.public or who in rule.roles:
            assert response.status_code != 403, f"{name} refused {who}"
            assert rule.lands_on_login or not _sent_to_login(response), (
                f"{name} sent {who} to log in"
            )
            assert response.status_code < 500 or response.status_code == 503
        else:
            assert response.status_code == 403, f"{name} let {who} in"


@pytest.mark.django_db
def test_admin_is_only_for_admins():
    # given one user per role
    people = {role: make_user(f"admin-{role}", role) for role in Role.values}
    pages = [reverse("admin:index"), reverse("admin:equipment_machine_changelist")]

    # when each opens Django admin, then only the admin gets in
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        for page in pages:
            response = client.get(page)
            if role == Role.ADMIN:
                assert response.status_code == 200, page
            else:
                assert response.status_code in (302, 403), (role, page)


def _request(client, rule, url):
    if rule.method == "post":
        return client.post(url, rule.data)
    return client.get(url)


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and LOGIN_PATH in response.headers.get(
        "Location", ""
    )
