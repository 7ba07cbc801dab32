from tests.access import EVERY_ROLE, Rule

RULES = {
    "mes:home": Rule(roles=EVERY_ROLE),
    "mes:login": Rule(public=True),
    "mes:logout": Rule(public=True, method="post", lands_on_login=True),
    "mes:set-language": Rule(public=True, method="post", data={"language": "en"}),
    "mes:health": Rule(public=True),
}
