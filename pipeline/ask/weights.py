"""The weight of each answer-selection feature (`features.FEATURES`), fitted by ``bench/fit_select.py``.

Fitted on 168 questions over 68 documents (corpus, extra, dev): the right sentence chosen for 120 in-sample,
117 leaving documents out (10 folds).
"""

WEIGHTS: dict[str, float] = {
    "cover": 2.093,
    "lex": 1.009,
    "focus": 1.513,
    "context": 0.769,
    "near_value": 2.376,
    "kind": 1.649,
    "no_kind": -1.649,
    "unit": 1.141,
    "bound": 1.438,
    "other_bound": -0.039,
    "negation": 0.235,
    "negates_term": -0.124,
    "both_negated": 0.768,
    "preamble": -1.857,
    "front": -1.009,
    "cites_other": -0.674,
    "subject_for_what": 2.286,
    "subject": -0.895,
    "novelty": 1.099,
    "title_for_what": 0.051,
    "title": -0.541,
    "year": 0.121,
    "code_missing": -0.671,
    "rank": -1.900,
    "length": -1.190,
}
