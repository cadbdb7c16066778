"""Validate labelled JSONL files (the contract's evaluation format) and print their counts.

Usage: python data/tools/corpus_stats.py [--markdown] FILE_OR_DIR [...]
--markdown prints the count tables of data/corpus/README.md instead of JSON.
Exits 1 when a line is malformed, so it can guard the corpus in tests and CI.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

INDICATORS = ["needs", "fit", "extra_mile", "perspective", "composure", "ownership",
              "internal", "loyalty", "push", "disrespect", "indifference", "servility"]
STAR = {"situation", "task", "action", "result", None}


def check_line(obj: dict) -> list[str]:
    problems = []
    for key in ("id", "lang", "sentences", "rating"):
        if key not in obj:
            problems.append(f"missing key {key!r}")
    if obj.get("lang") not in ("ru", "en"):
        problems.append(f"lang must be ru or en, got {obj.get('lang')!r}")
    if obj.get("rating") not in (1, 2, 3, 4, 5):
        problems.append(f"rating must be 1..5, got {obj.get('rating')!r}")
    sentences = obj.get("sentences") or []
    if not sentences:
        problems.append("no sentences")
    for i, s in enumerate(sentences):
        if not isinstance(s.get("text"), str) or not s["text"].strip():
            problems.append(f"sentence {i}: empty text")
        unknown = set(s.get("indicators", [])) - set(INDICATORS)
        if unknown:
            problems.append(f"sentence {i}: unknown indicators {sorted(unknown)}")
        if s.get("star") not in STAR:
            problems.append(f"sentence {i}: bad star {s.get('star')!r}")
    return problems


def load(paths: list[Path]) -> tuple[list[dict], list[str]]:
    answers, errors, seen = [], [], set()
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for f in files:
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    errors.append(f"{f}:{n}: invalid JSON: {exc}")
                    continue
                for p in check_line(obj):
                    errors.append(f"{f}:{n}: {p}")
                if obj.get("id") in seen:
                    errors.append(f"{f}:{n}: duplicate id {obj.get('id')!r}")
                seen.add(obj.get("id"))
                obj["_file"] = f.name
                answers.append(obj)
    return answers, errors


def summarise(answers: list[dict]) -> dict:
    out: dict = {}
    for key in sorted({(a["lang"], a["_file"]) for a in answers} | {(a["lang"], "ALL") for a in answers}):
        lang, fname = key
        group = [a for a in answers if a["lang"] == lang and (fname == "ALL" or a["_file"] == fname)]
        sents = [s for a in group for s in a["sentences"]]
        ind = Counter(i for s in sents for i in s.get("indicators", []))
        out[f"{lang}/{fname}"] = {
            "answers": len(group),
            "sentences": len(sents),
            "unlabelled_sentences": sum(1 for s in sents if not s.get("indicators")),
            "multi_label_sentences": sum(1 for s in sents if len(s.get("indicators", [])) > 1),
            "indicators": {i: ind.get(i, 0) for i in INDICATORS},
            "star": dict(Counter(str(s.get("star")) for s in sents)),
            "ratings": dict(sorted(Counter(a["rating"] for a in group).items())),
            "forms": dict(Counter(a.get("form", "?") for a in group)),
        }
    return out


def markdown(summary: dict) -> str:
    """One row per file, then the language totals: sizes, STAR and ratings; then indicators."""
    rows = sorted(summary, key=lambda k: (k.split("/")[0], k.endswith("ALL"), k))
    name = {k: f"**{k.split('/')[0]} total**" if k.endswith("ALL") else f"`{k.split('/')[1]}`" for k in rows}
    star = ["situation", "task", "action", "result", "None"]
    head = ["answers", "sentences", "unlabelled", "multi-label"] + [f"STAR {p}" for p in star] + [f"rating {r}" for r in range(1, 6)]
    lines = ["| file | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for k in rows:
        s = summary[k]
        cells = [s["answers"], s["sentences"], s["unlabelled_sentences"], s["multi_label_sentences"]]
        cells += [s["star"].get(p, 0) for p in star] + [s["ratings"].get(r, 0) for r in range(1, 6)]
        lines.append(f"| {name[k]} | " + " | ".join(str(c) for c in cells) + " |")
    lines += ["", "| file | " + " | ".join(f"`{i}`" for i in INDICATORS) + " |", "|---" * (len(INDICATORS) + 1) + "|"]
    for k in rows:
        lines.append(f"| {name[k]} | " + " | ".join(str(summary[k]["indicators"][i]) for i in INDICATORS) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the README's count tables")
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("data/corpus")], metavar="FILE_OR_DIR")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        parser.error("no such file or directory: " + ", ".join(missing))
    answers, errors = load(args.paths)
    for e in errors[:50]:
        print("ERROR", e)
    summary = summarise(answers)
    print(markdown(summary) if args.markdown else json.dumps(summary, ensure_ascii=False, indent=1))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
