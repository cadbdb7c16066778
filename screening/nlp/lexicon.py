"""Hand-written cue phrases per indicator (ru and en), from the competency model's descriptions.

Used twice: as features of the model (``x|<indicator>`` counts, shared by both languages so a
cue learnt from Russian data helps English and back), and alone as the keyword-matching
baseline of ``bench``. Phrases are written as plain text and lemmatised with the same
analyser as the answers when first used (once per process).
"""
from __future__ import annotations

import threading

from .labels import INDICATORS
from .morph import WordAnalyzer

CUES: dict[str, dict[str, list[str]]] = {
    "needs": {
        "ru": ["спросить", "спрашивать", "уточнить", "уточнять", "выяснить", "выяснять", "узнать", "расспросить",
               "переспросить", "поинтересоваться", "выслушать", "дослушать", "оказаться", "для чего", "зачем",
               "что именно", "что ему нужно", "что ей нужно", "что нужно", "задать вопрос", "вопрос",
               "понять", "разобраться", "какая задача", "на самом деле", "истинная потребность", "потребность",
               "пересказать", "проговорить", "правильно ли я понял", "правильно ли я поняла", "цель"],
        "en": ["ask", "asked", "clarify", "find out", "found out", "listen", "understand", "turn out", "turned out",
               "what for", "why", "what exactly", "what they need", "what he needed", "what she needed", "question",
               "dig", "probe", "real need", "actually need", "actually needed", "check understanding",
               "repeat back", "paraphrase", "goal", "trying to", "figure out", "enquire", "inquire"],
    },
    "fit": {
        "ru": ["предложить", "подобрать", "посоветовать", "порекомендовать", "рекомендовать", "дешевле", "дешевый",
               "вариант", "альтернатива", "минус", "плюс", "честно", "разница", "отговорить", "не нужен",
               "не нужна", "не нужно", "подходить", "подойти", "сравнить", "выбор", "другой тариф", "аналог",
               "другой поставщик", "конкурент", "плюсы и минусы", "недостаток", "дороже"],
        "en": ["recommend", "suggest", "offer", "cheaper", "cheap", "option", "alternative", "downside", "pros",
               "cons", "honest", "honestly", "talk out of", "talked out of", "did n't need", "does n't need",
               "suit", "fit", "compare", "choice", "instead", "competitor", "another provider", "drawback",
               "trade-off", "more expensive", "lower tier", "right one"],
    },
    "extra_mile": {
        "ru": ["сверх договора", "вне договора", "не входить в обязанность", "хотя не обязан", "хотя не обязана", "от руки", "собственноручно", "нарисовать", "распечатать", "принести", "на свои деньги", "подарок", "сюрприз", "задержаться", "остаться после", "приехать в выходной", "по пути", "сам привезти", "заранее подготовить", "комплимент", "бесплатный", "не в моих обязанностях", "дополнительный", "сам", "сама", "по своей инициативе", "после смены", "в выходной", "выходной", "лично",
               "привезти", "отвезти", "дополнительно", "сверх", "не обязан", "не обязана", "бесплатно", "от себя",
               "за свой счет", "в нерабочее время", "вечером", "ночью", "своя машина", "никто не просил",
               "сверх того", "в подарок", "открытка", "лишний"],
        "en": ["not part of my job", "not part of her job", "not part of his job", "was n't in the contract", "not in any contract", "outside the contract", "on my way home", "stayed late", "stayed behind", "came in early", "my own money", "own money", "surprise", "drew", "sketch", "printed", "handwritten note", "no charge", "at no cost", "complimentary", "on the house", "walked her", "walked him", "delivered it myself", "on my own", "own initiative", "after my shift", "after her shift", "after his shift", "day off",
               "personally", "drive", "drove", "extra", "not required", "was n't required", "for free", "free",
               "own time", "own car", "own pocket", "nobody asked", "no one asked", "went out of my way",
               "out of her way", "out of his way", "beyond", "on the way home", "handwritten", "gift",
               "weekend", "late"],
    },
    "perspective": {
        "ru": ["представить как", "подумать о", "подумать как", "понимать что", "заметить", "обратить внимание", "догадаться", "с их стороны", "клиенту неудобно", "чтобы не пришлось", "чтобы ему не пришлось", "чтобы ей не пришлось", "чтобы не ждать", "чтобы не ехать", "переписать", "упростить", "схема", "напоминание", "смс", "календарь", "пожилой", "стесняться", "растеряться", "бояться", "представить", "на месте", "на его месте", "на ее месте", "глазами", "каково", "неудобно",
               "удобно", "переделать", "изменить", "памятка", "инструкция", "чтобы клиенты", "чтобы клиентам",
               "заранее", "предусмотреть", "с точки зрения", "поставить себя", "переживать", "волноваться",
               "страшно", "понятный", "простой язык", "без терминов", "путь клиента"],
        "en": ["thought about", "pictured", "picture", "realised", "realized", "noticed", "figured", "so they would n't have to", "so she would n't have to", "so he would n't have to", "would n't have to", "rewrote", "simplify", "simplified", "reminder", "calendar", "elderly", "shy", "nervous", "embarrassed", "overwhelmed", "imagine", "put myself", "in their shoes", "in his shoes", "in her shoes", "from their side",
               "how it feel", "how it felt", "redesign", "change the form", "so that customers", "so customers",
               "in advance", "anticipate", "point of view", "perspective", "worried", "scared", "confusing",
               "plain language", "no jargon", "simple", "cheat sheet", "checklist", "step by step", "guide",
               "what it must be like", "would feel"],
    },
    "composure": {
        "ru": ["спокойно", "спокойный", "вежливо", "не повышать голос", "кричать", "орать", "грубить", "агрессивно",
               "агрессивный", "выдохнуть", "дать выговориться", "выговориться", "не спорить", "ровно",
               "объяснить что", "что можем", "что не можем", "нельзя", "границы", "не перебивать", "злой",
               "разъяренный", "раздраженный", "ругаться", "мат", "угрожать", "тон", "извиниться", "жалоба"],
        "en": ["calm", "calmly", "polite", "politely", "not raise my voice", "yell", "yelling", "shout",
               "shouting", "angry", "furious", "rude", "swear", "swearing", "de-escalate", "vent",
               "let him vent", "let her vent", "did n't argue", "what i could", "what i can", "could n't",
               "can not", "boundary", "firm", "firmly", "steady", "tone", "interrupt", "threaten", "apologise",
               "apologize", "complaint", "upset"],
    },
    "ownership": {
        "ru": ["перезвонить", "проверить", "проконтролировать", "довести", "до конца", "отследить",
               "держать в курсе", "вернуться", "убедиться", "заняться", "взять на себя", "сам разобраться",
               "не бросить", "напомнить", "на следующий день", "через день", "через неделю", "написать",
               "контроль", "пока не", "дожать", "решить", "созвониться", "отслеживать"],
        "en": ["call back", "called back", "rang back", "follow up", "followed up", "check", "checked",
               "make sure", "made sure", "keep updated", "kept updated", "until", "chase", "chased", "track",
               "tracked", "own", "next day", "next morning", "a week later", "the following", "took it on",
               "myself", "see it through", "loop", "update", "stay on", "stayed on", "sorted"],
    },
    "internal": {
        "ru": ["коллегам", "для коллег", "другому отделу", "соседний отдел", "смежный отдел", "внутренний заказчик", "внутренний клиент", "бухгалтер", "кладовщик", "логист", "водитель", "курьер", "продавец", "кассир", "администратор", "врач", "медсестра", "воспитатель", "учитель", "повар", "официант", "юрист", "кадровик", "айтишник", "разработчик", "программист", "снабжение", "закупки", "маркетинг", "финансовый", "главбух", "планерка", "шаблон", "табель", "зарплата", "начальник смены", "мастер", "бригада", "филиал", "головной офис", "коллега", "отдел", "бухгалтерия", "склад", "смена", "другой отдел", "внутренний",
               "подразделение", "руководитель", "менеджер", "сотрудник", "команда", "цех", "служба",
               "директор", "офис", "новичок", "стажер"],
        "en": ["colleagues", "for my colleagues", "another department", "other department", "internal customer", "internal client", "accountant", "driver", "courier", "cashier", "receptionist", "doctor", "nurse", "teacher", "chef", "kitchen", "waiter", "lawyer", "legal", "procurement", "purchasing", "marketing", "developer", "engineer", "dispatcher", "store manager", "branch", "head office", "template", "payslip", "rota", "handover", "onboarding", "new starter", "ops team", "colleague", "department", "team", "warehouse", "accounting", "finance", "hr", "internal",
               "coworker", "co-worker", "manager", "staff", "shift", "supervisor", "new starter", "new hire",
               "another team", "sales team", "office", "payroll", "it"],
    },
    "loyalty": {
        "ru": ["через год", "до сих пор", "теперь всегда", "постоянный клиент", "продлить договор", "перезаключить", "привести друзей", "привести подругу", "порекомендовать нас", "сарафанное радио", "вернуться к нам", "остаться с нами", "не уйти", "обоим выгодно", "и клиенту и компании", "в долгую", "на перспективу", "долгие отношения", "компромисс", "не в ущерб компании", "вернуться", "постоянный", "порекомендовать", "привести", "снова", "опять", "долгосрочный",
               "доверие", "доверять", "баланс", "выгодно", "обоим", "для компании", "отзыв", "друг", "знакомый",
               "спрашивать меня", "именно ко мне", "лояльный", "остаться", "продлить", "надолго", "годами"],
        "en": ["still comes", "still a customer", "every year", "regular customer", "became a regular", "renewed", "signed again", "brought friends", "recommended us", "word of mouth", "stayed with us", "did n't leave", "kept the account", "good for both", "both sides", "long run", "compromise", "middle ground", "balance", "come back", "came back", "regular", "recommend us", "referred", "referral", "loyal", "long-term",
               "long term", "trust", "win-win", "both", "for the company", "review", "friend", "asks for me",
               "asked for me", "by name", "stay", "stayed", "renew", "renewed", "years", "again", "relationship"],
    },
    "push": {
        "ru": ["выполнить план", "перевыполнить", "процент от продаж", "премия за", "допродать", "не говорить про", "не упоминать", "не рассказывать про", "мелкий шрифт", "срочно оформить", "только сегодня", "последний экземпляр", "в нагрузку", "пакет услуг", "подписка", "автопродление", "план", "продать", "продажа", "допродажа", "навязать", "впарить", "страховка", "убедить",
               "дожать", "бонус", "премия", "процент", "скрыть", "не сказать", "умолчать", "промолчать",
               "подписать", "оформить", "кредитка", "кредитная карта", "любой ценой", "по максимуму", "дорогой",
               "допник", "уговорить", "давить", "комиссия", "kpi"],
        "en": ["sales target", "hit my target", "commission", "bundle", "did n't tell", "small print", "fine print", "today only", "last one", "limited time", "talked her into", "talked him into", "subscription", "auto-renew", "leaderboard", "quota", "target", "upsell", "upsold", "sell", "sold", "push", "pushed", "pressure",
               "did n't mention", "not mention", "hid", "hide", "close the sale", "closed", "bonus", "commission",
               "plan", "insurance", "warranty", "add-on", "premium", "talk into", "talked into", "convince",
               "sign", "signed", "kpi", "numbers"],
    },
    "disrespect": {
        "ru": ["дура", "ненормальный", "бестолковый", "при всех", "накричать", "сорваться", "нагрубить", "высмеять", "передразнить", "сами не знают", "ничего не понимают", "вечно ноют", "сама виновата", "их проблемы", "пусть учатся", "виноват", "сам виноват", "глупый", "тупой", "неадекват", "неадекватный", "идиот", "дурак",
               "спорить", "посмеяться", "смеяться", "грубо", "эти клиенты", "бабка", "истеричка", "криворукий",
               "бестолковый", "нытье", "ныть", "достать", "надоесть", "поставить на место", "отчитать",
               "не мои проблемы", "сами виноваты", "читать не умеют"],
        "en": ["in front of everyone", "snapped", "lost my temper", "told her off", "mocked", "made fun", "own fault", "should have read", "people like that", "these customers", "always whining", "drama", "stupid", "idiot", "dumb", "fault", "their fault", "argue", "argued", "laugh", "laughed",
               "rude", "clueless", "annoying", "whining", "whine", "blame", "blamed", "moron", "crazy",
               "these people", "put him in his place", "put her in her place", "snapped", "can't read",
               "eye roll", "rolled my eyes", "useless", "lazy", "told him off"],
    },
    "indifference": {
        "ru": ["не моя работа", "не мои проблемы", "не моя зона", "не моя задача", "регламент", "не положено",
               "обращайтесь", "отправить", "перевести", "переадресовать", "скрипт", "ничем не могу помочь",
               "не наш отдел", "не ко мне", "пусть", "разбирается", "по инструкции", "правило",
               "мне все равно", "не знаю", "закрыть заявку", "формально", "не стал", "не стала"],
        "en": ["not my job", "not my problem", "not my department", "not my area", "policy", "rules",
               "script", "sent them to", "transfer", "transferred", "nothing i can do", "not our department",
               "let them", "deal with it", "by the book", "procedure", "do n't care", "did n't care",
               "close the ticket", "closed the ticket", "whatever", "someone else", "not my call", "ticket"],
    },
    "servility": {
        "ru": ["все что угодно", "что угодно", "согласиться", "уступить", "пообещать", "обещать",
               "отдать бесплатно", "нарушить", "в обход", "любой ценой", "клиент всегда прав", "извиняться",
               "в ущерб", "лишь бы", "не отказывать", "никогда не отказывать", "скидка", "вернуть деньги",
               "компенсация", "за свой счет", "прогнуться", "без очереди", "на все согласен"],
        "en": ["whatever they want", "whatever he wanted", "whatever she wanted", "anything", "give in", "gave in",
               "promise", "promised", "break the rule", "broke the rule", "bend the rule", "bent the rules",
               "waive", "waived", "customer is always right", "client is always right", "free of charge",
               "bent over backwards", "just to", "never say no", "refund", "discount", "against policy",
               "out of my own pocket", "skip the queue", "guarantee", "guaranteed"],
    },
}

_COMPILED: dict[tuple[str, ...], tuple[int, ...]] | None = None
_LENGTHS: dict[str, tuple[int, ...]] = {}
_LOCK = threading.Lock()


def compiled(analyzer: WordAnalyzer) -> tuple[dict[tuple[str, ...], tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """(lemma tuple → indicator indexes, first lemma → phrase lengths); built once per process."""
    global _COMPILED, _LENGTHS
    if _COMPILED is None:
        with _LOCK:
            if _COMPILED is None:
                table: dict[tuple[str, ...], set[int]] = {}
                lengths: dict[str, set[int]] = {}
                for k, ind in enumerate(INDICATORS):
                    for phrases in CUES[ind].values():
                        for phrase in phrases:
                            lemmas = tuple(lem for lem in (analyzer.analyse(w)[0] for w in _words(phrase)) if lem)
                            if lemmas:
                                table.setdefault(lemmas, set()).add(k)
                                lengths.setdefault(lemmas[0], set()).add(len(lemmas))
                _LENGTHS = {w: tuple(sorted(v)) for w, v in lengths.items()}
                _COMPILED = {key: tuple(sorted(v)) for key, v in table.items()}
    return _COMPILED, _LENGTHS


def _words(phrase: str) -> list[str]:
    out = []
    for w in phrase.split():
        if w.endswith("n't") and w != "n't":
            out.extend([w[:-3], "n't"])
        else:
            out.append(w)
    return out


def cue_hits(lemmas: list[str], analyzer: WordAnalyzer) -> list[int]:
    """Indicator index for every cue phrase found in the lemma sequence (with repeats)."""
    table, lengths = compiled(analyzer)
    hits: list[int] = []
    n = len(lemmas)
    for i, lemma in enumerate(lemmas):
        for k in lengths.get(lemma, ()):
            if i + k <= n:
                got = table.get(tuple(lemmas[i:i + k]))
                if got:
                    hits.extend(got)
    return hits
