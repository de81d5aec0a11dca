"""What a person sees in a real browser: home page, a credential page, a canned query, the
relational map (rendering, recentering on click, a hub of 120 neighbours), and hostile data that
must stay text.

Headless Chromium (Debian's `chromium` + `chromium-driver`) driven by Selenium against a real
`credgraph serve` on a free loopback port. The tests skip, saying why, when Chromium, its driver or
Selenium is missing. Screenshots of the map go to tests/artifacts/ (gitignored)."""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import shutil
import urllib.parse
from pathlib import Path

import pytest
from serving import HUB, HUB_SIZE, MICRO_ITS, TOPIC_NDC, XSS, XSS_CTID, XSS_NAME, Server, build_demo_store

WAIT = 30

CHROMIUM = os.environ.get("CREDGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CREDGRAPH_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000", "--disable-dev-shm-usage"]


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed ({CHROMIUM}); apt-get install chromium chromium-driver"
    if not Path(CHROMEDRIVER).exists():
        return f"chromedriver is not installed ({CHROMEDRIVER}); apt-get install chromium-driver"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed; pip install -e '.[test]'"
    return None


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """`credgraph serve` over the demo store plus the web fixtures (a hub, a hostile name)."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    store = build_demo_store(tmp_path_factory.mktemp("browser") / "store")
    server = Server(store)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("unhandledPromptBehavior", "ignore")   # a dialog stays open for the test to see
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)



def wait(driver, condition, timeout: float = WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def no_dialog(driver) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def severe_console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"
            and "favicon.ico" not in e["message"]]


def open_map(driver, site, iri: str, **params) -> None:
    query = urllib.parse.urlencode({"iri": iri, **params})
    driver.get(f"{site.url}/map?{query}")
    wait_ready(driver, iri)


def wait_ready(driver, centre: str) -> None:
    from selenium.webdriver.common.by import By

    def ready(d):
        box = d.find_element(By.ID, "map")
        return box.get_attribute("data-state") == "ready" and box.get_attribute("data-center") == centre

    wait(driver, ready)


def map_counts(driver) -> tuple[int, int]:
    return (driver.execute_script("return credgraphMap.nodes.get({filter: n => !n.isLabel}).length"),
            driver.execute_script("return credgraphMap.edges.length"))


def click_node(driver, node_id: str) -> None:
    """A real mouse click where the node is drawn on the canvas."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    point = driver.execute_script(
        "const p = credgraphMap.network.getPosition(arguments[0]);"
        "return credgraphMap.network.canvasToDOM(p);", node_id)
    canvas = driver.find_element(By.CSS_SELECTOR, "#map canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(point["x"] - size["width"] / 2), int(point["y"] - size["height"] / 2)).click().perform()


# --------------------------------------------------------------------------------------- pages
def test_home_page(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/")
    assert "credgraph" in browser.title
    assert browser.find_element(By.TAG_NAME, "h1").text == "The credential ecosystem as linked data"
    link = browser.find_element(By.LINK_TEXT, "Non-degree credentials")
    link.click()
    wait(browser, lambda d: d.find_element(By.ID, "label").text == "Non-degree credentials")
    assert browser.current_url.endswith("/id/topic/non-degree-credentials")
    assert severe_console_errors(browser) == []


def test_search_from_the_header(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(site.url + "/")
    box = browser.find_element(By.CSS_SELECTOR, "header input[name=q]")
    box.send_keys("riverbend community", Keys.ENTER)
    wait(browser, lambda d: "/search" in d.current_url)
    first = browser.find_element(By.CSS_SELECTOR, "ol.results li a")
    assert first.text == "Riverbend Community College"


def test_credential_page(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/resources/" + MICRO_ITS.rsplit("/", 1)[1])
    assert browser.find_element(By.ID, "label").text == "IT Support Fundamentals Micro-Credential"
    assert "credential" in browser.find_element(By.CSS_SELECTOR, ".kind .badge").text
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Provenance" in body and "it-stack.ttl" in body
    owner = browser.find_element(By.LINK_TEXT, "Riverbend Community College")
    owner.click()
    wait(browser, lambda d: d.find_element(By.ID, "label").text == "Riverbend Community College")
    assert severe_console_errors(browser) == []


def test_query_page_runs_a_canned_query(browser, site):
    from selenium.webdriver.common.by import By

    from credgraph.catalog import catalog, projected_variables

    runnable = [q for q in catalog().values() if not any(p.required for p in q.params)
                and projected_variables(q.text)]
    if not runnable:
        pytest.skip("the catalog has no SELECT query without required parameters")
    chosen = sorted(runnable, key=lambda q: (len(q.params), q.name))[0]
    browser.get(site.url + "/queries")
    browser.find_element(By.LINK_TEXT, chosen.title).click()
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == chosen.title)
    browser.find_element(By.CSS_SELECTOR, "#canned button[name=run]").click()
    wait(browser, lambda d: d.find_elements(By.ID, "results") or d.find_elements(By.ID, "query-error"))
    assert not browser.find_elements(By.ID, "query-error"), browser.find_element(By.ID, "query-error").text
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.results thead th")]
    assert headers == projected_variables(chosen.text)
    shown = len(browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr"))
    csv_url = browser.find_element(By.ID, "csv").get_attribute("href")
    download = site.get(csv_url[len(site.url):])
    assert download.status == 200 and download.header("content-disposition").startswith("attachment")
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == headers and len(rows) - 1 == shown


def test_sparql_editor(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/queries")
    editor = browser.find_element(By.CSS_SELECTOR, "#editor textarea")
    editor.clear()
    editor.send_keys("SELECT ?name WHERE { ?c a <https://purl.org/ctdl/terms/License> ; "
                     "<https://purl.org/ctdl/terms/name> ?name } ORDER BY ?name")
    browser.find_element(By.CSS_SELECTOR, "#editor button").click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "table.results tbody tr"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")) == 2   # data: License 2


# --------------------------------------------------------------------------------------- the map
def test_map_renders_and_recentres_on_click(browser, site, artifacts):
    from selenium.webdriver.common.by import By

    open_map(browser, site, TOPIC_NDC)
    nodes, edges = map_counts(browser)
    assert nodes > 10 and edges >= nodes - 1
    assert browser.find_element(By.ID, "map-title").text == "Relational map: Non-degree credentials"
    assert browser.find_elements(By.CSS_SELECTOR, "#map canvas")
    browser.save_screenshot(str(artifacts / "map.png"))
    # click a neighbour organization (one that defines the topic)
    target = browser.execute_script(
        "return credgraphMap.edges.get().filter(e => e.relation === 'defines')[0].from")
    click_node(browser, target)
    wait_ready(browser, target)
    assert urllib.parse.unquote(browser.current_url).endswith("/map?iri=" + target)
    centre_label = browser.find_element(By.CSS_SELECTOR, "#map-centre h2").text
    assert browser.find_element(By.ID, "map-title").text == "Relational map: " + centre_label
    assert TOPIC_NDC in browser.execute_script("return credgraphMap.nodes.getIds()")  # the old centre is a neighbour now
    browser.save_screenshot(str(artifacts / "map-recentred.png"))
    # the side panel links each node to its page
    page = browser.find_element(By.ID, "centre-page").get_attribute("href")
    assert page.startswith(site.url + "/id/organization/")
    browser.back()
    wait_ready(browser, TOPIC_NDC)
    assert severe_console_errors(browser) == []


def test_map_filters_by_relation_and_kind(browser, site):
    from selenium.webdriver.common.by import By

    open_map(browser, site, TOPIC_NDC)
    before, _ = map_counts(browser)
    box = browser.find_element(By.CSS_SELECTOR, "#relation-filters input[value=about]")
    box.click()
    wait(browser, lambda d: map_counts(d)[0] < before and d.find_element(By.ID, "map").get_attribute("data-state") == "ready")
    relations = set(browser.execute_script("return credgraphMap.edges.get().map(e => e.relation)"))
    assert "about" not in relations and relations
    for kind in ("organization", "initiative", "statement", "credential", "competency", "learning",
                 "pathway", "concept", "other"):
        browser.find_element(By.CSS_SELECTOR, f"#kind-filters input[value={kind}]").click()
        wait(browser, lambda d: d.find_element(By.ID, "map").get_attribute("data-state") == "ready")
    kinds = set(browser.execute_script(
        "return credgraphMap.nodes.get({filter: n => !n.isLabel && !n.isMore && !n.isCentre}).map(n => n.kind)"))
    assert kinds == {"topic"}


def test_a_hub_of_120_neighbours_stays_readable(browser, site, artifacts):
    open_map(browser, site, HUB)
    nodes, _ = map_counts(browser)
    assert nodes == 1 + 12 + 1          # centre, the first 12, and "+108 more"
    more = browser.execute_script(
        "return credgraphMap.nodes.get({filter: n => n.isMore}).map(n => ({id: n.id, label: n.label}))")
    assert [m["label"] for m in more] == [f"+{HUB_SIZE - 12} more"]
    click_node(browser, more[0]["id"])
    wait(browser, lambda d: map_counts(d)[0] == 1 + HUB_SIZE)
    positions = browser.execute_script(
        "const ids = credgraphMap.nodes.get({filter: n => !n.isLabel}).map(n => n.id);"
        "return Object.values(credgraphMap.network.getPositions(ids));")
    closest = min(math.dist((a["x"], a["y"]), (b["x"], b["y"])) for a, b in itertools.combinations(positions, 2))
    assert closest >= 90                # rings spaced so that no two of the 121 nodes overlap
    browser.save_screenshot(str(artifacts / "map-hub.png"))


# --------------------------------------------------------------------------------------- hostile data
def test_a_script_in_a_name_is_text(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/resources/" + XSS_CTID)
    assert no_dialog(browser)
    assert browser.find_element(By.ID, "label").text == XSS_NAME
    assert browser.execute_script("return document.querySelectorAll('main script, main img').length") == 0
    assert browser.find_elements(By.XPATH, "//a[starts-with(@href, 'javascript:')]") == []
    browser.get(site.url + "/search?q=" + urllib.parse.quote("<script>"))
    assert no_dialog(browser)
    assert XSS_NAME in [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ol.results a")]
    open_map(browser, site, XSS)
    assert no_dialog(browser)
    assert browser.find_element(By.CSS_SELECTOR, "#map-centre h2").text == XSS_NAME
    label = browser.execute_script("return credgraphMap.nodes.get(arguments[0]).label", XSS)
    assert label == XSS_NAME
