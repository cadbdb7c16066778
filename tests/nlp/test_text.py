"""Language detection, markup masking and sentence splitting (no model needed)."""
from __future__ import annotations

import pytest

from screening.nlp.errors import TaggerInputError
from screening.nlp.pipeline import Pipeline
from screening.nlp.text import check_lang, detect_lang, mask_markup


@pytest.fixture(scope="module")
def pipe():
    return Pipeline()


def spans(pipe, text, lang=None):
    analysed = pipe.analyse_text(text, lang)
    return [text[s.start:s.end] for s in analysed.segments]


@pytest.mark.parametrize("text,lang", [
    ("Я уточнила у клиентки, что ей нужно.", "ru"),
    ("I asked the customer what she needed.", "en"),
    ("канд. рассказал: кл. с жалобой на CRM", "ru"),
    ("cand. called cust. back next day", "en"),
    ("", "en"),
    ("12345 !!! 🙂", "en"),
])
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


def test_check_lang_rejects_unknown():
    with pytest.raises(TaggerInputError, match="lang must be 'ru' or 'en'"):
        check_lang("de", "Hallo")
    assert check_lang("RU", "x") == "ru"
    assert check_lang(None, "Привет") == "ru"


def test_mask_markup_keeps_offsets():
    text = "<p>Я спросила&nbsp;клиента.</p><br>I asked."
    masked = mask_markup(text)
    assert len(masked) == len(text)
    assert "<" not in masked and "&nbsp;" not in masked


def test_split_verbatim(pipe):
    text = "Клиентка пришла вернуть телефон. Я спросила, что именно ей не подошло! Она объяснила."
    assert spans(pipe, text) == ["Клиентка пришла вернуть телефон.", "Я спросила, что именно ей не подошло!",
                                 "Она объяснила."]


def test_split_keeps_note_abbreviations(pipe):
    text = "Канд. рассказал: кл. с жалобой, выяснил что нужно. Через мес. кл. вернулся."
    assert spans(pipe, text) == ["Канд. рассказал: кл. с жалобой, выяснил что нужно.", "Через мес. кл. вернулся."]
    assert spans(pipe, "cand. called cust. back next day. Cust. was happy.", "en") == [
        "cand. called cust. back next day.", "Cust. was happy."]


def test_split_newlines_and_bullets(pipe):
    text = "- кл. пенсионерка, хотела закрыть вклад\n- спросила зачем деньги\n\n• предложила частичное снятие"
    assert spans(pipe, text) == ["кл. пенсионерка, хотела закрыть вклад", "спросила зачем деньги",
                                 "предложила частичное снятие"]


def test_split_long_run_without_punctuation(pipe):
    run = " — ".join(["канд спросил клиента что ему на самом деле нужно и зачем"] * 12)
    parts = spans(pipe, run, "ru")
    assert len(parts) > 1
    assert all(len(p.split()) <= 100 for p in parts)


def test_offsets_slice_the_original_text_with_html(pipe):
    text = "<p>I asked <b>what</b> she needed.</p><p>Then I called back.</p>"
    analysed = pipe.analyse_text(text, "en")
    got = [text[s.start:s.end] for s in analysed.segments]
    assert got == ["I asked <b>what</b> she needed.", "Then I called back."]


def test_mode_and_person(pipe):
    a = pipe.analyse_text("Я спросила клиентку, что ей нужно. Перезвонила ей на следующий день. "
                          "Я бы предложила скидку. Я всегда стараюсь помочь.", "ru")
    assert [s.mode for s in a.segments] == ["episode", "episode", "hypothetical", "general"]
    assert [s.person for s in a.segments][:2] == ["first_singular", "first_singular"]
    b = pipe.analyse_text("cand. called cust. back next day. We fixed it together. I'd offer a refund.", "en")
    assert [s.person for s in b.segments] == ["third", "first_plural", "first_singular"]
    assert [s.mode for s in b.segments] == ["episode", "episode", "hypothetical"]
