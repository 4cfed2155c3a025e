"""The marketplace in a real browser: Debian's chromium, headless, driven through Selenium (chromium-driver).

Each test starts the built `ticketing serve` on a free loopback port with its own data directory, then drives
the pages as people would. Screenshots of the main pages, at phone and desktop widths, are saved under
.build/screenshots/ (override with SCREENSHOTS_DIR).

Each main page is also checked with axe-core (the copy axe-selenium-python ships, so no network is needed):
no serious or critical violations. Every page's results are written to .build/axe/<page>.json (override
with AXE_RESULTS_DIR) and summed up in one line on stderr.

    python3 -m unittest discover -s Tests/Browser -v      (scripts/test runs it after building)
"""
import collections
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException, NoSuchElementException,
                                        StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TICKETING_BINARY", ROOT / ".build/debug/ticketing"))
SCREENSHOTS = pathlib.Path(os.environ.get("SCREENSHOTS_DIR", ROOT / ".build/screenshots"))
AXE_RESULTS = pathlib.Path(os.environ.get("AXE_RESULTS_DIR", ROOT / ".build/axe"))
BLOCKING = ("serious", "critical")
DESKTOP = (1280, 900)
PHONE = (390, 844)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`ticketing serve` on a free port with its own data directory."""

    def __init__(self, expiration_seconds=900):
        self.data = tempfile.mkdtemp(prefix="ticketing-browser-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {
            "PATH": os.environ.get("PATH", ""), "HOME": self.data, "PORT": str(self.port),
            "TICKETING_DATA_DIR": self.data, "EXPIRATION_WINDOW_SECONDS": str(expiration_seconds),
            "LOG_LEVEL": "warning",
        }
        self.log = open(pathlib.Path(self.data) / "serve.log", "w")
        self.process = subprocess.Popen([str(BINARY), "serve"], cwd=ROOT, env=environment, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"ticketing serve did not start: {self.output()}")

    def output(self):
        return (pathlib.Path(self.data) / "serve.log").read_text()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--disable-extensions", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console messages: CSP reports
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.implicitly_wait(0)
    return driver


class Shopper:
    """One person in one browser."""

    def __init__(self, server, email):
        self.server = server
        self.email = email
        self.driver = browser()

    def quit(self):
        self.driver.quit()

    def open(self, path):
        self.driver.get(self.server.url + path)

    def wait(self, condition, seconds=15, message=""):
        # A page that is being replaced (a form posted, a redirect followed) is simply looked at again.
        return WebDriverWait(self.driver, seconds, poll_frequency=0.1, ignored_exceptions=(
            StaleElementReferenceException, NoSuchElementException)).until(condition, message)

    def text(self):
        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except WebDriverException as error:
            # Chromium reports the body of a page being replaced as a node that "does not belong to the
            # document" (an inspector error, not a stale element): the same race, looked at again by wait().
            if "does not belong to the document" in str(error):
                raise StaleElementReferenceException(str(error)) from error
            raise

    def fill(self, field, value):
        element = self.driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)

    def submit(self, text):
        self.driver.find_element(By.XPATH, f"//main//button[normalize-space()='{text}']").click()

    def sign_up(self):
        self.open("/signup")
        self.fill("email", self.email)
        self.fill("password", "correct horse")
        self.submit("Create account")
        self.wait(lambda d: "Sign out" in self.text(), message="signed in after sign-up")

    def sell(self, title, price):
        self.open("/sell")
        self.fill("title", title)
        self.fill("price", price)
        self.submit("List ticket")
        self.wait(lambda d: "/tickets/" in d.current_url, message="the new ticket's page")
        return self.driver.current_url

    def audit(self, name):
        """Runs axe-core on the page shown, writes its results to AXE_RESULTS/<name>.json and prints a line
        with the violations by impact; returns the serious and critical ones."""
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        violations = results.get("violations", [])
        counts = collections.Counter(violation.get("impact") or "none" for violation in violations)
        AXE_RESULTS.mkdir(parents=True, exist_ok=True)
        summary = {
            "page": name, "url": self.driver.current_url,
            "axe": (results.get("testEngine") or {}).get("version"),
            "violations": {impact: counts.get(impact, 0) for impact in ("critical", "serious", "moderate", "minor")},
            "ids": sorted(violation["id"] for violation in violations),
            "passes": len(results.get("passes", [])), "incomplete": len(results.get("incomplete", [])),
        }
        (AXE_RESULTS / f"{name}.json").write_text(json.dumps({"summary": summary, "results": results}, indent=2))
        print(f"axe {name}: " + ", ".join(f"{impact} {count}" for impact, count in summary["violations"].items())
              + f"; passes {summary['passes']}, incomplete {summary['incomplete']}"
              + (f"; violations: {' '.join(summary['ids'])}" if violations else ""), file=sys.stderr)
        return [violation for violation in violations if violation.get("impact") in BLOCKING]

    def policy_violations(self):
        """The console's Content-Security-Policy reports since the last call (an inline script or style, a
        foreign origin): there should be none."""
        return [entry["message"] for entry in self.driver.get_log("browser")
                if "Content Security Policy" in entry.get("message", "")]

    def screenshot(self, name, size=DESKTOP):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.set_window_size(*size)
        time.sleep(0.2)
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        self.driver.set_window_size(*DESKTOP)


class MarketplaceInABrowser(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.people = []

    def tearDown(self):
        for person in self.people:
            person.quit()
        self.server.stop()

    def person(self, email, server=None):
        shopper = Shopper(server or self.server, email)
        self.people.append(shopper)
        return shopper

    def assertAccessible(self, shopper, name):
        self.assertEqual([], shopper.policy_violations(), f"Content-Security-Policy on {name}")
        blocking = shopper.audit(name)
        self.assertEqual([], [f"{violation['impact']} {violation['id']}: {violation['help']} "
                              f"{[node['target'] for node in violation['nodes']]}" for violation in blocking],
                         f"axe on {name}")

    def test_a_buyer_finds_buys_and_pays_for_a_sellers_ticket(self):
        seller = self.person("sam@example.com")
        seller.open("/signup")
        self.assertAccessible(seller, "sign-up")
        seller.sign_up()
        seller.open("/sell")
        self.assertAccessible(seller, "sell")
        seller.fill("title", "")
        seller.fill("price", "-5")
        seller.submit("List ticket")
        seller.wait(lambda d: d.find_elements(By.ID, "price-error"), message="field errors")
        self.assertIn("price", seller.driver.find_element(By.ID, "price-error").text.lower())
        self.assertTrue(seller.driver.find_elements(By.ID, "title-error"))
        seller.screenshot("sell-form-errors", PHONE)
        self.assertAccessible(seller, "sell-errors")
        seller.sell("Eras Tour — Floor", "149.99")
        seller.sell("Jazz at the Park", "35")

        buyer = self.person("bea@example.com")
        buyer.sign_up()
        buyer.wait(lambda d: "Eras Tour" in buyer.text(), message="orders hears of the tickets")
        buyer.screenshot("home-desktop")
        buyer.screenshot("home-phone", PHONE)
        self.assertAccessible(buyer, "home")
        # Two words: the form sends title=eras+tour, and `+` must reach the search as a space.
        buyer.fill("title", "eras tour")
        buyer.submit("Search")
        buyer.wait(lambda d: "title=eras+tour" in d.current_url)
        self.assertIn("Eras Tour", buyer.text())
        self.assertNotIn("Jazz at the Park", buyer.text())
        buyer.driver.find_element(By.LINK_TEXT, "Eras Tour — Floor").click()
        buyer.wait(lambda d: "/tickets/" in d.current_url)
        buyer.screenshot("ticket")
        self.assertAccessible(buyer, "ticket")
        # The orders service learns of a ticket through its event; until then Purchase answers 404.
        buyer.wait(lambda d: self.purchase(buyer), seconds=20, message="the order is placed")

        countdown = buyer.driver.find_element(By.ID, "countdown")
        first = re.search(r"\d+:\d\d", countdown.text).group(0)
        buyer.wait(lambda d: re.search(r"\d+:\d\d", countdown.text).group(0) != first, seconds=5,
                   message="the countdown ticks")
        buyer.screenshot("order-countdown")
        buyer.screenshot("order-countdown-phone", PHONE)
        self.assertEqual(countdown.get_attribute("role"), "timer")
        self.assertEqual(countdown.get_attribute("aria-live"), "off")
        self.assertAccessible(buyer, "order")

        buyer.driver.find_element(By.CSS_SELECTOR, "input[value='tok_chargeDeclined']").click()
        buyer.submit("Pay $149.99")
        buyer.wait(lambda d: d.find_elements(By.ID, "token-error"), message="the decline is shown")
        self.assertEqual(buyer.driver.find_element(By.ID, "token-error").text, "Your card was declined.")
        self.assertTrue(buyer.driver.find_elements(By.ID, "pay-form"), "the order stays payable")
        buyer.screenshot("order-declined")
        self.assertAccessible(buyer, "order-declined")

        buyer.driver.find_element(By.CSS_SELECTOR, "input[value='tok_visa']").click()
        buyer.submit("Pay $149.99")
        buyer.wait(lambda d: "?paid=1" in d.current_url, message="payment accepted")
        buyer.wait(lambda d: self.reloaded_status(buyer) == "Complete", seconds=20, message="the order completes")
        self.assertIn("Paid — the ticket is yours.", buyer.text())
        buyer.screenshot("order-complete")
        self.assertAccessible(buyer, "order-complete")
        buyer.open("/orders")
        self.assertIn("Complete", buyer.text())
        buyer.screenshot("orders")
        self.assertAccessible(buyer, "orders")
        seller.open("/mytickets")
        seller.wait(lambda d: "Complete" in seller.text() or self.reloaded(seller, "Complete"), seconds=20)
        seller.screenshot("my-tickets")
        self.assertAccessible(seller, "my-tickets")

    def test_sign_in_the_skip_link_and_the_not_found_page(self):
        visitor = self.person("sam@example.com")
        visitor.open("/signin")
        self.assertAccessible(visitor, "sign-in")
        skip = visitor.driver.find_element(By.CSS_SELECTOR, "body > a.skip-link")
        self.assertEqual(skip.get_attribute("textContent"), "Skip to content")
        self.assertEqual(skip.get_attribute("href"), self.server.url + "/signin#main")
        self.assertFalse(skip.is_displayed(), "out of sight until focused")
        visitor.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)  # the skip link is the first stop
        self.assertEqual(visitor.driver.switch_to.active_element, skip)
        self.assertTrue(skip.is_displayed(), "shown once focused")
        visitor.screenshot("skip-link")
        visitor.fill("email", "nobody")
        visitor.submit("Sign in")
        visitor.wait(lambda d: d.find_elements(By.ID, "email-error"), message="the field error")
        email = visitor.driver.find_element(By.ID, "email")
        self.assertEqual(email.get_attribute("aria-invalid"), "true")
        self.assertEqual(email.get_attribute("aria-describedby"), "email-error")
        self.assertAccessible(visitor, "sign-in-errors")
        visitor.open("/no-such-page")
        self.assertEqual(visitor.driver.find_element(By.TAG_NAME, "h1").text, "Page not found")
        visitor.screenshot("not-found")
        self.assertAccessible(visitor, "not-found")

    def test_a_ticket_titled_like_a_script_renders_as_text(self):
        seller = self.person("sam@example.com")
        seller.sign_up()
        title = "<script>alert(1)</script>"
        page = seller.sell(title, "10")
        self.assertEqual(seller.driver.find_element(By.TAG_NAME, "h1").text, title)
        seller.open("/")
        self.assertIn(title, seller.text())
        with self.assertRaises(NoAlertPresentException):
            seller.driver.switch_to.alert.text
        seller.open(page.replace(self.server.url, ""))
        with self.assertRaises(NoAlertPresentException):
            seller.driver.switch_to.alert.text

    def test_an_unpaid_order_expires_and_the_ticket_is_back_on_the_list(self):
        self.server.stop()
        self.server = Server(expiration_seconds=8)
        seller = self.person("sam@example.com")
        seller.sign_up()
        ticket = seller.sell("Late Show", "20")
        buyer = self.person("bea@example.com")
        buyer.sign_up()
        buyer.open(ticket.replace(self.server.url, ""))
        buyer.wait(lambda d: self.purchase(buyer), seconds=20, message="the order is placed")
        buyer.wait(lambda d: d.find_elements(By.ID, "expired"), seconds=20, message="the countdown runs out")
        self.assertIn("Order expired", buyer.driver.find_element(By.ID, "expired").text)
        self.assertFalse(buyer.driver.find_element(By.CSS_SELECTOR, "#pay-form button").is_enabled())
        buyer.screenshot("order-expired")
        self.assertEqual(buyer.driver.find_element(By.ID, "countdown-announcement").get_attribute("textContent"),
                         "Order expired. The ticket is no longer held for you.")
        self.assertAccessible(buyer, "order-expired")
        buyer.wait(lambda d: self.reloaded_status(buyer) == "Cancelled", seconds=30, message="the order expires")
        buyer.wait(lambda d: self.reloaded(buyer, "Late Show", path="/"), seconds=20,
                   message="the ticket is back on the list")

    # Helpers

    def purchase(self, buyer):
        """Clicks Purchase; true once it led to an order page (false while orders does not know the ticket)."""
        buttons = buyer.driver.find_elements(By.XPATH, "//main//button[normalize-space()='Purchase']")
        if not buttons:
            buyer.driver.refresh()
            return False
        buttons[0].click()
        try:
            WebDriverWait(buyer.driver, 5).until(lambda d: "/orders/" in d.current_url or d.find_elements(
                By.CSS_SELECTOR, "[role=alert]"))
        except TimeoutException:
            return False
        if "/orders/" in buyer.driver.current_url:
            return True
        time.sleep(0.3)
        buyer.driver.refresh()
        return False

    def reloaded_status(self, shopper):
        shopper.driver.refresh()
        elements = shopper.driver.find_elements(By.ID, "order-status")
        return elements[0].text if elements else None

    def reloaded(self, shopper, text, path=None):
        if path is None:
            shopper.driver.refresh()
        else:
            shopper.open(path)
        return text in shopper.text()


if __name__ == "__main__":
    unittest.main()
