"""manage.py open311_key create NAME [--organisation ID] | revoke ID | list"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cityops.core.errors import DomainError
from cityops.open311.keys import key_create, key_revoke
from cityops.open311.models import ApiKey
from cityops.registry.models import Organisation


class Command(BaseCommand):
    help = "Issue, revoke and list Open311 API keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a key; prints the key once.")
        create.add_argument("name")
        create.add_argument("--organisation", type=int, default=None, help="Organisation id.")
        revoke = sub.add_parser("revoke", help="Revoke a key by id.")
        revoke.add_argument("id", type=int)
        sub.add_parser("list", help="List keys (never their plaintext).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _create(self, options: dict[str, Any]) -> None:
        org = None
        if options["organisation"] is not None:
            org = Organisation.objects.filter(pk=options["organisation"]).first()
            if org is None:
                raise CommandError(_("No organisation with this id."))
        key, secret = key_create(name=options["name"], organisation=org)
        self.stdout.write(_("Key %(id)d created: %(key)s") % {"id": key.pk, "key": secret})

    def _revoke(self, options: dict[str, Any]) -> None:
        key = key_revoke(key_id=options["id"])
        self.stdout.write(_("Key %(id)d revoked.") % {"id": key.pk})

    def _list(self, options: dict[str, Any]) -> None:
        for key in ApiKey.objects.select_related("organisation"):
            owner = key.organisation.name if key.organisation else _("public app")
            state = _("active") if key.active else _("revoked")
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "-"
            self.stdout.write(f"{key.pk}\t{key.prefix}…\t{key.name}\t{owner}\t{state}\t{used}")
