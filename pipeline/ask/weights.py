"""The weight of each answer-selection feature (`features.FEATURES`), fitted by ``bench/fit_select.py``.

Fitted on 168 questions over 68 documents (corpus, extra, dev): the right sentence chosen for 120 in-sample,
117 leaving documents out (10 folds).
"""

WEIGHTS: dict[str, float] = {
    "cover": 2.092,
    "lex": 0.982,
    "focus": 1.586,
    "context": 0.747,
    "near_value": 2.392,
    "kind": 1.658,
    "no_kind": -1.658,
    "unit": 1.119,
    "bound": 1.403,
    "other_bound": -0.034,
    "negation": 0.016,
    "negates_term": -0.790,
    "both_negated": 0.769,
    "preamble": -1.817,
    "front": -1.102,
    "cites_other": -0.735,
    "subject_for_what": 2.126,
    "subject": -1.146,
    "novelty": 1.042,
    "letterhead": -1.488,
    "title_for_what": 0.380,
    "title": -0.046,
    "year": 0.051,
    "code_missing": -0.611,
    "rank": -1.974,
    "length": -1.303,
}
