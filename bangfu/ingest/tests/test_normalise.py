from bangfu.ingest.text.normalise import MASK, normalise


def test_it_converts_traditional_to_simplified_and_keeps_offsets():
    original = "資金300萬元"
    result = normalise(original)
    assert result.text == "资金300万元"
    assert result.original_span(2, 7) == (2, 7)


def test_it_folds_full_width_digits_and_punctuation():
    assert normalise("投入１２３万元，完成").text == "投入123万元,完成"


def test_it_removes_inline_pinyin_and_maps_back_to_the_original():
    original = "海珠區(qū)投入5萬元"
    result = normalise(original)
    assert result.text == "海珠区投入5万元"
    start = result.text.index("5")
    assert result.original_text(start, start + 3) == "5萬元"
    assert result.original_span(start, start + 3) == (original.index("5"), len(original))


def test_it_rejoins_words_and_numbers_broken_by_line_wraps():
    result = normalise("培训劳动力 812人 次,帮助 大山 村")
    assert result.text == "培训劳动力812人次,帮助大山村"
    start = result.text.index("812")
    assert result.original_text(start, start + 5) == "812人 次"


def test_it_keeps_spaces_between_ascii_words_and_numbers():
    assert normalise("2021-03-04 10:20 更新").text == "2021-03-04 10:20更新"


def test_it_masks_image_names_sizes_and_urls():
    result = normalise("配图 640x480_ab12cd.png 见 https://example.org/a/2020/3.html 完")
    assert "640" not in result.text
    assert "2020" not in result.text
    assert MASK * 5 in result.text
