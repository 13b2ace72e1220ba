"""`guanxi setup_first_run`: on an empty installation, create the demo company and the
admin (printing its password once); on any later run, do nothing and say so."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guanxi.demo.generator import demo_create
from guanxi.platform.management.commands.createadmin import admin_ensure, print_admin_password
from guanxi.platform.management.commands.demo import print_demo_summary

DEFAULT_DEMO_CUSTOMERS = 2000


class Command(BaseCommand):
    help = "First start only: demo company + admin user. Later runs change nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo-customers",
            type=int,
            default=int(os.environ.get("GUANXI_DEMO_CUSTOMERS", DEFAULT_DEMO_CUSTOMERS)),
            help="customers in the demo company (0: no demo data)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from guanxi.accounts.models import User

        if User.objects.exists():
            self.stdout.write("已初始化，跳过 / Already set up (users exist): nothing to do.")
            return
        customers = max(options["demo_customers"], 0)
        if customers:
            self.stdout.write(
                f"首次运行：正在创建演示公司（{customers:,} 个客户）/ "
                f"First run: creating the demo company ({customers:,} customers)…"
            )
            result = demo_create(customers=customers)
            print_demo_summary(self, result)
        admin = admin_ensure()
        if admin.generated_password:
            print_admin_password(self, admin.generated_password)
        else:
            self.stdout.write(
                "管理员 admin 的密码来自 GUANXI_ADMIN_PASSWORD / "
                "admin password set from GUANXI_ADMIN_PASSWORD."
            )
