"""Create or update one staff account: `manage.py ensure_staff --username u --password p --role counselor`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import STAFF_ROLES
from accounts.services import InvalidInput, do_ensure_staff


class Command(BaseCommand):
    help = "Create or update a staff account (counselor, supervisor or admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=[str(r) for r in STAFF_ROLES])
        parser.add_argument("--name", default="", help="display name")
        parser.add_argument("--topics", default=None, help="comma-separated: psych,legal,aid (counselors)")
        parser.add_argument("--max-chats", type=int, default=None, help="concurrent chats (counselors)")

    def handle(
        self,
        *args: Any,
        username: str,
        password: str,
        role: str,
        name: str,
        topics: str | None,
        max_chats: int | None,
        **options: Any,
    ) -> None:
        topic_list = [t.strip() for t in topics.split(",") if t.strip()] if topics is not None else None
        try:
            user = do_ensure_staff(
                username=username,
                password=password,
                role=role,
                display_name=name,
                topics=topic_list,
                max_concurrent=max_chats,
            )
        except InvalidInput as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{user.username} ({user.role}) id={user.pk}")
