"""The weight of each answer-selection feature (`features.FEATURES`), fitted by ``bench/fit_select.py``.

Fitted on 168 questions over 68 documents (corpus, extra, dev): the right sentence chosen for 120 in-sample,
117 leaving documents out (10 folds).
"""

WEIGHTS: dict[str, float] = {
    "cover": 2.127,
    "lex": 0.985,
    "focus": 1.580,
    "context": 0.719,
    "near_value": 2.265,
    "kind": 1.805,
    "unit": 1.114,
    "bound": 1.368,
    "other_bound": -0.032,
    "negation": 0.017,
    "negates_term": -0.791,
    "both_negated": 0.770,
    "preamble": -1.842,
    "front": -1.098,
    "cites_other": -0.747,
    "subject_for_what": 2.127,
    "subject": -1.194,
    "novelty": 1.022,
    "letterhead": -1.487,
    "title_for_what": 0.373,
    "title": -0.064,
    "year": 0.043,
    "code_missing": -0.604,
    "rank": -1.983,
    "length": -1.325,
}
