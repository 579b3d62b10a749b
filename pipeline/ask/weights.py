"""The weight of each answer-selection feature (`features.FEATURES`), fitted by ``bench/fit_select.py``.

Fitted on 168 questions over 68 documents (corpus, extra, dev): the right sentence chosen for 120 in-sample,
116 leaving documents out (10 folds).
"""

WEIGHTS: dict[str, float] = {
    "cover": 2.102,
    "lex": 1.002,
    "focus": 1.537,
    "context": 0.777,
    "near_value": 2.338,
    "kind": 1.648,
    "no_kind": -1.648,
    "unit": 1.186,
    "bound": 1.435,
    "other_bound": -0.037,
    "negation": 0.112,
    "negates_term": -0.832,
    "both_negated": 0.773,
    "preamble": -1.874,
    "front": -1.009,
    "cites_other": -0.693,
    "subject_for_what": 2.282,
    "subject": -0.851,
    "novelty": 1.094,
    "title_for_what": 0.042,
    "title": -0.538,
    "year": 0.116,
    "code_missing": -0.639,
    "rank": -1.919,
    "length": -1.147,
}
