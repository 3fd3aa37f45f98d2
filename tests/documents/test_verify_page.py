"""The public verification page over plain HTTP: the outcome first and large (the file
matches, does NOT match, or was not checked), the number's state, and clear pages for an
unknown number or a malformed hash, in Finnish and English.  The page in a real browser,
hashing a dropped file, is in tests/ui/test_browser_verify.py."""

import hashlib

import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy import Engine

from lims.config import Settings
from lims.documents.models import DocumentState
from tests.documents.factories import make_document
from tests.jobs.factories import make_lab

HTML = {"accept": "text/html"}
#: The bytes ``make_document`` stores as the issued file (a stand-in: nothing is rendered).
STAND_IN = b"%PDF-1.7\n% a stand-in for an issued certificate\n"


class Page:
    """The verification page as a reader takes it in: the outcome heading, then the rest."""

    def __init__(self, text: str) -> None:
        self.tree = html.fromstring(text)
        outcome = self.tree.xpath("//main/section[contains(@class, 'outcome')]")
        assert len(outcome) == 1, text
        self.outcome = outcome[0]
        self.heading = " ".join(self.outcome.xpath(".//h1")[0].text_content().split())
        self.state = " ".join(self.outcome.text_content().split())
        self.text = " ".join(self.tree.text_content().split())

    @property
    def comes_first(self) -> bool:
        """The outcome is the page's first heading and its only h1."""
        headings = self.tree.xpath("//h1 | //h2")
        return headings[0] in self.outcome.xpath(".//h1") and len(self.tree.xpath("//h1")) == 1


def verify_page(client: TestClient, number: str, expect: int = 200, **params: str) -> Page:
    response = client.get(f"/verify/{number}", params=params, headers=HTML)
    assert response.status_code == expect, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


@pytest.fixture
def issued(engine: Engine, settings: Settings) -> tuple[dict, bytes]:
    """An issued certificate's record and its file (the page reads only the record)."""
    document = make_document(engine, settings, make_lab(engine, settings).customer)
    return {"id": document.id, "number": document.number}, STAND_IN


def test_the_issued_file_matches_and_the_page_says_so_first_then_that_it_is_valid(
    client: TestClient, issued: tuple[dict, bytes]
) -> None:
    document, pdf = issued
    page = verify_page(client, document["number"], sha256=hashlib.sha256(pdf).hexdigest())
    assert page.comes_first
    number = document["number"]
    assert page.heading == (
        f"✓ Tiedosto vastaa annettua: se on {number} sellaisena kuin se annettiin"
    )
    assert "outcome-good" in page.outcome.classes
    assert page.outcome.get("role") == "status"
    assert f"{document['number']} on voimassa." in page.state
    english = verify_page(
        client, document["number"], sha256=hashlib.sha256(pdf).hexdigest().upper(), lang="en"
    )
    assert english.heading == f"✓ The file matches: it is {document['number']} as issued"
    assert f"{document['number']} is valid." in english.state


def test_a_changed_file_does_not_match_and_valid_is_never_in_the_outcome(
    client: TestClient, issued: tuple[dict, bytes]
) -> None:
    document, pdf = issued
    changed = hashlib.sha256(pdf + b"\n").hexdigest()
    page = verify_page(client, document["number"], sha256=changed)
    assert page.comes_first
    assert page.heading == f"✗ Tiedosto EI vastaa asiakirjaa {document['number']}"
    assert "outcome-bad" in page.outcome.classes
    assert "voimassa" not in page.state.lower()
    english = verify_page(client, document["number"], sha256=changed, lang="en")
    assert english.heading == f"✗ The file does NOT match {document['number']}"
    assert "valid" not in english.state.lower()
    # What was checked is shown, so the reader can compare it with their own tool.
    assert changed in english.text


def test_without_a_file_the_page_says_it_is_not_checked_and_gives_the_numbers_state(
    client: TestClient, issued: tuple[dict, bytes]
) -> None:
    document, _ = issued
    page = verify_page(client, document["number"], lang="en")
    assert page.comes_first
    assert page.heading == "? Not checked against a file"
    assert page.state.endswith(f"Only the number has been checked: {document['number']} is valid.")
    assert "outcome-unchecked" in page.outcome.classes
    # The check without a script: a GET form sending the hash and keeping the language.
    form = page.tree.xpath("//form[@class='verify-file']")[0]
    assert (form.get("method"), form.get("action")) == ("get", f"/verify/{document['number']}")
    assert {field.get("name") for field in form.xpath(".//input[@name]")} == {"lang", "sha256"}
    assert form.xpath(".//input[@type='file']")[0].get("name") is None  # the file is never sent


def test_a_superseded_document_matches_but_the_page_names_its_replacement(
    engine: Engine, settings: Settings, client: TestClient
) -> None:
    customer = make_lab(engine, settings).customer
    revision = make_document(engine, settings, customer)
    original = make_document(
        engine,
        settings,
        customer,
        state=DocumentState.SUPERSEDED,
        superseded_by_id=revision.id,
    )
    page = verify_page(client, original.number, sha256=hashlib.sha256(STAND_IN).hexdigest())
    assert page.heading.startswith("✓ Tiedosto vastaa annettua")
    assert "outcome-warn" in page.outcome.classes
    assert (
        f"Mutta: {original.number} on korvattu asiakirjalla {revision.number}"
        " eikä ole enää voimassa." in page.state
    )
    link = page.tree.xpath(f"//a[starts-with(@href, '/verify/{revision.number}?')]")
    assert link, page.text


def test_a_withdrawn_document_matches_but_the_page_says_it_is_not_valid(
    engine: Engine, settings: Settings, client: TestClient
) -> None:
    customer = make_lab(engine, settings).customer
    document = make_document(engine, settings, customer, state=DocumentState.WITHDRAWN)
    page = verify_page(
        client, document.number, sha256=hashlib.sha256(STAND_IN).hexdigest(), lang="en"
    )
    assert "outcome-bad" in page.outcome.classes
    assert page.state.endswith(f"But: {document.number} has been withdrawn and is not valid.")


def test_an_unknown_number_is_said_plainly(client: TestClient) -> None:
    page = verify_page(client, "KT-1999-0001")
    assert page.heading == "✗ Numerolla KT-1999-0001 ei ole annettu asiakirjaa"
    assert not page.tree.xpath("//form")


@pytest.mark.parametrize(
    "sha256",
    ["../../etc", "", "0" * 63, "0" * 65, "g" * 64, "0" * 10_000, "<script>x</script>"],
    ids=["path", "empty", "short", "long", "not-hex", "huge", "markup"],
)
def test_a_malformed_hash_gets_a_clear_page_not_an_error(client: TestClient, sha256: str) -> None:
    page = verify_page(client, "KT-2026-0001", expect=422, sha256=sha256, lang="en")
    assert page.heading == "✗ The check could not be made"
    assert "64 hexadecimal characters" in page.state
    assert page.tree.xpath("//a[@href='/verify/KT-2026-0001?lang=en']")  # try again
    shown = client.get("/verify/KT-2026-0001", params={"sha256": sha256}, headers=HTML)
    assert "<script>" not in shown.text
    # A program asking for JSON gets the problem, as before.
    problem = client.get("/verify/KT-2026-0001", params={"sha256": sha256})
    assert problem.status_code == 422
    assert problem.headers["content-type"] == "application/problem+json"


def test_a_malformed_number_gets_a_clear_page(client: TestClient) -> None:
    page = verify_page(client, "K" * 65, expect=422, lang="en")
    assert "This is not a document number." in page.state


def test_markup_in_the_number_is_shown_as_text(client: TestClient) -> None:
    page = verify_page(client, "KT-<b>1\"'&", lang="en")
    assert page.heading == "✗ No document has been issued with the number KT-<b>1\"'&"
    assert not page.tree.xpath("//main//b")


def test_the_language_follows_the_browser_unless_chosen(client: TestClient) -> None:
    answer = client.get(
        "/verify/KT-1999-0001", headers={**HTML, "accept-language": "de-DE, en;q=0.8, fi;q=0.5"}
    )
    assert html.fromstring(answer.text).get("lang") == "en"
    chosen = client.get(
        "/verify/KT-1999-0001",
        params={"lang": "fi"},
        headers={**HTML, "accept-language": "en"},
    )
    assert html.fromstring(chosen.text).get("lang") == "fi"
    unknown = client.get("/verify/KT-1999-0001", params={"lang": "xx"}, headers=HTML)
    assert unknown.status_code == 200 and html.fromstring(unknown.text).get("lang") == "fi"


def test_the_page_loads_its_script_from_this_site_under_the_content_security_policy(
    client: TestClient,
) -> None:
    answer = client.get("/verify/KT-1999-0001", headers=HTML)
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    scripts = html.fromstring(answer.text).xpath("//script")
    assert next(s.get("src") for s in scripts if s.get("src")).startswith("/static/verify.js")
    assert all(s.get("src") or s.get("type") == "application/json" for s in scripts)
    assert client.get("/static/verify.js").status_code == 200
