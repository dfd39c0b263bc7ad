import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser

SCREENSHOTS = "test-artifacts/screenshots"


def open_menu(page: Page) -> None:
    menu = page.locator("details.nav-menu")
    if menu.get_attribute("open") is None and page.locator("details.nav-menu summary").is_visible():
        page.locator("details.nav-menu summary").click()


def test_a_buyer_registers_switches_language_and_signs_out(page: Page, base_url):
    page.goto(base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beli langsung")
    page.screenshot(path=f"{SCREENSHOTS}/home-id-phone.png", full_page=True)

    page.get_by_role("link", name="Buat akun gratis").click()
    page.get_by_label("Nama lengkap").fill("Dewi Sartika")
    page.get_by_label("Email").fill("dewi@contoh.id")
    page.get_by_label("Nomor HP (opsional)").fill("0812 1234 5678")
    page.get_by_label("Pembeli perorangan atau usaha").check()
    page.get_by_label("Kata sandi", exact=True).fill("selendang-sutra-9")
    page.get_by_label("Ulangi kata sandi").fill("selendang-sutra-9")
    page.get_by_role("button", name="Buat akun").click()
    expect(page.locator(".flashes .flash")).to_contain_text("Akun Anda sudah siap")

    page.get_by_role("button", name="EN", exact=True).click()  # signed in: a small form, so it can be kept
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    page.screenshot(path=f"{SCREENSHOTS}/account-en-phone.png", full_page=True)

    open_menu(page)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("You have signed out.")
    # The language stays with the browser session after signing out.
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_registration_with_mistakes_shows_them_and_keeps_what_was_typed(page: Page, base_url):
    page.goto(base_url + "/register")
    page.get_by_label("Nama lengkap").fill("Dewi")
    page.get_by_label("Email").fill("bukan-email")
    page.get_by_label("Kata sandi", exact=True).fill("pendek")
    page.get_by_label("Ulangi kata sandi").fill("pendek")
    page.get_by_role("button", name="Buat akun").click()
    expect(page.locator(".form-summary")).to_be_visible()
    expect(page.locator("#email-errors")).to_contain_text("Masukkan alamat email yang valid")
    expect(page.locator("#password-errors")).to_contain_text("minimal 10 karakter")
    expect(page.get_by_label("Nama lengkap")).to_have_value("Dewi")
    page.screenshot(path=f"{SCREENSHOTS}/register-errors-phone.png", full_page=True)


def test_a_returning_user_signs_in_and_lands_where_they_were_going(page: Page, base_url):
    create_user(email="budi@contoh.id", name="Budi Santoso")
    page.goto(base_url + "/account")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator(".flash")).to_contain_text("Silakan masuk")
    page.get_by_label("Email").fill("budi@contoh.id")
    page.get_by_label("Kata sandi").fill("salah-sandi-1")
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("#password-errors")).to_contain_text("Email atau kata sandi salah.")
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(base_url + "/account")
    expect(page.get_by_text("budi@contoh.id")).to_be_visible()


def test_a_form_posted_with_a_stale_token_gets_the_csrf_page(page: Page, base_url):
    page.goto(base_url + "/login")
    page.locator("#content input[name=csrf_token]").evaluate("input => input.value = 'stale-token'")
    page.get_by_label("Email").fill("budi@contoh.id")
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Permintaan tidak valid")
    expect(page.locator(".error-page")).to_contain_text("Formulir ini sudah kedaluwarsa")
    page.screenshot(path=f"{SCREENSHOTS}/csrf-error-phone.png", full_page=True)


def test_the_desktop_layout_shows_navigation_without_the_menu_button(page: Page, base_url):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base_url + "/")
    expect(page.locator("details.nav-menu summary")).to_be_hidden()
    navigation = page.get_by_role("navigation", name="Navigasi utama")
    expect(navigation.get_by_role("link", name="Masuk")).to_be_visible()
    expect(navigation.get_by_role("link", name="Daftar")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/home-id-desktop.png", full_page=True)
