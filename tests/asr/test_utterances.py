from gennai_desktop.asr.utterances import build_utterances


def _seg(words, text=None):
    return {"start": words[0][1], "end": words[-1][2], "text": text or "".join(w[0] for w in words),
            "words": [list(w) + [0.9] for w in words]}


def test_segments_are_recut_into_sentences_with_times_and_words():
    seg = _seg([("本", 0.0, 0.2), ("日", 0.2, 0.4), ("は", 0.4, 0.5), ("晴れ", 0.5, 0.9), ("です。", 0.9, 1.2),
                ("予算", 1.5, 1.9), ("は", 1.9, 2.0), ("三百", 2.0, 2.4), ("万円", 2.4, 2.8), ("です。", 2.8, 3.0)])
    us = build_utterances([seg])
    assert [u.text for u in us] == ["本日は晴れです。", "予算は300万円です。"]
    assert (us[1].start, us[1].end) == (1.5, 3.0)
    assert [w.text for w in us[0].words][:2] == ["本日", "は"]      # tokens merged into words
    assert us[0].words[0].start == 0.0 and us[0].words[0].end == 0.4


def test_a_long_pause_ends_a_sentence_but_not_after_a_comma():
    seg = _seg([("それでは", 0.0, 0.5), ("、", 0.5, 0.5), ("始めます", 1.4, 2.0), ("次に", 4.0, 4.3), ("報告", 4.3, 4.8)])
    us = build_utterances([seg])
    assert [u.text for u in us] == ["それでは、始めます。", "次に報告。"]   # punctuation added at the pause


def test_pauses_split_turns_and_whisper_silence_captions_are_dropped():
    a = _seg([("説明します。", 0.0, 1.0)])
    b = _seg([("質問です。", 1.3, 2.0)])
    c = _seg([("回答します。", 4.0, 5.0)])
    junk = {"start": 6.0, "end": 8.0, "text": "ご視聴ありがとうございました", "words": []}
    us = build_utterances([a, b, c, junk])
    assert [u.text for u in us] == ["説明します。", "質問です。", "回答します。"]
    assert [u.turn for u in us] == [0, 0, 1]
    assert [u.turn for u in build_utterances([a, b, c], turn_gap=0.2)] == [0, 1, 2]


def test_whisper_segment_boundaries_are_not_sentence_ends():
    a = _seg([("現在の", 0.0, 0.4), ("サイトは", 0.4, 0.9), ("、", 0.9, 0.9)])
    b = _seg([("平成30年に", 1.3, 2.0), ("構築しました。", 2.0, 2.8)])
    c = _seg([("次の議題", 3.0, 3.6), ("、", 3.6, 3.6)])          # ends in 、 then a turn-long silence
    d = _seg([("承知しました。", 6.0, 6.8)])
    us = build_utterances([a, b, c, d])
    assert [u.text for u in us] == ["現在のサイトは、平成30年に構築しました。", "次の議題。", "承知しました。"]
