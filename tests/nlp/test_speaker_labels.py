"""The one speaker-label recogniser that the summariser and the 公用文 checker share."""
from __future__ import annotations

import pytest

from gennai_desktop.nlp.speaker_labels import speaker_of


@pytest.mark.parametrize(("text", "speaker"), [
    ("○藤田部会長　それでは始めます。", "藤田部会長"),
    ("〇山田委員　質問があります。", "山田委員"),
    ("○議長（田中太郎君）　ただいまから会議を開きます。", "議長（田中太郎君）"),
    ("○坂本関係官\u3000司法法制部長の坂本でございます。", "坂本関係官"),       # 法制審議会の議事録
    ("○事務局（佐藤課長）　資料２に基づき御説明します。", "事務局（佐藤課長）"),
    ("○知事　お答えします。", "知事"),
    ("【山田座長】　本日の議題は二つです。", "山田座長"),
    ("山田座長：次回は７月に開催します。", "山田座長"),
    ("発言者：本件は了承されました。", "発言者"),
    ("○座長代理　では続けます。", "座長代理"),
])
def test_a_label_names_its_speaker(text: str, speaker: str):
    assert speaker_of(text) == speaker


@pytest.mark.parametrize("text", [
    "○ 基本方針　政府は次の方針をとる。",     # a ○ bullet: no role word
    "○予算額　100億円",
    "●江間有沙氏",                              # a 白書 column's profile heading, not a remark
    "委員会は次のとおり決定した。",              # a role word inside a sentence
    "山田委員は、次のように述べた。",
    "",
])
def test_a_list_item_or_a_sentence_is_no_speaker(text: str):
    assert speaker_of(text) is None
