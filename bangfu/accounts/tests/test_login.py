from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.authtoken.serializers import AuthTokenSerializer

from bangfu.accounts import backends
from bangfu.core.models import AuditAction, AuditEvent
from bangfu.core.testing import TEST_PASSWORD

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _fail(
    client: Any, username: str, times: int, address: str = "127.0.0.1", url: str = LOGIN
) -> Any:
    for _ in range(times):
        response = client.post(
            url, {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )
        assert response.status_code == 200
    return response


def _signed_in(client: Any) -> bool:
    return "_auth_user_id" in client.session


def test_login_url_is_accounts_login():
    assert reverse("login") == LOGIN


def test_right_password_signs_in_and_redirects(client, world):
    response = client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client)


def test_wrong_password_shows_the_wrong_password_message_in_chinese(client, world):
    response = client.post(LOGIN, {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert not _signed_in(client)
    assert "请输入一个正确的用户名和密码。注意，两者都区分大小写。" in response.content.decode()


def test_five_failures_lock_the_username_even_with_the_right_password(client, world):
    _fail(client, "alice", 5)
    response = client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert not _signed_in(client)
    assert backends.is_locked(None, "alice")


def test_four_failures_do_not_lock(client, world):
    _fail(client, "alice", 4)
    response = client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_the_lock_ignores_case_and_spaces_of_the_username(client, world):
    _fail(client, "ALICE ", 5)
    assert backends.is_locked(None, "alice")


def test_the_locking_attempt_already_shows_the_lock_message(client, world):
    client.cookies["django_language"] = "en"
    text = _fail(client, "alice", 5).content.decode()
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in text
    assert "Please enter a correct username and password" not in text


def test_locked_account_is_told_to_wait_in_chinese(client, world):
    _fail(client, "alice", 5)
    response = client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})
    assert "登录失败次数过多，请 15 分钟后再试。" in response.content.decode()


@override_settings(BANGFU_LOGIN_WINDOW_SECONDS=90)
def test_lock_message_rounds_the_wait_up_to_whole_minutes(client, world):
    client.cookies["django_language"] = "en"
    assert "Try again in 2 minutes." in _fail(client, "alice", 5).content.decode()


def test_failures_from_one_address_lock_that_address_for_every_username(client, world):
    address = "192.0.2.7"
    for name in ["x1", "x2", "x3", "x4", "x5"]:
        _fail(client, name, 1, address=address)
    from_there = client.post(
        LOGIN, {"username": "bob", "password": TEST_PASSWORD}, REMOTE_ADDR=address
    )
    assert from_there.status_code == 200
    elsewhere = client.post(
        LOGIN, {"username": "bob", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.8"
    )
    assert elsewhere.status_code == 302


def test_success_clears_the_username_counter(client, world):
    _fail(client, "alice", 4)
    assert client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD}).status_code == 302
    client.logout()
    # From another address, so only the username counter matters: it starts again at zero.
    _fail(client, "alice", 4, address="192.0.2.9")
    assert not backends.is_locked(None, "alice")


def test_lock_applies_to_the_admin_sign_in_with_the_same_message(client, world):
    _fail(client, "dana", 5)
    response = client.post(
        ADMIN_LOGIN, {"username": "dana", "password": TEST_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert not _signed_in(client)
    assert "登录失败次数过多" in response.content.decode()


def test_failures_at_the_admin_sign_in_lock_the_sign_in_page(client, world):
    _fail(client, "dana", 5, url=ADMIN_LOGIN)
    response = client.post(LOGIN, {"username": "dana", "password": TEST_PASSWORD})
    assert response.status_code == 200


def test_admin_sign_in_works_for_a_superuser(client, world):
    response = client.post(
        ADMIN_LOGIN, {"username": "dana", "password": TEST_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302


def test_lock_applies_to_drf_token_credentials(world):
    request = RequestFactory().post("/api/token/", REMOTE_ADDR="192.0.2.10")
    for _ in range(5):
        assert authenticate(request, username="alice", password="wrong") is None
    serializer = AuthTokenSerializer(
        data={"username": "alice", "password": TEST_PASSWORD}, context={"request": request}
    )
    assert not serializer.is_valid()


def test_locking_an_account_records_one_audit_event(client, world):
    _fail(client, "alice", 7, address="192.0.2.11")
    events = AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED)
    assert events.count() == 1
    event = events.get()
    assert event.object_type == "accounts.user"
    assert event.object_id == str(world.alice.pk)
    assert event.actor_id is None
    assert event.region_code == "451223000000"
    assert event.after == {"locked": ["addr", "user"], "address": "192.0.2.11", "seconds": 900}


def test_locking_an_unknown_username_records_no_audit_event(client, world):
    _fail(client, "nobody", 5)
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).exists()


def test_failure_counter_keeps_the_window_on_caches_that_reset_expiry(world, monkeypatch):
    touched = []
    real_touch = cache.touch

    def touch(key, timeout=None, **kwargs):
        touched.append(timeout)
        return real_touch(key, timeout, **kwargs)

    monkeypatch.setattr(cache, "touch", touch)
    backends.record_failure(None, "alice")
    backends.record_failure(None, "alice")
    assert touched == [900]


def test_sign_out_needs_post(client, world):
    client.force_login(world.alice)
    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not _signed_in(client)


def test_signed_in_user_visiting_the_sign_in_page_is_sent_on(client, world):
    client.force_login(world.alice)
    assert client.get(LOGIN).status_code == 302


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "登录"), ("en", "Sign in")])
def test_sign_in_page_speaks_the_chosen_language(client, world, language, text):
    client.cookies["django_language"] = language
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert f"<h1>{text}</h1>" in response.content.decode()


def test_sign_in_form_has_a_csrf_token(client, world):
    assert "csrfmiddlewaretoken" in client.get(LOGIN).content.decode()
