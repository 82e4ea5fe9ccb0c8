import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from bangfu.accounts.models import PiiGrant, User
from bangfu.core.cli import main as bangfu_main
from bangfu.core.models import AuditEvent
from bangfu.core.testing import make_organisation


def _run(*args: str, stdin: str | None = None, monkeypatch: Any = None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createuser_generates_and_prints_a_strong_password_once(world):
    out = _run("createuser", "erin", "--region", "451223000000", "--role", "viewer")
    lines = out.strip().splitlines()
    assert lines[0] == "已创建用户 erin。"
    assert lines[1].startswith("密码（仅显示这一次）：")
    password = lines[1].split("：", 1)[1]
    assert len(password) >= 20
    user = User.objects.get(username="erin")
    assert user.check_password(password)
    assert user.region_id == "451223000000"
    assert list(user.role_assignments.values_list("role", flat=True)) == ["viewer"]


def test_createuser_reads_the_password_from_stdin_and_does_not_print_it(world, monkeypatch):
    out = _run(
        "createuser",
        "erin",
        "--region",
        "451223000000",
        "--role",
        "data_entry",
        "--role",
        "reviewer",
        "--password-stdin",
        stdin="Xq7-harbour-lantern-91\n",
        monkeypatch=monkeypatch,
    )
    assert out == "已创建用户 erin。\n"
    user = User.objects.get(username="erin")
    assert user.check_password("Xq7-harbour-lantern-91")
    assert sorted(user.role_assignments.values_list("role", flat=True)) == [
        "data_entry",
        "reviewer",
    ]


def test_createuser_for_an_organisation_with_a_pii_grant(world):
    office = make_organisation(name="凤山县乡村振兴局", kind="government", region=world.fengshan)
    _run(
        "createuser",
        "erin",
        "--organisation",
        str(office.pk),
        "--role",
        "reviewer",
        "--pii-county",
        "451223000000",
    )
    user = User.objects.get(username="erin")
    assert user.organisation == office
    assert list(PiiGrant.objects.filter(user=user).values_list("county_id", flat=True)) == [
        "451223000000"
    ]


def test_createuser_superuser_needs_no_region(world):
    _run("createuser", "root", "--superuser")
    root = User.objects.get(username="root")
    assert root.is_superuser
    assert root.is_staff
    assert list(root.role_assignments.values_list("role", flat=True)) == ["administrator"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "999999000000", "--role", "viewer"], "行政区划代码 999999000000 不存在。"),
        (["--organisation", "999999", "--role", "viewer"], "单位编号 999999 不存在。"),
        (["--role", "viewer"], "请指定 --region 行政区划代码 或 --organisation 单位编号。"),
        (["--region", "451223000000"], "请至少指定一个 --role 角色。"),
        (
            ["--region", "440309000000", "--role", "viewer", "--pii-county", "451223000000"],
            "只有本县或其上级行政区划的用户才能查看本县农户的个人信息。",
        ),
    ],
)
def test_createuser_refuses_bad_input_with_a_clear_error_and_writes_nothing(world, args, message):
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError) as caught:
        _run("createuser", "erin", *args)
    assert str(caught.value) == message
    assert not User.objects.filter(username="erin").exists()
    assert AuditEvent.objects.count() == before


def test_createuser_refuses_an_existing_name(world):
    with pytest.raises(CommandError, match="该用户名已存在"):
        _run("createuser", "Alice", "--region", "451223000000", "--role", "viewer")


def test_createuser_refuses_an_unknown_role_through_argparse(world):
    with pytest.raises(CommandError, match="invalid choice"):
        _run("createuser", "erin", "--region", "451223000000", "--role", "boss")


def test_createuser_exits_non_zero_from_the_bangfu_command(world, capsys):
    with pytest.raises(SystemExit) as caught:
        bangfu_main(["createuser", "erin", "--region", "999999000000", "--role", "viewer"])
    assert caught.value.code == 1
    assert "999999000000" in capsys.readouterr().err


def test_token_create_prints_the_key(world):
    out = _run("token", "create", "alice")
    assert out.strip() == Token.objects.get(user=world.alice).key


def test_token_revoke_deletes_the_key(world):
    _run("token", "create", "alice")
    assert _run("token", "revoke", "alice").strip() == "已吊销用户 alice 的接口令牌。"
    assert not Token.objects.filter(user=world.alice).exists()
    assert _run("token", "revoke", "alice").strip() == "用户 alice 没有接口令牌。"


def test_token_for_an_unknown_user_is_an_error(world):
    with pytest.raises(CommandError) as caught:
        _run("token", "create", "nobody")
    assert str(caught.value) == "用户 nobody 不存在。"


def test_token_works_with_a_created_key_against_the_api(world, client):
    key = _run("token", "create", "alice").strip()
    response = client.get("/api/pairings/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    # Session authentication comes first, so DRF answers 403 rather than 401.
    assert client.get("/api/pairings/", HTTP_AUTHORIZATION="Token wrong").status_code == 403


@pytest.mark.parametrize("name", ["createuser", "token"])
def test_every_command_has_a_help_text(name, capsys):
    with pytest.raises(SystemExit):
        bangfu_main([name, "--help"])
    out = capsys.readouterr().out
    assert "usage:" in out
    assert len(out) > 200


def test_bangfu_help_lists_createuser_and_token(capsys):
    bangfu_main(["--help"])
    out = capsys.readouterr().out
    assert "createuser" in out
    assert "token" in out
