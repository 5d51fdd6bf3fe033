"""Static files storage for production (CITYOPS_DEBUG off): hashed names, compressed copies."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class ManifestStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Whitenoise's manifest storage without rewriting source-map comments.

    The vendored front-end bundles (var/vendor, from the npm registry) end with
    ``//# sourceMappingURL=leaflet.js.map`` but we do not ship their maps; Django's default
    patterns would hash that reference and stop ``collectstatic`` with ``MissingFileError``.
    Leaving the comment as it is costs nothing: a browser only fetches a map with its developer
    tools open (404 then), and ``url()``/``@import`` references are still hashed and checked.
    """

    patterns = (
        (
            "*.css",
            (
                r"""(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))""",
                (
                    r"""(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])""",
                    """@import url("%(url)s")""",
                ),
            ),
        ),
    )
