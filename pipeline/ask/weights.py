"""The weight of each answer-selection feature (`features.FEATURES`), fitted by ``bench/fit_select.py``.

Fitted on 168 questions over 68 documents (corpus, extra, dev): the right sentence chosen for 120 in-sample,
117 leaving documents out (10 folds).
"""

WEIGHTS: dict[str, float] = {
    "cover": 2.104,
    "lex": 0.993,
    "focus": 1.535,
    "context": 0.764,
    "near_value": 2.291,
    "kind": 1.804,
    "unit": 1.317,
    "bound": 1.373,
    "other_bound": -0.029,
    "negation": -0.318,
    "negates_term": -0.639,
    "both_negated": 0.771,
    "preamble": -1.840,
    "front": -1.097,
    "cites_other": -0.749,
    "subject_for_what": 2.125,
    "subject": -1.171,
    "novelty": 1.093,
    "letterhead": -1.487,
    "title_for_what": 0.377,
    "title": -0.062,
    "year": 0.042,
    "code_missing": -0.598,
    "rank": -1.985,
    "length": -1.368,
}
