"""The tagger's output contract and bad input, on the session's small model."""
from __future__ import annotations

import time

import pytest

from screening.nlp.errors import TaggerInputError
from screening.nlp.labels import INDICATORS, STAR_PARTS

SENTENCE_KEYS = {"text", "start", "end", "indicators", "probabilities", "star", "mode", "person"}
RU = ("Клиентка пришла вернуть телефон. Я спросила, что именно ей не подошло. "
      "Оказалось, ей нужен был аппарат попроще, и я предложила модель дешевле. "
      "Через неделю я ей перезвонила и проверила, всё ли работает.")
EN = ("A customer came in to return a laptop. I asked what exactly didn't work for him. "
      "It turned out he needed something lighter, so I suggested a cheaper model. "
      "A week later I called him back to check it was all fine.")


def check_shape(out: dict, text: str) -> None:
    assert set(out) - {"truncated"} == {"lang", "model_version", "sentences"}
    assert out["lang"] in ("ru", "en")
    assert isinstance(out["model_version"], str) and out["model_version"]
    for s in out["sentences"]:
        assert set(s) == SENTENCE_KEYS
        assert text[s["start"]:s["end"]] == s["text"]
        assert s["text"].strip() == s["text"] and s["text"]
        assert set(s["probabilities"]) == set(INDICATORS)
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in s["probabilities"].values())
        assert all(i in INDICATORS for i in s["indicators"])
        assert s["star"] is None or s["star"] in STAR_PARTS
        assert s["mode"] in ("episode", "hypothetical", "general")
        assert s["person"] in ("first_singular", "first_plural", "third", "none")


@pytest.mark.parametrize("text,lang", [(RU, "ru"), (EN, "en")])
def test_tag_shape_and_offsets(small_tagger, text, lang):
    out = small_tagger.tag(text)
    check_shape(out, text)
    assert out["lang"] == lang
    assert out["model_version"] == small_tagger.version
    assert len(out["sentences"]) == 4
    assert "truncated" not in out
    assert [s["start"] for s in out["sentences"]] == sorted(s["start"] for s in out["sentences"])


def test_indicators_follow_thresholds(small_tagger):
    out = small_tagger.tag(RU, "ru")
    thr = dict(zip(INDICATORS, small_tagger.model.thresholds))
    for s in out["sentences"]:
        expected = [i for i in INDICATORS if s["probabilities"][i] >= round(thr[i], 4) - 1e-4]
        assert set(s["indicators"]) <= set(expected)


def test_obvious_needs_sentence(small_tagger):
    [s] = small_tagger.tag("Я спросила клиентку, что именно ей нужно и для чего.", "ru")["sentences"]
    assert "needs" in s["indicators"]
    assert s["person"] == "first_singular" and s["mode"] == "episode"


def test_explicit_lang_overrides_detection(small_tagger):
    assert small_tagger.tag(EN, "ru")["lang"] == "ru"
    assert small_tagger.tag("Okay", None)["lang"] == "en"


@pytest.mark.parametrize("lang", ["de", "xx", "RUS", 5])
def test_unknown_lang(small_tagger, lang):
    with pytest.raises(TaggerInputError, match="lang must be 'ru' or 'en'"):
        small_tagger.tag("text", lang)
    with pytest.raises(TaggerInputError):
        small_tagger.rate("text", None, lang)


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_empty_text(small_tagger, text):
    out = small_tagger.analyse(text, "Вопрос?")
    assert out["sentences"] == []
    assert out["rating"]["rating"] == 2
    assert set(out["rating"]["probabilities"]) == {"1", "2", "3", "4", "5"}
    check_shape({k: v for k, v in out.items() if k != "rating"}, text)


@pytest.mark.parametrize("text", [
    "🙂🙂🙂 👍",
    "Я помогла клиенту 🙂🙂 и он ушёл довольный 👍!!!",
    "<div><p>I asked <b>what</b> she needed.</p><script>alert(1)</script><br/>Then I called back &amp; checked.</div>",
    "Я спросила what exactly he needed, потом I called back the next day.",
    "....!!!???---",
    "a\x00b\u200b\ufeff c",
])
def test_odd_input(small_tagger, text):
    out = small_tagger.analyse(text)
    check_shape({k: v for k, v in out.items() if k != "rating"}, text)
    assert 1 <= out["rating"]["rating"] <= 5


def test_emoji_only_sentences_get_no_labels(small_tagger):
    out = small_tagger.tag("🙂🙂🙂 👍")
    assert all(s["indicators"] == [] and s["star"] is None for s in out["sentences"])


def test_long_text_is_bounded_and_truncated(small_tagger):
    text = (RU + " ") * 200 + "x" * 10_000
    assert len(text) > 50_000
    t0 = time.perf_counter()
    out = small_tagger.analyse(text)
    assert time.perf_counter() - t0 < 10
    assert out["truncated"] is True
    check_shape({k: v for k, v in out.items() if k != "rating"}, text)
    one_run = "слово " * 10_000  # 60,000 characters without punctuation
    out = small_tagger.tag(one_run, "ru")
    assert out["truncated"] is True
    assert all(len(s["text"].split()) <= 100 for s in out["sentences"])


def test_tag_sentences(small_tagger):
    texts = ["Клиентка пришла вернуть телефон.", "Я спросила, что именно ей не подошло.", ""]
    out = small_tagger.tag_sentences(texts, "ru")
    assert len(out) == 3
    for t, s in zip(texts, out):
        assert set(s) == SENTENCE_KEYS
        assert s["text"] == t and s["start"] == 0 and s["end"] == len(t)
    assert out[2]["indicators"] == []
    assert small_tagger.tag_sentences([], "en") == []
    with_q = small_tagger.tag_sentences(texts, "ru", question="Расскажите о возврате товара.")
    assert [s["text"] for s in with_q] == texts
    assert small_tagger.tag_sentences(["I asked her what she needed."], None)[0]["text"]


def test_rate_and_analyse_agree(small_tagger):
    r = small_tagger.rate(RU, "Расскажите о случае, когда клиент хотел вернуть товар.")
    assert set(r) == {"rating", "expected", "probabilities"}
    assert r["rating"] in (1, 2, 3, 4, 5)
    assert 1.0 <= r["expected"] <= 5.0
    assert abs(sum(r["probabilities"].values()) - 1.0) < 1e-3
    a = small_tagger.analyse(RU, "Расскажите о случае, когда клиент хотел вернуть товар.")
    assert a["rating"] == r
    check_shape({k: v for k, v in a.items() if k != "rating"}, RU)
    # without a question, analyse is tag plus the rating
    assert {k: v for k, v in small_tagger.analyse(RU).items() if k != "rating"} == small_tagger.tag(RU)


def test_analyse_batch_matches_single(small_tagger):
    texts = [RU, EN, "", "🙂"]
    batch = small_tagger.analyse_batch(texts, ["Вопрос?", None, None, None])
    assert batch == [small_tagger.analyse(t, q) for t, q in zip(texts, ["Вопрос?", None, None, None])]


def test_concurrent_calls(small_tagger):
    from concurrent.futures import ThreadPoolExecutor

    expected = small_tagger.analyse(EN)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: small_tagger.analyse(EN), range(16)))
    assert all(r == expected for r in results)
