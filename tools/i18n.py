"""Keep the Russian catalogue in step with the code.

    python tools/i18n.py update          # extract messages, merge into ru/messages.po, compile
    python tools/i18n.py fill FILE.json  # add translations {msgid: msgstr} to ru/messages.po, compile
    python tools/i18n.py check           # exit 1 when a message is missing or untranslated
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "screening" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def extract() -> Catalog:
    template = Catalog(project="screening")
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / "screening", METHODS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def load() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="ru")


def save(catalog: Catalog) -> None:
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False)
    with MO.open("wb") as f:
        write_mo(f, catalog)


def missing(catalog: Catalog, template: Catalog) -> list[str]:
    out = []
    for message in template:
        if not message.id:
            continue
        have = catalog.get(message.id, context=message.context)
        if have is None or not have.string or (isinstance(have.string, tuple) and not all(have.string)) or have.fuzzy:
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    template = extract()
    catalog = load()
    if command == "update":
        catalog.update(template, no_fuzzy_matching=True)
        save(catalog)
        todo = missing(catalog, template)
        print(f"{len(todo)} untranslated")
        for msgid in todo:
            print("  ", json.dumps(msgid, ensure_ascii=False))
        return 0
    if command == "fill":
        translations = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        catalog.update(template, no_fuzzy_matching=True)
        for msgid, msgstr in translations.items():
            message = catalog.get(msgid)
            if message is not None:
                message.string = msgstr
                message.flags.discard("fuzzy")
        save(catalog)
        print(f"{len(missing(catalog, template))} untranslated")
        return 0
    todo = missing(catalog, template)
    for msgid in todo:
        print("untranslated:", json.dumps(msgid, ensure_ascii=False))
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
