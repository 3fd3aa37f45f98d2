"""The Swedish UI without a browser: every page of every role in Swedish with Swedish
numbers and dates, the language a person chooses remembered on the account (an auditor's
too), a one-page ``?lang=``, and a signed-out browser's choice kept in a cookie."""

import re
from functools import cache

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from lims.i18n import catalog_path, gettext
from lims.ui import navigation
from lims.ui.session import LANGUAGE_COOKIE
from tests.ui.test_pages import (
    NOT_FOR_AUDITORS,
    NOT_FOR_CUSTOMERS,
    PAGES,
    STAFF,
    Demo,
    demo,
    sign_in,
)

__all__ = ["demo"]  # the shared fixture, used here by name

EVERY_ROLE = (*STAFF, "arvioija", "asiakas")
# Beside the pages whose rights tests/ui/test_pages.py checks: read in Swedish when shown.
MORE_PAGES = ("/documents", "/customers", "/users", "/orders", "/training", "/comparisons",
              "/rr-tests", "/price-models/new", "/quotations/new")  # fmt: skip
SWEDISH_LOG_OUT = '<button type="button" id="logout">Logga ut</button>'


def csrf(client: TestClient) -> dict[str, str]:
    return {"x-csrf-token": client.cookies.get("lims_csrf") or ""}


def choose_language(client: TestClient, language: str) -> None:
    answer = client.patch("/api/v1/auth/me", json={"language": language}, headers=csrf(client))
    assert answer.status_code == 200, answer.text


def menu_texts(html: str) -> dict[str, str]:
    """The text of each menu link, by its address (the first link to it on the page)."""
    shown = {}
    for entry in navigation.NAV:
        found = re.search(rf'<a href="{re.escape(entry.href)}"[^>]*>([^<]*)</a>', html)
        if found:
            shown[entry.href] = found.group(1)
    return shown


@cache
def untranslated_texts() -> dict[str, str]:
    """Whole texts a Swedish page must not show, each with what it is: an English msgid of
    the ui catalog and its Finnish wording, where Swedish writes it otherwise (a Swedish
    wording spelled the same, such as *Status*, is not counted)."""

    def catalog(language: str) -> dict[str, str]:
        with catalog_path("ui", language).open("rb") as source:
            found = read_po(source, locale=language, domain="ui")
        return {
            m.id: str(m.string) for m in found if isinstance(m.id, str) and m.id and "%" not in m.id
        }

    swedish = catalog("sv")
    spelled_in_swedish = set(swedish.values())
    wrong = {}
    for msgid, finnish in catalog("fi").items():
        for text, what in ((msgid, "English"), (finnish, "Finnish")):
            if text and text not in spelled_in_swedish:
                wrong[text] = f"{what} for {swedish.get(msgid)!r}"
    return wrong


def foreign_texts(page: str) -> list[tuple[str, str]]:
    """The page's visible texts that are a ui message left in English or Finnish; text in
    an element marked as another language (the language switch), text a person wrote
    (``data-user-text``), names from Babel's locale data (``data-cldr``: the countries, in
    Swedish, where Peru is a country and not Finnish for "cancel") and scripts are not read."""
    tree = lxml_html.fromstring(page)
    skipped = (
        "ancestor-or-self::*[@lang and @lang != 'sv'] | ancestor-or-self::*[@data-user-text]"
        " | ancestor-or-self::*[@data-cldr]"
    )
    found = []
    for node in tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"):
        text = " ".join(node.split())
        if text in untranslated_texts() and not node.getparent().xpath(skipped):
            found.append((text, untranslated_texts()[text]))
    return found


def test_every_page_of_every_role_reads_swedish_with_a_swedish_menu(
    client: TestClient, demo: Demo
) -> None:
    wrong: list[tuple[object, ...]] = []
    for user in EVERY_ROLE:
        sign_in(client, user)
        choose_language(client, "sv")
        refused = NOT_FOR_AUDITORS if user == "arvioija" else set()
        refused = NOT_FOR_CUSTOMERS if user == "asiakas" else refused
        for path in PAGES:
            answer = client.get(path.format(**demo.ids))
            html = answer.text
            expected = 403 if path in refused else 200
            if answer.status_code != expected or '<html lang="sv">' not in html:
                wrong.append((user, path, answer.status_code, "not a Swedish page"))
                continue
            if SWEDISH_LOG_OUT not in html:
                wrong.append((user, path, "the masthead is not Swedish"))
            wrong.extend((user, path, *foreign) for foreign in foreign_texts(html))
        for path in MORE_PAGES:
            answer = client.get(path)
            if answer.status_code == 200:
                wrong.extend((user, path, *foreign) for foreign in foreign_texts(answer.text))
            menu = menu_texts(html)
            for entry in navigation.NAV:
                if entry.href not in menu:
                    continue
                swedish = gettext("ui", "sv", entry.text)
                if menu[entry.href] != swedish:
                    wrong.append((user, path, entry.href, menu[entry.href], swedish))
    assert wrong == []


def test_the_check_finds_a_message_left_in_english_or_finnish() -> None:
    page = (
        '<html lang="sv"><body><p>Log out</p><p>Kirjaudu ulos</p><p>Logga ut</p>'
        '<button lang="fi">Suomeksi</button><p data-user-text>Log out</p>'
        "<script>'Log out'</script></body></html>"
    )
    assert [text for text, _ in foreign_texts(page)] == ["Log out", "Kirjaudu ulos"]


def test_a_swedish_page_writes_numbers_and_dates_the_swedish_way(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "mittaaja")
    choose_language(client, "sv")
    job = client.get("/jobs/{job}".format(**demo.ids)).text
    assert '<html lang="sv">' in job and "Uppdrag TY-" in job
    assert "0,43" in job and "0.43" not in job  # decimal comma
    assert re.search(r"<dd>\d{1,2} [a-zé]{3,4}\. 20\d\d", job)  # 11 dec. 2026


def test_the_swedish_customer_of_the_demo_reads_its_portal_in_swedish(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "inkopare")
    start = client.get("/")
    assert start.status_code == 200 and '<html lang="sv">' in start.text
    assert client.get("/api/v1/auth/me").json()["language"] == "sv"


def test_the_language_switch_offers_finnish_swedish_english_and_estonian_to_every_role(
    client: TestClient, demo: Demo
) -> None:
    for user in EVERY_ROLE:
        sign_in(client, user)
        html = client.get("/").text
        offered = re.findall(r'data-language="(\w+)"', html)
        assert offered == ["fi", "sv", "en", "et"], user
        assert 'data-language="fi" lang="fi" aria-pressed="true"' in html, user


def test_lang_in_the_address_shows_one_page_in_that_language_and_changes_nothing(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "arvioija")
    assert '<html lang="sv">' in client.get("/jobs?lang=sv").text
    assert '<html lang="en">' in client.get("/jobs?lang=en").text
    assert '<html lang="et">' in client.get("/jobs?lang=et").text
    assert '<html lang="fi">' in client.get("/jobs").text
    assert client.get("/api/v1/auth/me").json()["language"] == "fi"
    # A language the UI does not speak, or no language at all, is the account's language.
    for asked in ("de", "xx", "../../etc/passwd", "<script>", "sv" * 4):
        answer = client.get("/jobs", params={"lang": asked})
        assert answer.status_code == 200 and '<html lang="fi">' in answer.text, asked
        assert "<script>" not in answer.text.split("</head>")[0]


def test_a_signed_out_browser_keeps_the_language_it_chose_in_a_cookie(
    client: TestClient, demo: Demo
) -> None:
    login = client.get("/login?lang=sv&next=/jobs")
    assert '<html lang="sv">' in login.text and "Logga in" in login.text
    assert client.cookies.get(LANGUAGE_COOKIE) == "sv"
    # The switch keeps where the login goes next.
    assert 'href="?next=%2Fjobs&amp;lang=en"' in login.text
    assert '<html lang="sv">' in client.get("/login").text
    # A language the UI does not speak changes nothing.
    assert '<html lang="sv">' in client.get("/login?lang=xx").text
    assert client.cookies.get(LANGUAGE_COOKIE) == "sv"
    assert '<html lang="en">' in client.get("/login?lang=en").text
    assert '<html lang="en">' in client.get("/login").text


def test_the_verify_page_reads_swedish_and_remembers_it(client: TestClient, demo: Demo) -> None:
    verify = client.get("/verify/KT-2026-9999?lang=sv", headers={"accept": "text/html"})
    assert '<html lang="sv">' in verify.text
    assert "Verifiering av dokument" in verify.text
    assert client.cookies.get(LANGUAGE_COOKIE) == "sv"
    # The next page of the same browser, the login, speaks it too.
    assert '<html lang="sv">' in client.get("/login").text


def test_the_account_language_outlives_the_session(client: TestClient, demo: Demo) -> None:
    sign_in(client, "arvioija")
    choose_language(client, "sv")
    sign_in(client, "arvioija")  # a new session: the cookies are cleared first
    assert '<html lang="sv">' in client.get("/").text
