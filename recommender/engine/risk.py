"""Risk profile from two questionnaire answers, capped by the shopper's stated ceiling."""

from __future__ import annotations

from .constants import RISK_ANSWER_POINTS, RISK_MAX_LEVEL, RISK_MIN_LEVEL, RISK_QUESTIONS
from .errors import InvalidRequestError

# Display of each answer in the explanation.
ANSWER_TEXT = {
    "loss_reaction": {
        "a": ("亏损时会卖出", "you would sell after a loss"),
        "b": ("亏损时会继续持有", "you would hold after a loss"),
        "c": ("亏损时会加仓", "you would buy more after a loss"),
    },
    "experience": {
        "a": ("没有投资经验", "no investing experience"),
        "b": ("有一些投资经验", "some investing experience"),
        "c": ("投资经验丰富", "a lot of investing experience"),
    },
}


def score_risk(answers: dict[str, str], stated_ceiling: int | None = None) -> tuple[int, dict[str, str]]:
    """Risk level 1..5 and a bilingual explanation.

    Each answer scores a=1, b=2, c=3; the level is their sum minus one (2..6 → 1..5),
    then capped by `stated_ceiling` (e.g. 2 for "low-risk"): the questionnaire can
    lower a stated appetite, never raise it.
    """
    if not isinstance(answers, dict):
        raise InvalidRequestError("answers must be an object with loss_reaction and experience")
    normalised: dict[str, str] = {}
    for question in RISK_QUESTIONS:
        answer = str(answers.get(question) or "").strip().lower()
        if answer not in RISK_ANSWER_POINTS:
            raise InvalidRequestError(f"answers.{question} must be one of a, b, c")
        normalised[question] = answer
    if stated_ceiling is not None:
        if isinstance(stated_ceiling, bool) or not isinstance(stated_ceiling, int):
            raise InvalidRequestError("stated_ceiling must be an integer 1..5")
        if not RISK_MIN_LEVEL <= stated_ceiling <= RISK_MAX_LEVEL:
            raise InvalidRequestError(f"stated_ceiling must be between {RISK_MIN_LEVEL} and {RISK_MAX_LEVEL}")
    from_answers = sum(RISK_ANSWER_POINTS[a] for a in normalised.values()) - 1
    level = min(from_answers, stated_ceiling) if stated_ceiling is not None else from_answers
    level = max(RISK_MIN_LEVEL, min(RISK_MAX_LEVEL, level))
    zh_parts = [ANSWER_TEXT[q][normalised[q]][0] for q in RISK_QUESTIONS]
    en_parts = [ANSWER_TEXT[q][normalised[q]][1] for q in RISK_QUESTIONS]
    zh = f"根据你的回答（{'，'.join(zh_parts)}），你的风险等级是 R{level}"
    en = f"Based on your answers ({', '.join(en_parts)}), your risk level is R{level}"
    if stated_ceiling is not None and stated_ceiling < from_answers:
        zh += f"（按你说的风险偏好上限 R{stated_ceiling}）"
        en += f" (capped at R{stated_ceiling}, the risk you said you are comfortable with)"
    return level, {"zh": zh, "en": en}
