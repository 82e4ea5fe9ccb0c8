"""Pages in a real browser: sign-in, the home page in Chinese and English, scoping."""

import pytest

from bangfu.core.testing import TEST_PASSWORD
from tests.conftest import TABLET, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_alice_signs_in_and_sees_her_pairing_in_chinese(page, world):
    sign_in(page, "alice", TEST_PASSWORD)
    assert page.url.endswith("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").first.inner_text() == "我的结对关系"
    cards = page.locator("article.pairing-card")
    assert cards.count() == 1
    assert cards.first.locator("h2").inner_text() == "龙华区 → 凤山县"
    assert page.locator(".who__name").inner_text() == "alice"
    assert page.locator(".who__unit").inner_text() == "凤山县"
    assert page.locator(".site-nav a[aria-current=page]").inner_text() == "首页"
    screenshot(page, "home-alice-zh")


def test_home_page_fits_a_tablet(page, world):
    page.set_viewport_size(TABLET)
    sign_in(page, "alice", TEST_PASSWORD)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"]
    screenshot(page, "home-alice-tablet")


def test_wrong_password_shows_the_error(page, world):
    page.goto("/accounts/login/")
    screenshot(page, "login-zh")
    sign_in(page, "alice", "not the password")
    assert page.url.endswith("/accounts/login/")
    error = page.get_by_test_id("login-error")
    assert error.inner_text() == "请输入一个正确的用户名和密码。注意，两者都区分大小写。"
    screenshot(page, "login-wrong-password")


def test_five_wrong_passwords_lock_with_a_wait_message(page, world):
    for _ in range(5):
        sign_in(page, "alice", "not the password")
    assert page.get_by_test_id("login-error").inner_text() == "登录失败次数过多，请 15 分钟后再试。"
    screenshot(page, "login-locked")


def test_switching_to_english_and_back(page, world):
    sign_in(page, "alice", TEST_PASSWORD)
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "My pairings"
    assert page.locator("button.btn--quiet").inner_text() == "Sign out"
    screenshot(page, "home-alice-en")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "我的结对关系"


def test_charlie_does_not_see_alices_pairing(page, world):
    sign_in(page, "charlie", TEST_PASSWORD)
    assert page.locator(".who__unit").inner_text() == "五华区"
    assert page.locator("article.pairing-card").count() == 0
    assert "龙华区" not in page.content()
    screenshot(page, "home-charlie")


def test_sign_out_returns_to_the_sign_in_page(page, world):
    sign_in(page, "bob", TEST_PASSWORD)
    page.click("form.sign-out button")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_admin_is_in_chinese(page, world):
    sign_in(page, "dana", TEST_PASSWORD)
    page.click(".site-nav a[href='/admin/']")
    page.wait_for_load_state("networkidle")
    assert "帮扶 bangfu 管理后台" in page.locator("#site-name").inner_text()
    page.goto("/admin/accounts/user/")
    assert page.locator("#result_list tbody tr").count() == 4
    screenshot(page, "admin-users")
