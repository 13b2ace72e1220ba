"""Work with the zh_Hans catalogue without gettext tools.

  python scripts/po_tool.py untranslated [PO] > todo.json   # msgids still empty or fuzzy
  python scripts/po_tool.py apply TRANSLATIONS.json [PO]     # fill msgstr from {msgid: msgstr}
  python scripts/po_tool.py check [PO]                       # exit 1 when anything is untranslated

Plural entries take a list of forms in the JSON (zh_Hans has one form). An entry
with a context is keyed "context\x04msgid", as gettext itself keys it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT_PO = Path(__file__).resolve().parent.parent / "guanxi/locale/zh_Hans/LC_MESSAGES/django.po"


def _unquote(line: str) -> str:
    return json.loads(line.strip()) if line.strip().startswith('"') else ""


def parse(path: Path) -> list[dict]:
    """Entries as dicts: msgid, msgid_plural, msgstr (str or list), flags, lines range."""
    entries: list[dict] = []
    current: dict | None = None
    key: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            if current is not None:
                current["end"] = number
                entries.append(current)
            current, key = None, None
            continue
        if current is None:
            current = {"start": number, "flags": "", "msgid": "", "msgid_plural": None,
                       "msgstr": "", "msgctxt": None}  # fmt: skip
        if line.startswith("#,"):
            current["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            key = "msgctxt"
            current["msgctxt"] = _unquote(line[8:])
        elif line.startswith("msgid_plural "):
            key = "msgid_plural"
            current["msgid_plural"] = _unquote(line[13:])
        elif line.startswith("msgid "):
            key = "msgid"
            current["msgid"] = _unquote(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            if not isinstance(current["msgstr"], list):
                current["msgstr"] = []
            current["msgstr"].append(_unquote(line[line.index("]") + 2 :]))
            key = f"msgstr[{index}]"
        elif line.startswith("msgstr "):
            key = "msgstr"
            current["msgstr"] = _unquote(line[7:])
        elif line.startswith('"') and key:
            if key.startswith("msgstr["):
                current["msgstr"][-1] += _unquote(line)
            else:
                current[key] = (current[key] or "") + _unquote(line)
    if current is not None:
        current["end"] = number + 1
        entries.append(current)
    return entries


def key_of(entry: dict) -> str:
    if entry["msgctxt"] is None:
        return entry["msgid"]
    return f"{entry['msgctxt']}\x04{entry['msgid']}"


def is_untranslated(entry: dict) -> bool:
    if entry["msgid"] == "":
        return False  # the header
    values = entry["msgstr"] if isinstance(entry["msgstr"], list) else [entry["msgstr"]]
    return "fuzzy" in entry["flags"] or any(v == "" for v in values)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def apply(path: Path, translations: dict[str, str | list[str]]) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    entries = parse(path)
    changed = 0
    for entry in reversed(entries):
        if key_of(entry) not in translations or entry["msgid"] == "":
            continue
        value = translations[key_of(entry)]
        block = [
            line for line in lines[entry["start"] : entry["end"]]
            if line.startswith("#") and not line.startswith(("#,", "#|")) and line.strip() != "#"
        ]  # fmt: skip
        flags = entry["flags"].replace("fuzzy, ", "").replace(", fuzzy", "").replace("fuzzy", "")
        if flags.strip() not in ("#,", ""):
            block.append(flags)
        if entry["msgctxt"] is not None:
            block.append(f"msgctxt {_quote(entry['msgctxt'])}")
        block.append(f"msgid {_quote(entry['msgid'])}")
        if entry["msgid_plural"] is not None:
            block.append(f"msgid_plural {_quote(entry['msgid_plural'])}")
            forms = value if isinstance(value, list) else [value]
            block.extend(f"msgstr[{i}] {_quote(form)}" for i, form in enumerate(forms))
        else:
            block.append(f"msgstr {_quote(value if isinstance(value, str) else value[0])}")
        lines[entry["start"] : entry["end"]] = block
        changed += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "apply":
        path = Path(argv[2]) if len(argv) > 2 else DEFAULT_PO
        translations = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        print(f"{apply(path, translations)} entries written")
        return 0
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PO
    todo = [e for e in parse(path) if is_untranslated(e)]
    if command == "untranslated":
        out = {key_of(e): ([""] if e["msgid_plural"] is not None else "") for e in todo}
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    for entry in todo:
        print(f"untranslated: {entry['msgid']!r}")
    print(f"{len(todo)} untranslated entries")
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
