"""Word analysis: lemma plus behavioural-marker flags, with a bounded per-process cache.

Russian words (any Cyrillic letter) go to pymorphy3 (first parse: normal form, tense,
person, number, mood); Latin words to the English lemma lookup table of
spacy-lookups-data plus small word lists (past forms, modals, pronouns). The analysers
are built lazily, once per process (``MorphAnalyzer`` takes ~0.1 s to construct and
~0.1 ms per uncached parse), and every word form's result is cached (LRU, bounded).
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

# --- flags (bit positions) -------------------------------------------------------------
FLAGS: tuple[str, ...] = (
    "past", "pres", "futr", "impr", "infn", "cond", "first_sg", "first_pl", "second", "third_pron",
    "cand", "neg", "generic", "belief", "modal", "if", "qword", "will", "client", "colleague", "verb", "abbr",
    "promise", "always_yes", "policy", "subj3",
)
F = {name: 1 << i for i, name in enumerate(FLAGS)}

_CYR = re.compile(r"[а-яё]")
_LAT = re.compile(r"[a-z]")
_DIGIT = re.compile(r"\d")

# Candidate references used in interview notes (lowercase, no dot).
RU_CAND = {"канд", "кандидат", "кандидатка", "к-т", "соиск", "соискатель", "соискательница"}
EN_CAND = {"cand", "candidate", "c", "applicant", "interviewee"}
RU_ABBR_EXPAND = {"канд": "кандидат", "кл": "клиент", "кл-т": "клиент", "сотр": "сотрудник",
                  "рук": "руководитель", "руков": "руководитель", "нач": "начальник", "мес": "месяц",
                  "т.р": "тысяча", "тыс": "тысяча", "р": "рубль", "руб": "рубль", "доп": "дополнительный",
                  "бухг": "бухгалтерия", "отд": "отдел", "тел": "телефон", "мин": "минута", "г": "год",
                  "соиск": "соискатель", "к-т": "кандидат", "менедж": "менеджер", "зам": "заместитель"}
EN_ABBR_EXPAND = {"cand": "candidate", "cust": "customer", "custs": "customer", "mgr": "manager",
                  "mngr": "manager", "dept": "department", "w/": "with", "w/o": "without", "wk": "week",
                  "yr": "year", "yrs": "year", "hr": "hour", "hrs": "hour", "min": "minute", "mins": "minute",
                  "approx": "approximately", "appt": "appointment", "acct": "account", "info": "information",
                  "b/c": "because", "bc": "because", "govt": "government", "rep": "representative",
                  "reps": "representative", "pt": "patient", "pts": "patient", "q": "question", "msg": "message",
                  "tix": "ticket", "tkt": "ticket", "asap": "asap", "thx": "thanks", "pls": "please", "ppl": "people"}

RU_WORDS = {
    "first_sg": {"я", "мне", "меня", "мной", "мною", "мой", "моя", "моё", "мое", "мои", "моего", "моей", "моему",
                 "моим", "моих", "сама", "сам"},
    "first_pl": {"мы", "нас", "нам", "нами", "наш", "наша", "наше", "наши", "нашего", "нашей", "нашему", "нашим",
                 "наших"},
    "second": {"вы", "вас", "вам", "вами", "ты", "тебя", "тебе", "ваш", "ваша", "ваше", "ваши"},
    "third_pron": {"он", "она", "они", "его", "её", "ее", "ему", "ей", "им", "их", "ним", "ней", "нему", "них"},
    "subj3": {"он", "она", "они"},
    "cond": {"бы", "б"},
    "neg": {"не", "нет", "ни", "никогда", "ничего", "никто", "нельзя", "ничем", "никому"},
    "generic": {"всегда", "обычно", "никогда", "постоянно", "всякий", "каждый", "любой", "правило", "вообще",
                "целом", "общем", "регулярно", "часто"},
    "belief": {"стараться", "считать", "принцип", "главное", "важно", "любить", "уметь", "привыкнуть",
               "думать", "уверенный", "умение", "подход", "ценить"},
    "modal": {"должен", "должна", "должны", "надо", "нужно", "необходимо", "следует", "можно", "мочь",
              "обязан", "обязана", "придётся", "приходится", "пришлось"},
    "if": {"если", "ежели", "когда-нибудь", "случае", "вдруг"},
    "qword": {"что", "как", "почему", "зачем", "какой", "какая", "какие", "сколько", "где", "когда", "чем", "ли"},
    "client": {"клиент", "клиентка", "покупатель", "покупательница", "посетитель", "гость", "пациент",
               "пациентка", "заказчик", "абонент", "пассажир", "родитель", "владелец", "хозяин", "хозяйка",
               "кл", "потребитель", "арендатор", "ученик", "студент", "заявитель"},
    "colleague": {"коллега", "отдел", "бухгалтерия", "склад", "команда", "сотрудник", "руководитель",
                  "начальник", "менеджер", "директор", "смена", "подразделение", "департамент", "служба"},
    "promise": {"обещать", "пообещать", "гарантировать", "клясться", "заверить"},
    "always_yes": {"всё", "любой", "угодно", "прав"},
    "policy": {"правило", "регламент", "инструкция", "скрипт", "политика", "положено", "стандарт", "порядок"},
}
EN_WORDS = {
    "first_sg": {"i", "me", "my", "mine", "myself"},
    "first_pl": {"we", "us", "our", "ours", "ourselves"},
    "second": {"you", "your", "yours"},
    "third_pron": {"he", "she", "they", "him", "her", "them", "his", "hers", "their"},
    "subj3": {"he", "she", "they"},
    "cond": {"would", "'d", "wd", "might", "could"},
    "will": {"will", "'ll", "gonna", "shall"},
    "neg": {"not", "n't", "no", "never", "nothing", "nobody", "none", "cannot", "can't", "didn't", "don't",
            "won't", "wasn't", "nope", "neither", "nor"},
    "generic": {"always", "usually", "generally", "normally", "typically", "every", "whenever", "never",
                "general", "often", "regularly"},
    "belief": {"tend", "try", "believe", "principle", "love", "enjoy", "passionate", "important", "key",
               "think", "approach", "value", "people-person", "motto"},
    "modal": {"must", "should", "need", "have", "ought", "can", "may", "supposed", "required"},
    "if": {"if", "unless", "whether", "suppose"},
    "qword": {"what", "why", "how", "which", "whether", "when", "where", "who"},
    "client": {"customer", "client", "guest", "patient", "buyer", "shopper", "caller", "visitor", "user",
               "cust", "passenger", "parent", "owner", "tenant", "student", "subscriber", "account", "consumer"},
    "colleague": {"colleague", "department", "team", "manager", "boss", "coworker", "co-worker", "staff",
                  "accounting", "warehouse", "supervisor", "lead", "dept", "mgr", "shift", "hr", "finance"},
    "promise": {"promise", "guarantee", "swear", "assure"},
    "always_yes": {"whatever", "anything", "everything", "right"},
    "policy": {"policy", "rule", "procedure", "script", "regulation", "standard", "protocol", "process"},
}
EN_PAST_AUX = {"was", "were", "did", "had", "'d"}
EN_NOT_PAST = {"better", "best", "worse", "worst", "men", "women", "children", "people", "feet", "teeth",
               "need", "feed", "seed", "speed", "bed", "red", "shed", "bleed", "breed", "greed", "weed",
               "hundred", "indeed", "exceed", "proceed", "succeed", "embed", "wed", "fed", "led", "sped"}
EN_IRREGULAR_PAST = {"went", "told", "said", "came", "gave", "took", "made", "found", "got", "saw", "knew",
                     "thought", "brought", "bought", "sent", "left", "felt", "kept", "met", "paid", "rang",
                     "ran", "sat", "stood", "spoke", "wrote", "drove", "understood", "began", "became",
                     "chose", "forgot", "heard", "held", "lost", "meant", "put", "read", "set", "showed",
                     "spent", "taught", "tried", "won", "fixed", "led", "fed", "sped", "did", "was", "were",
                     "had", "let", "cut", "hit", "quit", "shut", "threw", "broke", "caught", "fought",
                     "sold", "stuck", "struck", "swore", "woke", "wore", "hung", "dealt", "lent", "built",
                     "bent", "rode", "rose", "grew", "drew", "flew", "blew", "ate", "fell", "forgave", "gotten"}
EN_INFN = {"to"}


class WordAnalyzer:
    """Lemma and flag bits of one word form; thread-safe lazy construction, LRU-cached results."""

    def __init__(self, cache_size: int = 200_000) -> None:
        self._lock = threading.Lock()
        self._morph = None
        self._en_table = None
        self.analyse = lru_cache(maxsize=cache_size)(self._analyse)

    # lazy resources ---------------------------------------------------------------
    def _ru(self):
        if self._morph is None:
            with self._lock:
                if self._morph is None:
                    import pymorphy3
                    self._morph = pymorphy3.MorphAnalyzer()
        return self._morph

    def _en(self) -> dict:
        if self._en_table is None:
            with self._lock:
                if self._en_table is None:
                    from spacy.lookups import load_lookups
                    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
                    self._en_table = dict(table.items())  # plain dict: faster than Table.get
        return self._en_table

    def warm(self) -> None:
        """Build both analysers now (e.g. at model load) instead of on the first request."""
        self._ru()
        self._en()

    # analysis ---------------------------------------------------------------------
    def _analyse(self, word: str) -> tuple[str, int]:
        """(lemma, flags) of a lowercased token; lemma '' means: no word (punctuation)."""
        w = word.lower().replace("ё", "е")
        if _CYR.search(w):
            return self._analyse_ru(w)
        if _LAT.search(w):
            return self._analyse_en(w)
        if _DIGIT.search(w):
            return "<num>", 0
        return "", 0

    def _analyse_ru(self, w: str) -> tuple[str, int]:
        base = w.rstrip(".")
        flags = 0
        if base in RU_ABBR_EXPAND:
            lemma = RU_ABBR_EXPAND[base]
            flags |= F["abbr"]
        else:
            p = self._ru().parse(base)[0]
            lemma = p.normal_form.replace("ё", "е")
            tag = p.tag
            pos = tag.POS
            if pos in ("VERB", "INFN", "PRTF", "PRTS", "GRND"):
                flags |= F["verb"] if pos in ("VERB", "INFN") else 0
                tense = tag.tense
                if tense == "past":
                    flags |= F["past"]
                elif tense == "pres":
                    flags |= F["pres"]
                elif tense == "futr":
                    flags |= F["futr"]
                if tag.mood == "impr":
                    flags |= F["impr"]
                if pos == "INFN":
                    flags |= F["infn"]
                if tag.person == "1per":
                    flags |= F["first_sg"] if tag.number == "sing" else F["first_pl"]
                elif tag.person == "2per":
                    flags |= F["second"]
        if base in RU_CAND or lemma in RU_CAND:
            flags |= F["cand"]
        for name, words in RU_WORDS.items():
            if base in words or (lemma in words and name != "subj3"):
                flags |= F[name]
        if lemma == "быть" and flags & F["futr"]:
            flags |= F["will"]
        return lemma, flags

    def _analyse_en(self, w: str) -> tuple[str, int]:
        base = w.rstrip(".") if len(w) > 1 else w
        flags = 0
        if base in EN_ABBR_EXPAND:
            lemma = EN_ABBR_EXPAND[base]
            flags |= F["abbr"]
        else:
            lemma = self._en().get(base, base)
        if base in EN_CAND or lemma in EN_CAND:
            flags |= F["cand"]
        if base in EN_IRREGULAR_PAST or base in EN_PAST_AUX and base != "'d" or (
                len(base) > 3 and base.endswith("ed") and base not in EN_NOT_PAST):
            flags |= F["past"] | F["verb"]
        for name, words in EN_WORDS.items():
            if base in words or (lemma in words and name != "subj3"):
                flags |= F[name]
        if base in ("am", "is", "are", "do", "does", "have", "has"):
            flags |= F["pres"]
        return lemma, flags


_ANALYZER: WordAnalyzer | None = None
_ANALYZER_LOCK = threading.Lock()


def get_analyzer() -> WordAnalyzer:
    """The process-wide analyser (created on first use, never at import)."""
    global _ANALYZER
    if _ANALYZER is None:
        with _ANALYZER_LOCK:
            if _ANALYZER is None:
                _ANALYZER = WordAnalyzer()
    return _ANALYZER
