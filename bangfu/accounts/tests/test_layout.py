"""The base layout every page extends: header, navigation, language switch, sign-out."""

import re
from typing import Any

from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.template.loader import render_to_string
from django.test import RequestFactory

from bangfu.core.testing import make_organisation, make_user


def _render(user: Any, path: str = "/", template: str = "base.html") -> str:
    request = RequestFactory().get(path)
    request.user = user
    request.session = {}  # type: ignore[assignment]
    request._messages = default_storage(request)  # type: ignore[attr-defined]
    return render_to_string(template, {}, request=request)


def test_header_shows_the_product_name_user_and_unit(world):
    world.alice.first_name = "李爱丽"
    html = _render(world.alice)
    assert '帮扶 <span class="brand__latin">bangfu</span>' in html
    assert '<span class="who__name">李爱丽</span>' in html
    assert '<span class="who__unit">凤山县</span>' in html


def test_header_falls_back_to_the_username_and_shows_an_organisation(world):
    school = make_organisation(name="龙华中学", region=world.longhua)
    teacher = make_user(username="teacher", organisation=school)
    html = _render(teacher)
    assert '<span class="who__name">teacher</span>' in html
    assert '<span class="who__unit">龙华中学</span>' in html


def test_navigation_links_home_audit_and_api_docs_but_admin_only_for_staff(world):
    world.alice.is_staff = False
    html = _render(world.alice)
    for href in ['href="/"', 'href="/audit/"', 'href="/api/docs/"']:
        assert href in html
    assert 'href="/admin/"' not in html
    assert 'href="/admin/"' in _render(world.dana)


def test_current_page_is_marked_in_the_navigation(world):
    html = _render(world.alice, path="/audit/")
    assert 'href="/audit/" aria-current="page"' in html


def test_language_switch_posts_both_languages_to_set_language(world):
    html = _render(world.alice)
    assert 'action="/i18n/setlang/" method="post"' in html
    assert 'name="language" value="zh-hans"' in html
    assert 'name="language" value="en"' in html
    assert ">English</button>" in html
    assert ">简体中文</button>" in html


def test_sign_out_is_a_post_form(world):
    html = _render(world.alice)
    assert '<form class="sign-out" method="post" action="/accounts/logout/">' in html


def test_anonymous_visitors_get_no_navigation_or_sign_out(world):
    from django.contrib.auth.models import AnonymousUser

    html = _render(AnonymousUser())
    assert "site-nav" not in html
    assert "sign-out" not in html
    assert "lang-switch" in html


def test_stylesheet_is_linked_and_no_script_comes_from_elsewhere(world):
    html = _render(world.alice)
    assert 'href="/static/css/bangfu.css"' in html
    # Scripts (htmx, installed from npm) are served from our own static files only.
    sources = re.findall(r"<script[^>]*>", html)
    assert sources == ['<script src="/static/vendor/htmx/htmx.min.js" defer>']
    assert "https://" not in html


def test_switching_language_sets_the_cookie_and_redirects_back(client, world):
    client.force_login(world.alice)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_messages_are_shown(world, rf):
    request = rf.get("/")
    request.user = world.alice
    request.session = {}
    request._messages = default_storage(request)
    messages.success(request, "已保存")
    html = render_to_string("base.html", {}, request=request)
    assert '<li class="message message--success">已保存</li>' in html
