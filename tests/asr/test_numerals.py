from gennai_desktop.asr.numerals import arabic_numerals, kanji_to_int


def test_kanji_quantities_become_arabic_numerals_in_koyobun_style():
    assert arabic_numerals("予算は三百万円です") == "予算は300万円です"
    assert arabic_numerals("二千二十六年四月十五日") == "2026年4月15日"
    assert arabic_numerals("参加者は十二名") == "参加者は12名"
    assert arabic_numerals("二億五千万円") == "2億5,000万円"
    assert arabic_numerals("千五百件") == "1,500件"
    assert arabic_numerals("第三条") == "第3条"


def test_words_that_contain_a_numeral_are_left_alone():
    for word in ("十分に検討", "一部の委員", "一般会計", "一人ずつ", "三つの議題", "統一する"):
        assert arabic_numerals(word) == word


def test_full_width_digits_and_grouping():
    assert arabic_numerals("１５日") == "15日"
    assert arabic_numerals("2500000円") == "2,500,000円"
    assert arabic_numerals("2026年") == "2026年"          # a year is never grouped
    assert arabic_numerals("300万円") == "300万円"        # digits before 万 are not re-read as kanji


def test_kanji_to_int_refuses_malformed_numbers():
    assert kanji_to_int("三百万") == 3_000_000
    assert kanji_to_int("一〇三") == 103
    assert kanji_to_int("万") is None
    assert kanji_to_int("三四百") is None
