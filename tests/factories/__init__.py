"""Factories for test data: people first, then each app's records.

Each app keeps its own module (``tests.factories.materials`` ...); this module
holds the people every test file needs.
"""

from itertools import count

from django.contrib.auth.models import Group, User

from mes.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery-staple"

_sequence = count(1)


def make_user(username: str | None = None, *roles: str, **fields: object) -> User:
    """A user holding the given roles, with DEFAULT_PASSWORD."""
    name = username or f"user{next(_sequence)}"
    user = User.objects.create_user(
        username=name,
        password=DEFAULT_PASSWORD,
        **fields,  # type: ignore[arg-type]
    )
    for role in roles:
        group, _created = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    if Role.ADMIN in roles:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user
