"""The weight of each answer-selection feature (`features.FEATURES`), fitted by ``bench/fit_select.py``.

Fitted on 167 questions over 67 documents (qa_corpus, qa_extra, dev_qa): the right sentence chosen for 146 in-
sample, 141 leaving documents out (68 folds).
"""

WEIGHTS: dict[str, float] = {
    "cover": 1.278,
    "lex": 2.681,
    "focus": 1.852,
    "context": 0.090,
    "near_value": 1.096,
    "kind": 2.461,
    "unit": 1.818,
    "bound": 1.074,
    "other_bound": -0.027,
    "negation": -0.419,
    "negates_term": -0.738,
    "both_negated": 0.466,
    "preamble": -1.163,
    "front": -0.552,
    "cites_other": -1.097,
    "subject_for_what": 0.982,
    "subject": -0.555,
    "novelty": -1.141,
    "letterhead": -0.758,
    "title_for_what": -0.521,
    "title": 0.003,
    "year": 0.331,
    "code_missing": -0.219,
    "rank": -1.911,
    "length": -0.936,
    "cell": 0.550,
    "table_row": -1.407,
    "row_named": 0.900,
    "column_focus": -0.424,
    "column_year": 1.556,
    "row_for_two": -0.336,
    "doc_title": 0.732,
}
