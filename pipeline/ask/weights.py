"""The weight of each answer-selection feature (`features.FEATURES`), fitted by ``bench/fit_select.py``.

Fitted on 168 questions over 68 documents (corpus, extra, dev): the right sentence chosen for 113 in-sample,
112 leaving documents out (10 folds).
"""

WEIGHTS: dict[str, float] = {
    "cover": 0.872,
    "lex": 1.285,
    "focus": 0.941,
    "near_value": 1.138,
    "kind": 1.267,
    "no_kind": -1.267,
    "unit": 0.702,
    "bound": 0.535,
    "other_bound": -0.002,
    "negation": -0.018,
    "both_negated": 0.321,
    "preamble": -1.096,
    "front": -0.592,
    "novelty": 0.342,
    "title_for_what": 0.295,
    "title": 0.001,
    "year": 0.181,
    "code_missing": -0.153,
    "rank": -1.631,
    "length": -0.496,
}
