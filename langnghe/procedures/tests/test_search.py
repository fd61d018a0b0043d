import json

import pytest

from langnghe.procedures import selectors
from langnghe.procedures.models import Procedure
from langnghe.procedures.search import analyze, telex_decode
from langnghe.procedures.services import BUNDLED_CATALOGUE

pytestmark = pytest.mark.django_db

# The hardest queries of the evaluation set, plus a few written only for these tests.
HARD_QUERIES = [
    ("cho em hỏi làm căn cước cho con 14 tuổi cần gì", "cap-the-can-cuoc"),
    ("lamf cawn cuwowcs", "cap-the-can-cuoc"),  # Telex left unconverted
    ("hochieu", "cap-ho-chieu-pho-thong"),  # words run together
    ("lam ho chiu", "cap-ho-chieu-pho-thong"),  # typo
    ("đăng kí tạm chú", "dang-ky-tam-tru"),  # wrong letters (tr/ch), kí/ký
    ("bố em mất rồi cắt khẩu thế nào", "xoa-dang-ky-thuong-tru"),
    ("mat cccd", "cap-lai-the-can-cuoc"),
    ("doi cccd khi du 25 tuoi", "cap-doi-the-can-cuoc"),
    ("ct07 lam o dau", "xac-nhan-thong-tin-cu-tru"),
    ("mất cà vẹt xe máy", "cap-doi-cap-lai-dang-ky-xe"),
    ("bằng B2 sắp hết hạn đổi ở đâu", "cap-doi-giay-phep-lai-xe"),
    ("lam lltp tren vneid", "cap-phieu-ly-lich-tu-phap"),
    ("nhặt được quả lựu đạn ngoài vườn", "giao-nop-vu-khi-vat-lieu-no"),
    (
        "Cho mình hỏi đăng ký thường trú cho con mới sinh thì cần những giấy tờ gì ạ",
        "dang-ky-thuong-tru",
    ),
    ("sang ten xe may cu mat may ngay", "sang-ten-xe"),
    ("gplx het han doi online duoc ko", "cap-doi-giay-phep-lai-xe"),
]


@pytest.mark.parametrize(("query", "expected"), HARD_QUERIES)
def test_hard_queries_find_the_right_procedure_first(catalogue, query, expected):
    hits = selectors.procedure_search(q=query, limit=3)
    assert hits and hits[0].code == expected, [h.code for h in hits]


def test_question_words_are_dropped_but_card_words_kept():
    assert analyze("cho em hỏi làm căn cước như thế nào") == ["can", "cuoc"]
    # "thẻ" folds to "the" like "thế": kept; "tội phạm" keeps "tội" although "tôi" is dropped.
    assert analyze("thẻ căn cước") == ["the", "can", "cuoc"]
    assert analyze("tôi tố giác tội phạm") == ["to", "giac", "toi", "pham"]
    # "mất bao lâu" asks about time, not about a lost card.
    assert "mat" not in analyze("làm căn cước mất bao lâu")


def test_telex_decoding():
    assert telex_decode("cuwowcs") == "cuoc"
    assert telex_decode("hoj") == "ho"


def test_same_ranking_for_folded_and_accented_queries(catalogue):
    accented = selectors.procedure_search(q="đăng ký tạm trú", limit=5)
    folded = selectors.procedure_search(q="DANG KY TAM TRU", limit=5)
    assert [h.code for h in accented] == [h.code for h in folded]


@pytest.mark.parametrize("query", ["", "   ", "!!!", "???...", "@#$%^&*", "🙂🙂"])
def test_empty_or_symbol_only_queries_give_nothing(catalogue, query):
    assert selectors.procedure_search(q=query) == []
    assert selectors.procedure_answer(query) is None


def test_unrelated_query_gives_no_answer(catalogue):
    assert selectors.procedure_answer("thời tiết hôm nay đẹp quá") is None


def test_answer_for_a_whole_question(catalogue):
    answer = selectors.procedure_answer("cho em hỏi làm hộ chiếu cho con cần gì, mất bao lâu")
    assert answer is not None
    assert answer.procedure.code == "cap-ho-chieu-pho-thong"
    for part in ["Hộ chiếu", "Thời hạn", "Lệ phí", "PA08", "TK01", "/thu-tuc/"]:
        assert part.lower() in answer.text.lower()


def test_index_follows_catalogue_changes(catalogue):
    from langnghe.procedures.services import procedure_catalogue_load

    data = json.loads(BUNDLED_CATALOGUE.read_text(encoding="utf-8"))
    item = next(p for p in data["procedures"] if p["code"] == "cap-tem-ab")
    item["aliases"] = [*item["aliases"], "zorblax"]
    procedure_catalogue_load(data=data)
    # The writer's process rebuilds at once (on_commit in production, here: version check).
    selectors.search_index_invalidate()
    assert selectors.procedure_search(q="zorblax")[0].code == "cap-tem-ab"
    assert Procedure.objects.count() == catalogue.total


def test_eval_set_is_large_and_references_real_procedures():
    from langnghe.procedures.management.commands.eval_search import EVAL_FILE

    queries = json.loads(EVAL_FILE.read_text(encoding="utf-8"))["queries"]
    codes = {p["code"] for p in json.loads(BUNDLED_CATALOGUE.read_text("utf-8"))["procedures"]}
    assert len(queries) >= 150
    assert all(set(q["expected"]) <= codes for q in queries)
    assert len({q["q"] for q in queries}) == len(queries)


def test_index_from_the_database_ranks_exactly_like_the_data_file(catalogue):
    """The index is built from stored rows only, so SQLite and PostgreSQL rank alike: both
    must equal the ranking of an index built straight from the shipped file."""
    from langnghe.procedures.management.commands.eval_search import EVAL_FILE
    from langnghe.procedures.search import SearchIndex

    data = json.loads(BUNDLED_CATALOGUE.read_text(encoding="utf-8"))["procedures"]
    from_file = SearchIndex.build(
        [
            selectors.index_row(
                code=p["code"],
                name=p["name"],
                field=p["field"],
                aliases=p["aliases"],
                summary=p["summary"],
                search_weight=p.get("search_weight", 1.0),
            )
            for p in data
        ]
    )
    from_db = selectors.search_index()
    for item in json.loads(EVAL_FILE.read_text(encoding="utf-8"))["queries"]:
        assert from_db.search(item["q"], limit=5) == from_file.search(item["q"], limit=5)


def test_the_word_memo_changes_no_ranking_and_stays_bounded(catalogue, monkeypatch):
    """Each query of the evaluation set and the hard queries, asked of an index whose word
    memo is warm from every other query, ranks exactly as it does with the memo empty; a full
    memo starts afresh rather than grow."""
    from langnghe.procedures.management.commands.eval_search import EVAL_FILE
    from langnghe.procedures.search import index as search_index

    queries = [item["q"] for item in json.loads(EVAL_FILE.read_text(encoding="utf-8"))["queries"]]
    queries += [q for q, _ in HARD_QUERIES]
    index = selectors.search_index()
    index._word_memo.clear()
    cold = []
    for q in queries:
        index._word_memo.clear()
        cold.append(index.search(q, limit=5))
    assert [index.search(q, limit=5) for q in queries] == cold  # the memo now warm
    assert [index.search(q, limit=5) for q in reversed(queries)] == cold[::-1]
    assert len(index._word_memo) > 100
    monkeypatch.setattr(search_index, "WORD_MEMO_SIZE", 10)
    index.search("qzxv wvkj", limit=5)  # new words: the full memo starts afresh
    assert len(index._word_memo) <= 10


def test_stop_phrases_by_first_word_drop_what_the_full_scan_drops():
    """``_drop_stops`` looks only at the stop phrases that start with each word: on sequences of
    stop words, protected pairs and others, it keeps exactly what comparing every phrase at
    every position keeps."""
    import random

    from langnghe.procedures.search import analysis as search

    def full_scan(tokens):
        protected = set()
        for i, pair in enumerate(zip(tokens, tokens[1:], strict=False)):
            if pair in search.PROTECTED_BIGRAMS:
                protected |= {i, i + 1}
        kept, i = [], 0
        while i < len(tokens):
            for phrase in search._STOP_PHRASES:
                if i not in protected and tuple(tokens[i : i + len(phrase)]) == phrase:
                    i += len(phrase)
                    break
            else:
                if tokens[i] not in search.STOP_WORDS or i in protected:
                    kept.append(tokens[i])
                i += 1
        return kept

    words = sorted(
        {w for p in search._STOP_PHRASES for w in p}
        | {w for pair in search.PROTECTED_BIGRAMS for w in pair}
        | set(search.STOP_WORDS)
        | {"ho", "chieu", "tam", "tru", "xe", "can", "cuoc"}
    )
    rnd = random.Random(7)
    for _ in range(3000):
        tokens = [rnd.choice(words) for _ in range(rnd.randint(0, 14))]
        assert search._drop_stops(tokens) == full_scan(tokens), tokens
