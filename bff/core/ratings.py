"""Rules of the rating (好差评): scores, tags, comments, who may rate when, follow-ups (pure).

Zhejiang's 好差评 rule: five levels with tags; a bad rating gets a call-back within one
working day and a fix within 15; the resident may then rate once more. So: one rating per
application; after a bad one (score ≤ 2) the service desk calls back and records it, and then
exactly one re-rating is allowed; never more.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bff.core.applications import COMPLETED, PARTIALLY_REJECTED
from bff.core.errors import Conflict, ValidationFailed
from bff.core.text import Text

RATEABLE_STATUSES = frozenset({COMPLETED, PARTIALLY_REJECTED})
SCORES = (1, 2, 3, 4, 5)
BAD_SCORE = 2  # ≤ this is a 差评: it needs a follow-up
FOLLOW_UP_WORKING_DAYS = 1  # call back within one working day
COMMENT_MAX = 500
MAX_RATINGS = 2  # the first rating, plus one re-rating after a bad one

# code -> (text, good?) — the order is the order the page shows them in.
TAGS: dict[str, tuple[Text, bool]] = {
    "fast": (Text("办事快捷", "Quick to get done"), True),
    "no_trips": (Text("不用跑腿", "No trips needed"), True),
    "fewer_materials": (Text("材料少", "Few documents needed"), True),
    "clear": (Text("指引清楚", "Clear guidance"), True),
    "helpful": (Text("服务热情", "Friendly, helpful service"), True),
    "slow": (Text("等待时间长", "Long wait"), False),
    "complicated": (Text("流程复杂", "Complicated process"), False),
    "asked_again": (Text("重复提交材料", "Asked again for documents"), False),
    "confusing": (Text("说明看不懂", "Hard to understand"), False),
    "unhelpful": (Text("服务态度差", "Unhelpful service"), False),
}

# The comment is kept in the event (staff read it when they call back): no ID or mobile numbers.
_LOOKS_PERSONAL = re.compile(r"\d{15}|\d{17}[\dXx]|1\d{10}")

NOT_RATEABLE = Text("办件办结后才能评价。", "You can rate once the application is finished.")
ALREADY_RATED = Text("您已评价过这份申请。", "You have already rated this application.")
RERATED = Text("您已重新评价过，不能再次修改。", "You have already rated this application again.")
WAIT_FOR_FOLLOW_UP = Text("服务专员回访后，您可以重新评价一次。",
                          "You can rate once more after the service desk has called you back.")
NO_FOLLOW_UP_NEEDED = Text("这份申请没有需要回访的差评。", "This application has no bad rating waiting for a call-back.")
FOLLOWED_UP = Text("已记录过这次回访。", "This call-back was already recorded.")


@dataclass(frozen=True)
class RatingInput:
    score: int
    tags: tuple[str, ...]
    comment: str | None

    def event_data(self, number: str) -> dict[str, Any]:
        data: dict[str, Any] = {"number": number, "score": self.score, "tags": list(self.tags)}
        if self.comment:
            data["comment"], data["comment_length"] = self.comment, len(self.comment)
        return data


def tag_list() -> list[dict[str, Any]]:
    return [{"code": code, "text": text.as_dict(), "good": good} for code, (text, good) in TAGS.items()]


def check_rating(score: Any, tags: Sequence[str] | None, comment: str | None) -> RatingInput:
    """Validate a rating; field errors in both languages."""
    errors: dict[str, list[Text]] = {}
    if not isinstance(score, int) or isinstance(score, bool) or score not in SCORES:
        errors["score"] = [Text("请选择 1 到 5 分。", "Choose a score from 1 to 5.")]
    unknown = [tag for tag in tags or () if tag not in TAGS]
    if unknown:
        errors["tags"] = [Text("有无法识别的评价标签。", "Some tags are not in the list.")]
    text = " ".join((comment or "").split()) or None
    if text and len(text) > COMMENT_MAX:
        errors["comment"] = [Text("意见不能超过500个字。", "Keep the comment under 500 characters.")]
    elif text and _LOOKS_PERSONAL.search(text):
        errors["comment"] = [Text("意见中请勿填写身份证号或手机号。", "Do not write ID or mobile numbers in the comment.")]
    if errors:
        raise ValidationFailed(Text("评价内容有误，请检查。", "Please check your rating."),
                               code="rating_invalid", errors=errors)
    return RatingInput(score=score, tags=tuple(dict.fromkeys(tags or ())), comment=text)


def is_bad(score: int) -> bool:
    return score <= BAD_SCORE


def check_may_rate(application_status: str, previous_scores: Sequence[int], followed_up: bool = False) -> None:
    """Raise unless the application is finished and the resident still has a rating to give.

    ``previous_scores`` are this application's earlier ratings, oldest first; ``followed_up``
    says the service desk has called back about the last (bad) one.
    """
    if application_status not in RATEABLE_STATUSES:
        raise Conflict(NOT_RATEABLE, code="not_rateable")
    if not previous_scores:
        return
    if len(previous_scores) >= MAX_RATINGS:
        raise Conflict(RERATED, code="already_rated")
    if not is_bad(previous_scores[0]):
        raise Conflict(ALREADY_RATED, code="already_rated")
    if not followed_up:
        raise Conflict(WAIT_FOR_FOLLOW_UP, code="follow_up_pending")


def may_rate(application_status: str, previous_scores: Sequence[int], followed_up: bool = False) -> bool:
    try:
        check_may_rate(application_status, previous_scores, followed_up)
    except Conflict:
        return False
    return True


def check_may_follow_up(previous_scores: Sequence[int], followed_up: bool) -> None:
    """The service desk records a call-back only for a bad last rating, once."""
    if not previous_scores or not is_bad(previous_scores[-1]):
        raise Conflict(NO_FOLLOW_UP_NEEDED, code="no_follow_up_needed")
    if followed_up:
        raise Conflict(FOLLOWED_UP, code="already_followed_up")
