"""Demo users, one per role, all with the password DEMO_PASSWORD."""

from django.contrib.auth.models import Group, User

from mes.roles import Role

DEMO_PASSWORD = "demo-mes-2026"

DEMO_USERS = [
    ("planner", Role.PLANNER, "Li", "Na"),
    ("supervisor", Role.SUPERVISOR, "Wang", "Qiang"),
    ("operator", Role.OPERATOR, "Zhang", "Wei"),
    ("operator2", Role.OPERATOR, "Chen", "Jie"),
    ("maintenance", Role.MAINTENANCE, "Liu", "Yang"),
    ("quality", Role.QUALITY, "Zhao", "Min"),
    ("materials", Role.MATERIALS, "Sun", "Li"),
    ("admin", Role.ADMIN, "Zhou", "Hong"),
]


def load() -> list[str]:
    """Create the demo users once; existing users keep their passwords."""
    created = []
    for username, role, last_name, first_name in DEMO_USERS:
        user, is_new = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name},
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
            created.append(username)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return created
