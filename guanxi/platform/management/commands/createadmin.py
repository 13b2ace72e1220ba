"""`guanxi createadmin`: create or update the `admin` superuser (role admin)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from guanxi.platform.exceptions import ApplicationError

ADMIN_USERNAME = "admin"


@dataclass
class AdminResult:
    user: Any
    is_created: bool
    # The password when it was generated here (to print once); None when it came
    # from GUANXI_ADMIN_PASSWORD or was left unchanged.
    generated_password: str | None


def generate_password() -> str:
    return "gx-" + secrets.token_urlsafe(12)


@transaction.atomic
def admin_ensure(*, reset_password: bool = True) -> AdminResult:
    """Create the `admin` superuser with role admin, or bring it back to that state.

    Password: GUANXI_ADMIN_PASSWORD when set, else a generated one (returned so the
    caller prints it once). An existing admin keeps its password unless
    `reset_password` or GUANXI_ADMIN_PASSWORD says otherwise.
    """
    from guanxi.accounts.models import Team, User
    from guanxi.accounts.services import builtin_roles_ensure, user_create
    from guanxi.platform.audit import audit_record

    roles = builtin_roles_ensure()
    env_password = os.environ.get("GUANXI_ADMIN_PASSWORD") or None
    team = Team.objects.filter(parent__isnull=True).order_by("id").first()
    user = User.objects.filter(username__iexact=ADMIN_USERNAME).first()
    generated: str | None = None
    if user is None:
        password = env_password or generate_password()
        generated = None if env_password else password
        user = user_create(
            actor=None,
            username=ADMIN_USERNAME,
            password=password,
            display_name="管理员",
            role=roles["admin"],
            team=team,
            is_superuser=True,
        )
        return AdminResult(user=user, is_created=True, generated_password=generated)
    User.objects.filter(pk=user.pk).update(
        role=roles["admin"], is_superuser=True, is_staff=True, is_active=True
    )
    user.refresh_from_db()
    if env_password or reset_password:
        password = env_password or generate_password()
        generated = None if env_password else password
        # user_set_password needs an acting user; like Django's `changepassword`,
        # the CLI acts as the operator of the box (actor None in the audit log).
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=None, action="accounts.user.password_changed", instance=user)
    return AdminResult(user=user, is_created=False, generated_password=generated)


def print_admin_password(command: BaseCommand, password: str) -> None:
    line = "=" * 64
    command.stdout.write(line)
    command.stdout.write("管理员账号 / Administrator account")
    command.stdout.write(f"  用户名 username: {ADMIN_USERNAME}")
    command.stdout.write(f"  密码   password: {password}")
    command.stdout.write("  该密码只显示这一次，请妥善保存。")
    command.stdout.write("  This password is shown only once: keep it safe.")
    command.stdout.write(line)


class Command(BaseCommand):
    help = (
        "Create or update the `admin` superuser. Password from GUANXI_ADMIN_PASSWORD, "
        "else generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="leave an existing admin's password unchanged (unless GUANXI_ADMIN_PASSWORD)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = admin_ensure(reset_password=not options["keep_password"])
        except (ApplicationError, DjangoValidationError) as error:
            raise CommandError(f"{error}") from error
        verb = "已创建 created" if result.is_created else "已更新 updated"
        self.stdout.write(f"管理员 {ADMIN_USERNAME} {verb}.")
        if result.generated_password:
            print_admin_password(self, result.generated_password)
        elif os.environ.get("GUANXI_ADMIN_PASSWORD"):
            self.stdout.write(
                "密码来自 GUANXI_ADMIN_PASSWORD / password set from GUANXI_ADMIN_PASSWORD."
            )
