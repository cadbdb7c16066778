"""Validate the hiring-score formula (screening/scoring/formula.py) on the labelled answers.

Usage (from the repository root):

    .venv/bin/python tools/validate_scoring.py                  # gold labels, data/corpus and data/dev
    .venv/bin/python tools/validate_scoring.py --source model --models models/   # the tagger's predictions
    .venv/bin/python tools/validate_scoring.py --example        # the worked example of docs/scoring.md
    .venv/bin/python tools/validate_scoring.py --json           # the numbers as one JSON object

Every labelled answer becomes an ``AnswerEvidence``: with ``--source gold`` from its gold labels
(probability 1 for a gold label, 0 otherwise; model_rating = the gold rating), with ``--source
model`` from the active tagger. Mode and person of each sentence come from the project's
sentence analyser (``--analyser nlp``) or from a few regular expressions (``--analyser simple``);
``--analyser episode`` marks every sentence an episode in the first person. A question's
targeted indicators and red flags are guessed from keywords of its text (the corpus questions
are not the bank's). Answers are grouped into pseudo-interviews of 5 answers of one file
(one language and form): in id order, and in 20 seeded shuffles. The report relates the
hiring score to the mean gold rating of the group (Spearman, bands by mean gold rating) and
checks that homogeneous interviews of all-1 answers land in "no" and of all-5 in "strong_yes".
Exits 1 when a sanity check fails.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from screening.nlp.labels import INDICATORS  # noqa: E402
from screening.scoring.formula import (  # noqa: E402
    RECOMMENDATIONS, AnswerEvidence, ScoreResult, ScoringSettings, SentenceEvidence, score_candidate,
)

GROUP = 5
SEEDS = 20
BINS = ((1.0, 2.0, "1.0–1.8"), (2.0, 3.0, "2.0–2.8"), (3.0, 4.0, "3.0–3.8"), (4.0, 5.01, "4.0–5.0"))

# Keywords of a question's text → the indicators it targets / the red flags it can reveal.
TARGET_CUES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (r"нужн|потребн|на самом деле|need|actually wanted|really want", ("needs", "fit"), ("push",)),
    (r"посовет|рекоменд|выбр|подобр|recommend|choose|advice|option|product", ("fit", "needs"), ("push",)),
    (r"больше,? чем|сверх|ожидан|инициатив|beyond|more than|expect|extra", ("extra_mile",), ()),
    (r"глазами|на месте|place|shoes|perspective|eyes|experience", ("perspective",), ()),
    (r"недовол|рассерж|злой|груб|конфликт|жалоб|крич|angry|upset|rude|complain|conflict|difficult|shout|demand",
     ("composure",), ("disrespect", "servility")),
    (r"отказ|нельзя|правил|не может|refus|turn(ed)? down|policy|rule|not allowed|waive|no receipt",
     ("composure", "loyalty"), ("servility", "indifference")),
    (r"ошиб|проблем|до конца|решен|mistake|problem|issue|fix|follow|went wrong",
     ("ownership",), ("indifference",)),
    (r"коллег|отдел|внутрен|сотрудник|colleague|department|internal|team|another team",
     ("internal",), ("indifference", "disrespect")),
    (r"вернул|возвращ|постоян|лет|конкурент|долг|loyal|came back|return|years|competitor|long-standing",
     ("loyalty",), ("push",)),
    (r"продаж|план|допрода|sale|sell|target|upsell", ("fit", "loyalty"), ("push",)),
)

HYPOTHETICAL = re.compile(r"\b(бы|буду|будет|стану|постараюсь|would|'d|will|i'll|if i|if a|would've)\b", re.I)
GENERAL = re.compile(r"\b(всегда|обычно|как правило|никогда|стараюсь|always|usually|generally|never|"
                     r"i try to|normally|tend to)\b", re.I)
PLURAL = re.compile(r"\b(мы|нас|нам|we|us|our)\b", re.I)


# ---------------------------------------------------------------------------------------- loading

def load_answers(paths: Sequence[Path]) -> list[dict]:
    spec = importlib.util.spec_from_file_location("corpus_stats", ROOT / "data" / "tools" / "corpus_stats.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    answers, errors = module.load(list(paths))
    if errors:
        raise SystemExit("invalid labelled files:\n" + "\n".join(errors[:20]))
    return answers


def question_targets(question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The targeted indicators and red flags of a question, guessed from its keywords (at most 3 targets)."""
    targets: list[str] = []
    flags: list[str] = []
    text = (question or "").lower()
    for pattern, ts, fs in TARGET_CUES:
        if re.search(pattern, text):
            targets += [t for t in ts if t not in targets]
            flags += [f for f in fs if f not in flags]
    return tuple(targets[:3]), tuple(flags)


def offsets(texts: Sequence[str]) -> list[tuple[int, int]]:
    """Offsets of the sentences in the answer text (sentences joined by single spaces)."""
    out, pos = [], 0
    for t in texts:
        out.append((pos, pos + len(t)))
        pos += len(t) + 1
    return out


def simple_mode_person(texts: Sequence[str], form: str, question_type: str) -> tuple[list[str], list[str]]:
    modes, persons = [], []
    for t in texts:
        if HYPOTHETICAL.search(t):
            modes.append("hypothetical")
        elif GENERAL.search(t):
            modes.append("general")
        else:
            modes.append("hypothetical" if question_type == "situational" else "episode")
        if form == "notes":
            persons.append("third")
        else:
            persons.append("first_plural" if PLURAL.search(t) else "first_singular")
    return modes, persons


def make_analyser(kind: str) -> Callable[[dict], tuple[list[str], list[str]]]:
    """A function answer → (modes, persons) of its sentences."""
    if kind == "episode":
        return lambda a: (["episode"] * len(a["sentences"]), ["first_singular"] * len(a["sentences"]))
    if kind == "simple":
        return lambda a: simple_mode_person([s["text"] for s in a["sentences"]], a.get("form", "verbatim"),
                                            a.get("question_type", "behavioural"))
    from screening.nlp.features import resolve_context
    from screening.nlp.pipeline import get_pipeline

    pipeline = get_pipeline()

    def analyse(a: dict) -> tuple[list[str], list[str]]:
        infos = [pipeline.analyse_sentence(s["text"], a["lang"])[1] for s in a["sentences"]]
        return resolve_context(infos)
    return analyse


def gold_evidence(a: dict, modes: Sequence[str], persons: Sequence[str]) -> AnswerEvidence:
    texts = [s["text"] for s in a["sentences"]]
    targeted, red_flags = question_targets(a.get("question", ""))
    sentences = tuple(
        SentenceEvidence(start=b, end=e, indicators=tuple(s.get("indicators", [])),
                         probabilities={i: float(i in s.get("indicators", [])) for i in INDICATORS},
                         star=s.get("star"), mode=m, person=p)
        for s, (b, e), m, p in zip(a["sentences"], offsets(texts), modes, persons))
    return AnswerEvidence(answer_id=a["id"], question_id=a.get("question", ""), targeted=targeted,
                          red_flags=red_flags, sentences=sentences, model_rating=a["rating"],
                          model_expected=float(a["rating"]), interviewer_rating=None)


def model_evidence(answers: list[dict], models_dir: Path) -> dict[str, AnswerEvidence]:
    """Evidence from the tagger's predictions on each answer's joined text (with its question)."""
    from screening.nlp.tagger import Tagger

    tagger = Tagger.load(models_dir)
    print(f"# model {tagger.version} from {models_dir}", file=sys.stderr)
    out = {}
    for lang in sorted({a["lang"] for a in answers}):
        group = [a for a in answers if a["lang"] == lang]
        texts = [" ".join(s["text"] for s in a["sentences"]) for a in group]
        results = tagger.analyse_batch(texts, [a.get("question") for a in group], lang=lang)
        for a, r in zip(group, results):
            targeted, red_flags = question_targets(a.get("question", ""))
            sentences = tuple(
                SentenceEvidence(start=s["start"], end=s["end"], indicators=tuple(s["indicators"]),
                                 probabilities=s["probabilities"], star=s["star"],
                                 mode=s.get("mode", "episode"), person=s.get("person", "first_singular"))
                for s in r["sentences"])
            out[a["id"]] = AnswerEvidence(answer_id=a["id"], question_id=a.get("question", ""), targeted=targeted,
                                          red_flags=red_flags, sentences=sentences,
                                          model_rating=r["rating"]["rating"],
                                          model_expected=r["rating"]["expected"], interviewer_rating=None)
    return out


# ---------------------------------------------------------------------------------------- metrics

def ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda k: values[k])
    out = [0.0] * len(values)
    k = 0
    while k < len(order):
        j = k
        while j + 1 < len(order) and values[order[j + 1]] == values[order[k]]:
            j += 1
        for m in range(k, j + 1):
            out[order[m]] = (k + j) / 2 + 1
        k = j + 1
    return out


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    if len(x) < 3:
        return float("nan")
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else float("nan")


def groups_in_order(by_file: dict[str, list[dict]], seed: int | None) -> list[list[dict]]:
    """Consecutive groups of GROUP answers of one file: in id order (seed None) or after a seeded shuffle."""
    out = []
    for fname in sorted(by_file):
        items = sorted(by_file[fname], key=lambda a: a["id"])
        if seed is not None:
            random.Random(f"{seed}:{fname}").shuffle(items)
        out += [items[k:k + GROUP] for k in range(0, len(items) - GROUP + 1, GROUP)]
    return out


def homogeneous_groups(by_file: dict[str, list[dict]], rating: int) -> list[list[dict]]:
    out = []
    for fname in sorted(by_file):
        items = sorted((a for a in by_file[fname] if a["rating"] == rating), key=lambda a: a["id"])
        out += [items[k:k + GROUP] for k in range(0, len(items) - GROUP + 1, GROUP)]
    return out


def evaluate_groups(groups: list[list[dict]], evidence: dict[str, AnswerEvidence],
                    settings: ScoringSettings) -> dict:
    evidence_only = replace(settings, weight_rating=0.0)
    gold, scores, ev_scores, mean_model, bands, rows = [], [], [], [], Counter(), []
    for g in groups:
        answers = [evidence[a["id"]] for a in g]
        res: ScoreResult = score_candidate(answers, settings)
        mean_gold = sum(a["rating"] for a in g) / len(g)
        gold.append(mean_gold)
        scores.append(res.hiring_score)
        ev_scores.append(score_candidate(answers, evidence_only).hiring_score)
        mean_model.append(res.components["mean_rating"])
        label = next(lab for lo, hi, lab in BINS if lo <= mean_gold < hi)
        bands[(label, res.recommendation)] += 1
        rows.append((mean_gold, res))
    return {
        "groups": len(groups),
        "spearman_score": spearman(scores, gold),
        "spearman_evidence_only": spearman(ev_scores, gold),
        "spearman_mean_rating": spearman(mean_model, gold),
        "bands": bands,
        "rows": rows,
    }


# ---------------------------------------------------------------------------------------- report

def band_table(bands: Counter) -> list[str]:
    head = f"  {'mean gold':<10}" + "".join(f"{r:>13}" for r in RECOMMENDATIONS) + f"{'n':>6}"
    lines = [head]
    for _, _, label in BINS:
        counts = [bands.get((label, r), 0) for r in RECOMMENDATIONS]
        lines.append(f"  {label:<10}" + "".join(f"{c:>13}" for c in counts) + f"{sum(counts):>6}")
    return lines


def parse_settings(pairs: Sequence[str]) -> ScoringSettings:
    """``name=value`` pairs → settings (numbers and true/false are parsed)."""
    values: dict = {}
    for pair in pairs:
        name, _, raw = pair.partition("=")
        values[name.strip()] = {"true": True, "false": False}.get(raw.strip().lower()) \
            if raw.strip().lower() in ("true", "false") else float(raw)
    for name in ("min_answers", "min_evidence", "evidence_target"):
        if name in values:
            values[name] = int(values[name])
    return ScoringSettings.from_dict(values)


def run(args: argparse.Namespace) -> int:
    settings = parse_settings(args.set)
    datasets = {"corpus": load_answers([ROOT / "data" / "corpus"]), "dev": load_answers([ROOT / "data" / "dev"])}
    everything = [a for items in datasets.values() for a in items]
    if args.source == "model":
        evidence = model_evidence(everything, Path(args.models))
        analyser_name = "tagger"
    else:
        try:
            analyser = make_analyser(args.analyser)
            analyser_name = args.analyser
        except ImportError as exc:  # the NLP package is missing: fall back to the regular expressions
            print(f"# nlp analyser unavailable ({exc}); using --analyser simple", file=sys.stderr)
            analyser, analyser_name = make_analyser("simple"), "simple"
        evidence = {}
        for a in everything:
            modes, persons = analyser(a)
            evidence[a["id"]] = gold_evidence(a, modes, persons)

    mode_counts = Counter(s.mode for e in evidence.values() for s in e.sentences if s.indicators)
    targeted_share = sum(1 for e in evidence.values() if e.targeted) / len(evidence)
    report: dict = {"source": args.source, "analyser": analyser_name, "answers": len(evidence),
                    "evidence_modes": dict(sorted(mode_counts.items())),
                    "answers_with_targets": round(targeted_share, 3), "datasets": {}, "sanity": {}}
    lines = [f"hiring-score validation — source {args.source}, mode/person from {analyser_name}, "
             f"groups of {GROUP} answers of one file",
             f"answers: {len(evidence)}; evidence sentences by mode: {dict(sorted(mode_counts.items()))}; "
             f"answers with guessed targets: {targeted_share:.0%}", ""]
    ok = True
    for name, answers in datasets.items():
        by_file: dict[str, list[dict]] = {}
        for a in answers:
            by_file.setdefault(a["_file"], []).append(a)
        ordered = evaluate_groups(groups_in_order(by_file, None), evidence, settings)
        shuffled = [evaluate_groups(groups_in_order(by_file, seed), evidence, settings) for seed in range(SEEDS)]
        sp = [r["spearman_score"] for r in shuffled]
        sp_ev = [r["spearman_evidence_only"] for r in shuffled]
        sp_mr = [r["spearman_mean_rating"] for r in shuffled]
        pooled = Counter()
        for r in shuffled:
            pooled.update(r["bands"])
        per_file = {}
        for fname in sorted(by_file):
            r = evaluate_groups(groups_in_order({fname: by_file[fname]}, None), evidence, settings)
            per_file[fname] = (r["groups"], r["spearman_score"])
        report["datasets"][name] = {
            "answers": len(answers),
            "id_order": {"groups": ordered["groups"], "spearman_score": round(ordered["spearman_score"], 3),
                         "spearman_evidence_only": round(ordered["spearman_evidence_only"], 3),
                         "spearman_mean_rating": round(ordered["spearman_mean_rating"], 3)},
            "shuffled": {"seeds": SEEDS, "groups": sum(r["groups"] for r in shuffled),
                         "spearman_score_mean": round(sum(sp) / len(sp), 3),
                         "spearman_score_min": round(min(sp), 3), "spearman_score_max": round(max(sp), 3),
                         "spearman_evidence_only_mean": round(sum(sp_ev) / len(sp_ev), 3),
                         "spearman_mean_rating_mean": round(sum(sp_mr) / len(sp_mr), 3)},
            "bands_id_order": {f"{k[0]}|{k[1]}": v for k, v in sorted(ordered["bands"].items())},
            "bands_shuffled": {f"{k[0]}|{k[1]}": v for k, v in sorted(pooled.items())},
            "per_file_id_order": {f: {"groups": n, "spearman_score": round(s, 3)} for f, (n, s) in per_file.items()},
        }
        lines += [f"== {name}: {len(answers)} answers",
                  f"{'grouping':<24}{'groups':>7}{'ρ score':>10}{'ρ evidence-only':>17}{'ρ mean rating':>15}",
                  f"{'id order':<24}{ordered['groups']:>7}{ordered['spearman_score']:>10.3f}"
                  f"{ordered['spearman_evidence_only']:>17.3f}{ordered['spearman_mean_rating']:>15.3f}",
                  f"{f'{SEEDS} shuffles (mean)':<24}{sum(r['groups'] for r in shuffled):>7}{sum(sp) / len(sp):>10.3f}"
                  f"{sum(sp_ev) / len(sp_ev):>17.3f}{sum(sp_mr) / len(sp_mr):>15.3f}",
                  f"{'  shuffles min … max':<24}{'':>7}{min(sp):>5.3f}…{max(sp):.3f}"]
        lines += [f"{'  ' + f:<24}{n:>7}{s:>10.3f}" for f, (n, s) in per_file.items()]
        lines += ["bands by mean gold rating, id order:"] + band_table(ordered["bands"])
        lines += [f"bands by mean gold rating, {SEEDS} shuffles pooled:"] + band_table(pooled) + [""]

    # sanity: homogeneous interviews of one gold rating (corpus and dev together)
    by_file_all: dict[str, list[dict]] = {}
    for name, answers in datasets.items():
        for a in answers:
            by_file_all.setdefault(f"{name}/{a['_file']}", []).append(a)
    lines += ["== sanity: interviews of 5 answers with the same gold rating",
              f"  {'gold':<10}" + "".join(f"{r:>13}" for r in RECOMMENDATIONS) + f"{'n':>6}{'score min…max':>17}"]
    for rating in (1, 2, 3, 4, 5):
        results = [score_candidate([evidence[a["id"]] for a in g], settings)
                   for g in homogeneous_groups(by_file_all, rating)]
        counts = Counter(r.recommendation for r in results)
        scores = [r.hiring_score for r in results]
        report["sanity"][str(rating)] = {"groups": len(results), "bands": dict(counts),
                                         "score_min": min(scores, default=None), "score_max": max(scores, default=None)}
        lines.append(f"  {'all ' + str(rating):<10}" + "".join(f"{counts.get(r, 0):>13}" for r in RECOMMENDATIONS)
                     + f"{len(results):>6}{min(scores, default=0):>11.1f}…{max(scores, default=0):.1f}")
        if rating == 1 and (not results or set(counts) - {"no"}):
            ok = False
            lines.append("  FAIL: an all-1 interview is not 'no'")
        if rating == 5 and (not results or set(counts) - {"strong_yes"}):
            ok = False
            lines.append("  FAIL: an all-5 interview is not 'strong_yes'")
    report["sanity_ok"] = ok
    lines.append("sanity checks: " + ("passed" if ok else "FAILED"))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print("\n".join(lines))
    return 0 if ok else 1


# ---------------------------------------------------------------------------------- worked example

def _s(start: int, end: int, labels: dict[str, float], star: str | None, mode: str = "episode",
       person: str = "first_singular") -> SentenceEvidence:
    return SentenceEvidence(start, end, tuple(labels), {i: labels.get(i, 0.0) for i in INDICATORS}, star, mode,
                            person)


def example_answers() -> list[AnswerEvidence]:
    """The worked example of docs/scoring.md: three answers of one interview."""
    return [
        AnswerEvidence(
            answer_id=1, question_id="needs-real-need", targeted=("needs", "fit"), red_flags=("push",),
            sentences=(
                _s(0, 60, {}, "situation"),
                _s(61, 130, {"needs": 0.92}, "action"),
                _s(131, 210, {"fit": 0.81}, "action"),
                _s(211, 280, {"loyalty": 0.64}, "result"),
            ),
            model_rating=4, model_expected=4.2, interviewer_rating=5),
        AnswerEvidence(
            answer_id=2, question_id="angry-client-refund", targeted=("composure",), red_flags=("servility",),
            sentences=(
                _s(0, 50, {}, "situation"),
                _s(51, 120, {"composure": 0.88}, "action", "hypothetical"),
                _s(121, 200, {"servility": 0.71}, "action", "hypothetical"),
            ),
            model_rating=3, model_expected=2.9, interviewer_rating=1),
        AnswerEvidence(
            answer_id=3, question_id="internal-colleague", targeted=("internal", "ownership"),
            red_flags=("indifference",),
            sentences=(
                _s(0, 40, {}, "situation", person="first_plural"),
                _s(41, 110, {"internal": 0.9, "ownership": 0.77}, "action", person="first_plural"),
                _s(111, 170, {"ownership": 0.6}, "result"),
            ),
            model_rating=4, model_expected=3.8, interviewer_rating=None),
    ]


def print_example() -> None:
    res = score_candidate(example_answers())
    print(json.dumps(res.to_dict(), ensure_ascii=False, indent=1))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", choices=("gold", "model"), default="gold")
    parser.add_argument("--models", default=str(ROOT / "models"), help="models directory for --source model")
    parser.add_argument("--analyser", choices=("nlp", "simple", "episode"), default="nlp",
                        help="where mode and person come from with --source gold")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a scoring setting (repeatable), e.g. --set penalty_per_counter=8")
    parser.add_argument("--example", action="store_true", help="print the worked example of docs/scoring.md")
    args = parser.parse_args(argv)
    if args.example:
        print_example()
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
