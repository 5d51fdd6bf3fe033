from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cityops.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from cityops.core.management.demo_steps import (
            DemoStep,
            demo_delete_hook_register,
            demo_step_register,
            demo_table_register,
        )

        demo_step_register(
            DemoStep("users", _("demo users"), "cityops.accounts.demo.setup_step", order=20)
        )
        demo_delete_hook_register("cityops.accounts.demo.delete_hook", order=90)
        demo_table_register("cityops.accounts.demo.logins_table", order=10)
        from django.db.models.signals import post_migrate

        from cityops.accounts.roles import sync_role_groups

        # Not only after this app: the registry's permissions are created by its own
        # post_migrate, which runs after ours (accounts comes first in INSTALLED_APPS);
        # sync_role_groups acts at the last app's signal.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
