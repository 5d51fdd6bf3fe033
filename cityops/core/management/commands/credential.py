"""manage.py credential list [--kind K] | issue KIND NAME [--user U] [--organisation ID]
[--expires-days N] [--scope S …] | revoke ID | rotate ID

One command for every kind of credential (REST API tokens, Open311 API keys: the kinds the
apps register with ``core.credentials.credential_kind_register``). Secrets are printed once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.credentials import (
    IssueRequest,
    credential_kind,
    credential_kinds,
    credential_revoke,
    credential_rotate,
)
from cityops.core.errors import DomainError
from cityops.core.models import Credential


class Command(BaseCommand):
    help = "Issue, revoke, rotate and list credentials (REST API tokens, Open311 API keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List credentials (never their secret).")
        listing.add_argument("--kind", default=None)
        issue = sub.add_parser("issue", help="Issue a credential; prints its secret once.")
        issue.add_argument("kind", help="api_token or open311_key")
        issue.add_argument("name")
        issue.add_argument("--user", default=None, help="Username a REST token acts as.")
        issue.add_argument("--organisation", type=int, default=None, help="Organisation id.")
        issue.add_argument("--expires-days", type=int, default=None, help="Valid for N days.")
        issue.add_argument("--scope", action="append", default=[], help="Allowed scope.")
        revoke = sub.add_parser("revoke", help="Revoke a credential by id.")
        revoke.add_argument("id", type=int)
        rotate = sub.add_parser("rotate", help="A new secret for a credential; prints it once.")
        rotate.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _list(self, options: dict[str, Any]) -> None:
        kinds = credential_kinds()
        query = Credential.objects.select_related("owner")
        if options["kind"]:
            query = query.filter(kind=credential_kind(options["kind"]).name)
        for c in query:
            state = _("active") if c.active else _("revoked")
            if c.active and c.expires_at is not None and c.expires_at <= timezone.now():
                state = _("expired")
            used = f"{c.last_used_at:%Y-%m-%d %H:%M}" if c.last_used_at else "-"
            kind = kinds.get(c.kind)
            about = kind.describe(c) if kind is not None else ""
            self.stdout.write(f"{c.pk}\t{c.kind}\t{c.prefix}…\t{c.name}\t{about}\t{state}\t{used}")

    def _issue(self, options: dict[str, Any]) -> None:
        kind = credential_kind(options["kind"])
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError(_("--expires-days must be at least 1."))
        request = IssueRequest(
            name=options["name"],
            username=options["user"],
            organisation_id=options["organisation"],
            expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            scopes=tuple(options["scope"]),
        )
        credential, secret = kind.issue(request)
        self.stdout.write(
            _("Credential %(id)d created: %(key)s") % {"id": credential.pk, "key": secret}
        )

    def _revoke(self, options: dict[str, Any]) -> None:
        credential = credential_revoke(credential_id=options["id"])
        self.stdout.write(_("Credential %(id)d revoked.") % {"id": credential.pk})

    def _rotate(self, options: dict[str, Any]) -> None:
        credential, secret = credential_rotate(credential_id=options["id"])
        self.stdout.write(
            _("Credential %(id)d has a new secret: %(key)s") % {"id": credential.pk, "key": secret}
        )
