"""Compile and check the translation catalogues without GNU gettext.

    python scripts/messages.py compile   # .po -> .mo for every locale folder
    python scripts/messages.py check     # fail on untranslated or fuzzy entries

`make messages` extracts strings with Django's makemessages (needs GNU gettext, a developer
tool); the demo and the tests only need these two steps, which use Babel.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    found = sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po"))
    found += sorted(ROOT.glob("cityops/*/locale/*/LC_MESSAGES/*.po"))
    return found


def compile_all() -> int:
    for po in catalogues():
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with po.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
    print(f"compiled {len(catalogues())} message catalogues")
    return 0


def check_all() -> int:
    problems: list[str] = []
    for po in catalogues():
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                problems.append(f"{po.relative_to(ROOT)}: fuzzy: {message.id!r}")
            elif not all(strings):
                problems.append(f"{po.relative_to(ROOT)}: untranslated: {message.id!r}")
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} translation problems")
        return 1
    print(f"all messages translated in {len(catalogues())} catalogues")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    raise SystemExit({"compile": compile_all, "check": check_all}[command]())
