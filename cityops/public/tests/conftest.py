from cityops.console.tests.conftest import (  # noqa: F401  (shared fixtures)
    _clear_cache,
    _media_in_tmp,
    catalogue,
    dispatched,
    handled,
    login,
    report,
    report_defaults,
    verified,
)
