"""Create the demo staff accounts (idempotent): counselor1, supervisor1, admin1, centre1, manager1."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import Role
from accounts.services import do_ensure_staff

DEMO_ACCOUNTS = (
    ("counselor1", Role.COUNSELOR, "咨询师一号", ["psych", "legal", "aid"]),
    ("supervisor1", Role.SUPERVISOR, "督导一号", None),
    ("admin1", Role.ADMIN, "管理员", None),
    # A service centre's staff (placed in a centre by manage.py generate_demo_data) and a manager.
    ("centre1", Role.CENTRE, "服务中心一号", None),
    ("manager1", Role.MANAGER, "管理者一号", None),
)


class Command(BaseCommand):
    help = "Create or reset the demo accounts (counselor1, supervisor1, admin1, centre1, manager1) with one password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", required=True, help="the password every demo account gets")

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        for username, role, display_name, topics in DEMO_ACCOUNTS:
            do_ensure_staff(username=username, password=password, role=role, display_name=display_name, topics=topics)
            self.stdout.write(f"{username:<12} {role:<11} password: {password}")
