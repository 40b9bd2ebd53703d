from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest

from openisms.accounts.models import ApiToken, User
from openisms.accounts.services import hash_token
from openisms.cli import main
from openisms.orgs.models import Membership, Organization
from tests.conftest import PASSWORD, World


def _stdin(monkeypatch: Any, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_user_create_with_org_and_role(world: World, monkeypatch: Any, capsys: Any) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    code = main(
        [
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--password-stdin",
            "--org",
            "org-a",
            "--role",
            "manager",
        ]
    )
    assert code == 0, capsys.readouterr().err
    user = User.objects.get(email="ops@example.com")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).role == "manager"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--email", "x@example.com", "--password-stdin"], "short\n", "password"),
        (["--email", "not-an-email", "--password-stdin"], PASSWORD + "\n", "e-mail"),
        (["--email", "owner-a@example.com", "--password-stdin"], PASSWORD + "\n", "already exists"),
        (
            ["--email", "y@example.com", "--password-stdin", "--org", "nope", "--role", "viewer"],
            PASSWORD + "\n",
            "No organisation",
        ),
        (
            ["--email", "y@example.com", "--password-stdin", "--org", "org-a"],
            PASSWORD + "\n",
            "together",
        ),
        (["--email", "y@example.com", "--password-stdin"], "", "No password"),
    ],
)
def test_user_create_errors_change_nothing(
    world: World, monkeypatch: Any, capsys: Any, args: list[str], stdin: str, message: str
) -> None:
    users = User.objects.count()
    _stdin(monkeypatch, stdin)
    assert main(["user", "create", *args]) == 1
    assert message in capsys.readouterr().err
    assert User.objects.count() == users


def test_superuser_flag(db: None, monkeypatch: Any) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    assert (
        main(["user", "create", "--email", "root@example.com", "--password-stdin", "--superuser"])
        == 0
    )
    assert User.objects.get(email="root@example.com").is_superuser


def test_token_create_prints_only_the_token(world: World, capsys: Any) -> None:
    assert main(["token", "create", "--email", "owner-a@example.com"]) == 0
    out = capsys.readouterr().out
    raw = out.strip()
    assert out == raw + "\n" and raw.startswith("oism_")
    assert ApiToken.objects.filter(key_hash=hash_token(raw), user=world.owner_a).exists()
    assert main(["token", "create", "--email", "ghost@example.com"]) == 1


def test_demo_creates_the_demo_organisation_once(db: None, capsys: Any) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "password:" in out
    password = out.split("password:")[1].split()[0]
    admin = User.objects.get(email="admin@demo.openisms.example")
    assert admin.check_password(password)
    demo = Organization.objects.get(slug="demo")
    assert Membership.objects.get(org=demo, user=admin).role == "owner"
    assert Membership.objects.filter(org=demo).count() >= 5
    assert main(["demo"]) == 0
    assert "password:" not in capsys.readouterr().out
    assert main(["demo", "--reset-password"]) == 0
    assert "password:" in capsys.readouterr().out


def test_load_catalogs_command(catalog: None, capsys: Any) -> None:
    assert main(["load-catalogs"]) == 0
    out = capsys.readouterr().out
    assert "iso27001-2022: unchanged" in out


def test_help_and_unknown_command(capsys: Any) -> None:
    assert main(["--help"]) == 0
    assert "load-catalogs" in capsys.readouterr().out


def test_console_script_runs_as_a_process() -> None:
    """The installed entry point itself (no database needed for --help)."""
    result = subprocess.run(
        [sys.executable, "-m", "openisms.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "audit verify" in result.stdout
