"""The bank on disk: YAML files in, YAML files out, and the canonical form both compare in."""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from screening.bank.schema import PLACE_FILE, PLACE_LINE, BankInvalid, N_, Problem, problem

COMPETENCY_FILE = "competency.yaml"
COMPETENCY_KEYS = ("schema_version", "competency", "indicators", "rating_scale", "roles")


_FAILED = object()


def _load_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    """The file's YAML content; _FAILED (with a problem) when unreadable, invalid or empty."""
    rel = path.relative_to(root).as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(problem(rel, PLACE_FILE, N_("cannot be read: %(error)s"), error=exc.strerror or str(exc)))
        return _FAILED
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(problem(rel, PLACE_FILE, N_("not UTF-8 text (byte %(offset)s): save the file as UTF-8"),
                                offset=exc.start))
        return _FAILED
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = str(getattr(exc, "problem", None) or exc)
        if mark is not None:
            problems.append(Problem(rel, PLACE_LINE, N_("invalid YAML: %(detail)s"), (("detail", detail),),
                                    (("line", mark.line + 1), ("column", mark.column + 1))))
        else:
            problems.append(problem(rel, PLACE_FILE, N_("invalid YAML: %(detail)s"), detail=detail))
        return _FAILED
    if data is None:
        problems.append(problem(rel, PLACE_FILE, N_("empty file: delete it, or its questions would be retired")
                                if rel.startswith("questions/") else N_("empty file")))
        return _FAILED
    return data


def read_bank(root: Path) -> dict[str, Any]:
    """Read a bank directory into one dict; questions and guides remember their file."""
    root = Path(root)
    problems: list[Problem] = []
    if not (root / COMPETENCY_FILE).is_file():
        raise BankInvalid([problem(str(root), COMPETENCY_FILE, N_("file is missing"))])
    comp = _load_yaml(root / COMPETENCY_FILE, root, problems)
    bank: dict[str, Any] = {"questions": [], "guides": [], "_files": {"competency": COMPETENCY_FILE}}
    if isinstance(comp, dict):
        for key in COMPETENCY_KEYS:
            if key in comp:
                bank[key] = comp[key]
    elif comp is not _FAILED:
        problems.append(problem(COMPETENCY_FILE, PLACE_FILE, N_("expected a mapping at the top level")))
    for path in sorted((root / "questions").glob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        data = _load_yaml(path, root, problems)
        if data is _FAILED:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
            problems.append(problem(rel, PLACE_FILE, N_("expected a mapping with a list under 'questions'")))
            continue
        if not data["questions"]:
            problems.append(problem(rel, "questions", N_("the list is empty: delete the file, or its questions "
                                                         "would be retired")))
        for q in data["questions"]:
            if isinstance(q, dict):
                q["_file"] = rel
            bank["questions"].append(q)
    for path in sorted((root / "guides").glob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        data = _load_yaml(path, root, problems)
        if data is _FAILED:
            continue
        if not isinstance(data, dict):
            problems.append(problem(rel, PLACE_FILE, N_("expected a mapping (one guide per file)")))
            continue
        if data.get("id") != path.stem:
            problems.append(problem(rel, "id", N_("the guide id must equal the file name '%(name)s'"),
                                    name=path.stem))
        data["_file"] = rel
        bank["guides"].append(data)
    if problems:
        raise BankInvalid(problems)
    return bank


def canonical(bank: dict[str, Any]) -> dict[str, Any]:
    """The bank's content without file bookkeeping, in a stable order with stable types."""
    out = {key: copy.deepcopy(bank.get(key)) for key in COMPETENCY_KEYS}
    questions = []
    for q in bank.get("questions") or []:
        q = {k: copy.deepcopy(v) for k, v in q.items() if not k.startswith("_")}
        q["anchors"] = {str(k): v for k, v in sorted((q.get("anchors") or {}).items(), key=lambda kv: int(kv[0]))}
        q["retired"] = bool(q.get("retired", False))
        questions.append(q)
    out["questions"] = sorted(questions, key=lambda q: q["id"])
    guides = []
    for g in bank.get("guides") or []:
        g = {k: copy.deepcopy(v) for k, v in g.items() if not k.startswith("_")}
        g.setdefault("intro_minutes", 0)
        g.setdefault("closing_minutes", 0)
        g["retired"] = bool(g.get("retired", False))
        g["questions"] = [{k: v for k, v in item.items() if k in ("question", "minutes")} for item in g["questions"]]
        guides.append(g)
    out["guides"] = sorted(guides, key=lambda g: g["id"])
    return out


def files_of(bank: dict[str, Any]) -> dict[str, str]:
    """Where each question lives on disk, so an export keeps the curators' grouping."""
    return {q["id"]: q["_file"] for q in bank.get("questions") or [] if isinstance(q, dict) and "_file" in q}


def content_hash(canonical_bank: dict[str, Any]) -> str:
    blob = json.dumps(canonical_bank, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, data: str):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


class ExportTargetNotEmpty(Exception):
    """The export folder already holds files; replacing them needs an explicit --force."""

    def __init__(self, root: Path):
        super().__init__(f"{root} is not empty")
        self.root = root


OWNED_DIRS = ("questions", "guides")


def _question_file(files: dict[str, str], question_id: str) -> str:
    rel = files.get(question_id) or "questions/questions.yaml"
    parts = Path(rel).parts
    if len(parts) != 2 or parts[0] != "questions" or not rel.endswith((".yaml", ".yml")):
        return "questions/questions.yaml"
    return rel


def write_bank(canonical_bank: dict[str, Any], files: dict[str, str], root: Path, *,
               replace: bool = False) -> list[Path]:
    """Write the bank as YAML files under root; returns the files written.

    A folder that already holds anything is refused (ExportTargetNotEmpty): a stale question file
    left beside the new ones would bring deleted questions back on the next import. With
    `replace`, the YAML files of questions/ and guides/ are deleted first (competency.yaml is
    overwritten); other files in the folder are left alone.
    """
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        if not replace:
            raise ExportTargetNotEmpty(root)
        for sub in OWNED_DIRS:
            for old in list((root / sub).glob("*.y*ml")):
                old.unlink()
    (root / "questions").mkdir(parents=True, exist_ok=True)
    (root / "guides").mkdir(parents=True, exist_ok=True)
    written = []
    comp = {key: canonical_bank[key] for key in COMPETENCY_KEYS}
    (root / COMPETENCY_FILE).write_text(_dump(comp), encoding="utf-8")
    written.append(root / COMPETENCY_FILE)
    groups: dict[str, list[dict]] = {}
    for q in canonical_bank["questions"]:
        q = dict(q)
        if not q.get("retired"):
            q.pop("retired", None)
        groups.setdefault(_question_file(files, q["id"]), []).append(q)
    for rel, questions in sorted(groups.items()):
        path = root / rel
        path.write_text(_dump({"questions": questions}), encoding="utf-8")
        written.append(path)
    for g in canonical_bank["guides"]:
        g = dict(g)
        if not g.get("retired"):
            g.pop("retired", None)
        path = root / "guides" / f"{g['id']}.yaml"
        path.write_text(_dump(g), encoding="utf-8")
        written.append(path)
    return written
