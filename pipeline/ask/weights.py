"""The weight of each answer-selection feature (`features.FEATURES`), fitted by ``bench/fit_select.py``.

Fitted on 168 questions over 68 documents (corpus, extra, dev): the right sentence chosen for 117 in-sample,
114 leaving documents out (10 folds).
"""

WEIGHTS: dict[str, float] = {
    "cover": 2.061,
    "lex": 1.104,
    "focus": 1.501,
    "near_value": 2.224,
    "kind": 1.660,
    "no_kind": -1.660,
    "unit": 1.119,
    "bound": 0.992,
    "other_bound": -0.002,
    "negation": 0.029,
    "negates_term": -0.016,
    "both_negated": 0.853,
    "preamble": -1.896,
    "front": -1.093,
    "cites_other": -0.612,
    "subject_for_what": 2.327,
    "subject": -1.083,
    "novelty": 1.212,
    "title_for_what": -0.081,
    "title": -0.161,
    "year": 0.027,
    "code_missing": -0.804,
    "rank": -1.943,
    "length": -1.376,
}
