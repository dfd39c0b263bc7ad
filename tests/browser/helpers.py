"""What browser journeys share: signing in like a person, and checking a page fits a phone."""

from playwright.sync_api import Page

from tests.factories import DEFAULT_PASSWORD

SCREENSHOTS = "test-artifacts/screenshots"


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def assert_fits_the_screen(page) -> None:
    """Nothing makes a phone scroll sideways: wide tables scroll inside their own box."""
    # Measured once the stylesheet and pictures are in: a page caught halfway (a busy machine) is not yet laid out.
    page.wait_for_load_state("load")
    scroll_width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    widest = page.evaluate("""(viewport) => [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > viewport)
        .slice(0, 3).map((element) => element.tagName + '.' + element.className)""", viewport)
    assert scroll_width <= viewport, f"{page.url} is {scroll_width}px wide on a {viewport}px screen: {widest}"
