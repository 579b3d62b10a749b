"""Answer selection that reads conditions: what a question asks for, and which sentence meets it."""

from pipeline import open_answerer
from pipeline.ask.features import FEATURES, Kind, Need, features, score, states
from pipeline.embed import FakeEmbedder


def _need(question: str, **kw) -> Need:
    """A question whose content syllables all weigh 1 (the index's rarity is not under test here)."""
    from pipeline.ask.answer import _query_terms

    return Need.of(question, dict.fromkeys(_query_terms(question), 1.0), **kw)


def _feature(sentence: str, need: Need, name: str, **kw) -> float:
    return features(sentence, need, **kw)[FEATURES.index(name)]


def test_the_kind_of_value_asked_is_read_from_the_question_word():
    assert Kind.DURATION in _need("Thời hạn giải quyết hồ sơ là bao nhiêu ngày làm việc?").asks
    assert Kind.DURATION in _need("cơ quan phải phản hồi trong tối đa bao lâu").asks
    assert Kind.DATE in _need("Sở Tài chính gửi báo cáo trước ngày nào?").asks
    assert Kind.DURATION not in _need("Sở Tài chính gửi báo cáo trước ngày nào?").asks
    assert Kind.BODY in _need("cơ quan nào chủ trì việc khen thưởng doanh nghiệp?").asks
    assert Kind.RATE in _need("Học trực tuyến thì học phí bằng bao nhiêu phần trăm?").asks
    assert Kind.FREQUENCY in _need("Nước cấp được quan trắc với tần suất nào?").asks
    assert Kind.TIME in _need("chỉ được đốt thực bì vào giờ nào trong ngày").asks
    assert Kind.TIME in _need("cây xăng phải mở cửa không sau máy giờ sáng").asks  # "mấy" restored as "máy"
    # "nhà máy" is not "mấy", "mục đích" is not "mức"
    assert not _need("Thông tư quy định giá dịch vụ của nhà máy thủy điện nào?").asks
    assert not _need("Nguồn nước dưới đất được ưu tiên cho những mục đích gì?").asks
    assert Kind.FIGURE in _need("Mức hỗ trợ đối với Nghệ sỹ ưu tú?").asks


def test_a_sentence_states_a_duration_a_date_an_amount_or_a_body():
    assert states("giải quyết kinh phí trong 07 ngày làm việc.", Kind.DURATION)
    assert not states("Trước ngày 20 tháng 12 hằng năm", Kind.DURATION)
    assert states("Trước ngày 20 tháng 12 hằng năm", Kind.DATE)
    assert states("Mức cho vay tối đa đối với người lao động là 300 triệu đồng", Kind.AMOUNT)
    assert states("Sở Nội vụ chủ trì, phối hợp với Sở Tài chính", Kind.BODY)
    assert not states("các sở, ngành chủ trì triển khai", Kind.BODY)
    # a document number, a year or an article is no figure
    assert not states("Căn cứ Nghị quyết 24 và Quyết định số 931/QĐ-UBND năm 2022, Điều 3", Kind.FIGURE)


def test_the_unit_and_the_bound_named_by_the_question_are_read():
    need = _need("Thời hạn trả lời kiến nghị tối đa là bao nhiêu ngày làm việc?")
    assert need.unit == ("ngay", "lam") and need.bound == "max"
    assert _feature("Chậm nhất trong 20 ngày làm việc, kể từ ngày nhận được kiến nghị", need, "unit") == 1
    assert _feature("Thời hạn trả lời không quá 20 ngày làm việc", need, "bound") == 1
    assert _feature("thời gian tối thiểu là 20 ngày làm việc", need, "other_bound") == 1


def test_a_negation_before_a_question_term_is_seen_and_a_bound_is_no_negation():
    need = _need("Khi có khiếu nại, Chủ tịch UBND xã phải kết luận trong thời hạn bao nhiêu ngày làm việc?")
    no = "Trong thời hạn 03 ngày làm việc, kể từ ngày hồ sơ được xét duyệt và không có khiếu nại, Chủ tịch quyết định"
    yes = "Trường hợp có khiếu nại, trong thời hạn 07 ngày làm việc, Chủ tịch tổ chức xem xét, kết luận"
    assert _feature(no, need, "negates_term") == 1 and _feature(yes, need, "negates_term") == 0
    assert _feature("thời gian vận hành không quá 45 phút/ca", need, "negation") == 0


def test_front_matter_is_told_from_content():
    need = _need("Kế hoạch đặt chỉ tiêu tỷ lệ doanh nghiệp nữ làm chủ bao nhiêu phần trăm?")
    preamble = ("Trên cơ sở các văn bản chỉ đạo của Trung ương, Ủy ban nhân dân Thành phố ban hành Kế hoạch triển "
                "khai các nhiệm vụ trọng tâm với nội dung cụ thể như sau:")
    assert _feature(preamble, need, "preamble") == 1
    assert _feature("Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;", need, "preamble") == 1
    assert _feature("(Ban hành kèm theo Quyết định số 161/2025/QĐ-UBND ngày 23/11/2025)", need, "front") == 1
    assert _feature("Tỷ lệ nữ làm chủ doanh nghiệp đạt ít nhất 27%.", need, "preamble") == 0
    assert _feature("Thực hiện Quyết định số 1850/QĐ-TTg của Thủ tướng Chính phủ;", need, "cites_other") == 1


def test_the_condition_is_read_in_the_clause_that_states_the_value():
    need = _need("Ngân sách thành phố hỗ trợ xã A Lưới bao nhiêu phần trăm?")
    s = ("Ngân sách xã hỗ trợ 40% và các nguồn xã hội hóa khác là 10%; riêng các xã A Lưới 1, A Lưới 2 ngân sách "
         "thành phố hỗ trợ 80%")
    other = "Ngân sách thành phố hỗ trợ 50%; ngân sách xã hỗ trợ 40% và xã A Lưới được ưu tiên."
    assert _feature(s, need, "near_value") > _feature(other, need, "near_value")


def test_a_question_on_what_a_document_is_about_prefers_its_title_subject():
    need = _need("172/2025/NĐ-CP")
    assert need.for_what and _need("thông tư 58/2025/TT-BCT quy định về gì").for_what
    title = "NGHỊ ĐỊNH Quy định về xử lý kỷ luật cán bộ, công chức"
    subject = features("Quy định về xử lý kỷ luật cán bộ, công chức", need, title=title)
    kind = features("NGHỊ ĐỊNH", need, title=title)
    assert subject[FEATURES.index("subject_for_what")] > 0.9
    assert score(subject) > score(kind)


def test_the_fitted_weights_name_every_feature():
    from pipeline.ask.weights import WEIGHTS

    assert set(WEIGHTS) == set(FEATURES)


def test_the_case_the_question_names_decides_between_two_deadlines(seed_index_fake):
    """qd-97-2025-ubnd.md: 07 working days when the request qualifies, 04 to refuse one that does not."""
    answerer = open_answerer(seed_index_fake, model=FakeEmbedder())
    no = answerer.ask("Nghệ An: trường hợp không đủ điều kiện hỗ trợ tư vấn pháp luật thì trả lời doanh nghiệp "
                      "trong bao nhiêu ngày làm việc?")
    assert "04 ngày làm việc" in no.text and "07 ngày" not in no.text
    yes = answerer.ask("Nghệ An: trường hợp đủ điều kiện thì quyết định hỗ trợ kinh phí tư vấn pháp luật cho doanh "
                       "nghiệp trong bao nhiêu ngày làm việc?")
    assert "07 ngày làm việc" in yes.text and "04 ngày" not in yes.text
    # most words of this one are in the refusal, negated ("không thuộc phạm vi …"): the term count alone
    # (the scorer before the features) answered with the 04 days
    within = answerer.ask("Nội dung tư vấn thuộc phạm vi hợp đồng dịch vụ tư vấn pháp luật giữa tư vấn viên và doanh "
                          "nghiệp nhỏ và vừa thì Sở Tư pháp giải quyết kinh phí trong bao nhiêu ngày làm việc?")
    assert "07 ngày làm việc" in within.text and "04 ngày" not in within.text


def test_a_letterhead_or_a_bare_document_type_is_no_answer_to_what_a_document_is_about():
    need = _need("172/2025/nđ-cp")  # accents restored, the code left in lower case
    assert need.for_what and "172" in need.numbers
    assert _feature("BỘ TÀI CHÍNH CỤC THUẾ", need, "letterhead", issuer="BỘ TÀI CHÍNH CỤC THUẾ") == 1
    assert _feature("NGHỊ ĐỊNH", need, "letterhead") == 1
    assert _feature("Quy định về xử lý kỷ luật cán bộ, công chức", need, "letterhead", issuer="CHÍNH PHỦ") == 0
    # a question about a passage's content is not about a document, even when it ends in "gì"
    assert not _need("Nguồn nước dưới đất được ưu tiên cho những việc gì?").for_what


def test_a_count_is_not_an_anniversary():
    need = _need("Có bao nhiêu học sinh đạt giải học sinh giỏi cấp tỉnh?")
    assert _feature("kỷ niệm 65 năm Ngày Bác Hồ về thăm Hà Tĩnh và 15 năm thành lập Thành phố", need, "kind") == -1
    assert _feature("toàn thành phố có 36 em đạt HS giỏi cấp quốc gia, 639 em đạt HS giỏi cấp tỉnh", need, "kind") == 1


def test_a_document_the_question_names_is_not_another_one():
    need = _need("quyết định 161/2025 ninh bình ban hành quy chế về hệ thống nào")
    assert need.for_what
    own = "(Ban hành kèm theo Quyết định số 161/2025/QĐ-UBND ngày 23/11/2025 của Ủy ban nhân dân tỉnh Ninh Bình)"
    assert _feature(own, need, "cites_other") == 0
    assert _feature("Căn cứ Nghị định số 30/2020/NĐ-CP về công tác văn thư;", need, "cites_other") == 1


def test_a_question_for_a_code_asks_a_code_and_a_procedures_code_states_one():
    assert _need("Thủ tục cấp lại giấy phép có mã số nào?").asks == {Kind.CODE}  # "mã số nào" is no "sở nào"
    assert Kind.BODY in _need("Sở nào chủ trì?").asks
    assert states("1.014465 Thủ tục cấp lại giấy chứng nhận", Kind.CODE)
    assert states("Mã số: QT-01", Kind.CODE)
    assert not states("mức thu 1.500.000 đồng", Kind.CODE)  # an amount is no code
    assert not states("tăng 2,5% so với năm 2024", Kind.CODE)


def test_a_sentence_stating_only_one_of_two_kinds_asked_half_meets_the_question():
    need = _need("Cơ quan nào chủ trì và thực hiện năm nào?")
    assert _feature("Sở Tài chính chủ trì, thực hiện năm 2026", need, "kind") == 1  # "năm nào": a year states it
    assert _feature("Sở Tài chính chủ trì", need, "kind") == 0
    assert _feature("các sở chủ trì thực hiện", need, "kind") == -1


def test_a_row_that_abbreviates_what_the_question_spells_out_covers_it():
    # Cà Mau's budget plan prints "TỔNG CHI NSĐP" two rows above "BỘI CHI NGÂN SÁCH ĐỊA PHƯƠNG"
    need = _need("Tổng chi ngân sách địa phương dự kiến năm 2027 là bao nhiêu?")
    total = "TỔNG CHI NSĐP · Dự kiến năm 2027: 29.284.105 (Triệu đồng)"
    deficit = "BỘI CHI NGÂN SÁCH ĐỊA PHƯƠNG · Dự kiến năm 2027: 187.087 (Triệu đồng)"
    assert _feature(total, need, "cover") > _feature(deficit, need, "cover")
    # and the other way round: a question typing the abbreviation is covered by the words spelled out
    short = _need("Chi NSĐP năm 2027 là bao nhiêu?")
    assert _feature(deficit, short, "cover") > _feature("Chi thường xuyên năm 2027: 17.000", short, "cover")
