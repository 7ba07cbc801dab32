"""Languages: a switcher stored per user, complete Chinese catalogues."""

import datetime
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from mes.models import UserProfile

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


@pytest.mark.django_db
def test_language_choice_is_kept_on_the_user_across_devices(planner):
    # given a planner who switches to Chinese on one device
    desk = Client()
    desk.force_login(planner)
    desk.post(reverse("mes:set-language"), {"language": "zh-hans", "next": "/"})

    # when they open a page on another device, with an English browser
    tablet = Client(headers={"accept-language": "en"})
    tablet.force_login(planner)
    response = tablet.get(reverse("planning:home"))

    # then the page is in Chinese
    assert UserProfile.objects.get(user=planner).language == "zh-hans"
    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db
def test_unknown_language_is_refused_and_changes_nothing(planner):
    client = Client()
    client.force_login(planner)

    response = client.post(
        reverse("mes:set-language"), {"language": "xx", "next": "/"}, follow=True
    )

    assert "That language is not available." in response.content.decode()
    assert not UserProfile.objects.filter(user=planner).exists()


@pytest.mark.django_db
def test_switch_never_redirects_off_site(planner):
    client = Client()
    client.force_login(planner)

    response = client.post(
        reverse("mes:set-language"),
        {"language": "en", "next": "https://elsewhere.example/"},
    )

    assert response.headers["Location"] == "/"


def test_login_page_speaks_chinese_to_a_chinese_browser(db):
    response = Client(headers={"accept-language": "zh-CN,zh;q=0.9"}).get(
        reverse("mes:login")
    )

    assert "登录" in response.content.decode()


def test_dates_and_numbers_are_localised():
    moment = datetime.datetime(2026, 3, 9, 14, 30, tzinfo=datetime.UTC)
    with translation.override("zh-hans"):
        chinese = formats.date_format(moment, "DATE_FORMAT")
    with translation.override("en"):
        english = formats.date_format(moment, "DATE_FORMAT")

    assert chinese == "2026年3月9日"
    assert english == "March 9, 2026"


def test_times_are_stored_in_utc_and_shown_in_the_plant_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    moment = datetime.datetime(2026, 3, 9, 14, 30, tzinfo=datetime.UTC)

    with timezone.override("Asia/Shanghai"):
        shown = timezone.localtime(moment)

    assert shown.hour == 22
    assert settings.USE_TZ is True


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.parent))
def test_chinese_catalogue_is_complete(path):
    untranslated, fuzzy = _incomplete_entries(path.read_text(encoding="utf-8"))

    assert untranslated == [], f"untranslated in {path}: {untranslated[:10]}"
    assert fuzzy == [], f"fuzzy in {path}: {fuzzy[:10]}"


def _incomplete_entries(text):
    untranslated, fuzzy = [], []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        msgid = _field(lines, "msgid")
        if not msgid:
            continue
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            fuzzy.append(msgid)
        translations = [
            _field(lines, name)
            for name in ("msgstr", "msgstr[0]")
            if any(line.startswith(name + " ") for line in lines)
        ]
        if not any(translations):
            untranslated.append(msgid)
    return untranslated, fuzzy


def _field(lines, name):
    value, inside = [], False
    for line in lines:
        if line.startswith(name + " "):
            inside = True
            value.append(line[len(name) + 1 :].strip().strip('"'))
        elif inside and line.startswith('"'):
            value.append(line.strip().strip('"'))
        elif inside:
            break
    return "".join(value)
