"""manage.py api_token create NAME --user USERNAME | revoke ID | list"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cityops.api.models import ApiToken
from cityops.api.tokens import api_token_create, api_token_revoke
from cityops.core.errors import DomainError


class Command(BaseCommand):
    help = "Issue, revoke and list REST API tokens (a token acts as one user account)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token; prints it once.")
        create.add_argument("name")
        create.add_argument("--user", required=True, help="Username the token acts as.")
        revoke = sub.add_parser("revoke", help="Revoke a token by id.")
        revoke.add_argument("id", type=int)
        sub.add_parser("list", help="List tokens (never their plaintext).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _create(self, options: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user with this username."))
        token, secret = api_token_create(name=options["name"], user=user)
        self.stdout.write(_("Token %(id)d created: %(key)s") % {"id": token.pk, "key": secret})

    def _revoke(self, options: dict[str, Any]) -> None:
        token = api_token_revoke(token_id=options["id"])
        self.stdout.write(_("Token %(id)d revoked.") % {"id": token.pk})

    def _list(self, options: dict[str, Any]) -> None:
        for token in ApiToken.objects.select_related("user", "organisation"):
            state = _("active") if token.active else _("revoked")
            org = token.organisation.name if token.organisation else "-"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{token.name}\t{token.user}\t{org}\t{state}"
            )
