"""Compile and check the translation catalogues without GNU gettext.

    python scripts/messages.py compile   # .po -> .mo for every locale folder
    python scripts/messages.py check     # fail on untranslated or fuzzy entries
    python scripts/messages.py fresh     # fail when code has strings not yet extracted

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


def _msgids(po: Path) -> set[str]:
    with po.open("rb") as fh:
        return {str(m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fh) if m.id}


def fresh() -> int:
    """Fail when the code has translatable strings that the catalogues do not list yet.

    Re-extracts into a throw-away copy of the tree (needs GNU gettext's xgettext) and compares
    the message ids with the committed catalogues.
    """
    import os
    import shutil
    import subprocess
    import tempfile

    if shutil.which("xgettext") is None:
        print("xgettext not found (GNU gettext): extraction check skipped")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(
                ".venv", "node_modules", "var", ".git", "bench", "__pycache__", "*.mo"
            ),
        )
        env = {**os.environ, "CITYOPS_DEBUG": "1", "CITYOPS_VAR_DIR": str(Path(tmp) / "var")}
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "zh_Hans",
                "--no-location",
                "--no-obsolete",
                "-v",
                "0",
            ],
            cwd=copy,
            env=env,
            check=True,
        )
        missing: list[str] = []
        for po in sorted(copy.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
            rel = po.relative_to(copy)
            committed = ROOT / rel
            have = _msgids(committed) if committed.exists() else set()
            for msgid in sorted(_msgids(po) - have):
                missing.append(f"{rel}: not extracted: {msgid!r}")
    for line in missing:
        print(line)
    if missing:
        print(f"{len(missing)} strings missing from the catalogues: run `make messages`")
        return 1
    print("catalogues list every translatable string")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    raise SystemExit({"compile": compile_all, "check": check_all, "fresh": fresh}[command]())
