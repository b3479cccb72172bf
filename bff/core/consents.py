"""Heirs' consent for inheritance items: who must answer, what an answer may be, and what follows.

Pure rules (no IO). An application whose bundle has items declaring ``consent: heirs`` asks every
first-order statutory heir of the deceased (spouse, children, parents; alive, per the population
registry) to agree that the applicant receives the balances on their behalf. The applicant is an
heir too and agrees by submitting. The items wait (case ``hold``) until the answers settle:

- every heir agreed or renounced (放弃继承) → the hold is cleared and the items go on;
- one heir declined, or the deadline passed with an answer missing → the notarised path: the
  items wait for the one document a notary issues (an upload), which then clears the hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bff.core.calendar import add_working_days
from bff.core.errors import Conflict, ValidationFailed
from bff.core.ports import Relative
from bff.core.text import Text

PENDING, AGREED, DECLINED, RENOUNCED = "pending", "agreed", "declined", "renounced"
DECISIONS = (PENDING, AGREED, DECLINED, RENOUNCED)
ANSWERS = (AGREED, DECLINED, RENOUNCED)  # what an heir may send
ENDED = "ended"  # the application was withdrawn, or its inheritance cases ended, while the answer was pending
LAPSED = "expired"  # the deadline passed with no answer (set by the sweep)
FIRST_ORDER = ("spouse", "child", "parent")  # 《民法典》第一千一百二十七条: the first order of succession
DEADLINE_WORKING_DAYS = 10

# The outcome of an application's consents, and the hold its inheritance cases carry meanwhile.
OUTCOME_PENDING, OUTCOME_AGREED, OUTCOME_DECLINED = "pending", "agreed", "declined"

# The undertaking (承诺书) each heir signs on the small-balance path; its version is stored with the answer.
UNDERTAKING_VERSION = "2024-06"
UNDERTAKING = Text(
    "本人承诺：本人是被继承人的第一顺序法定继承人，所填信息真实；同意由申请人代为领取上述账户余额，"
    "如有其他继承人主张权利，由本人与申请人依法承担相应责任。",
    "I declare that I am a first-order statutory heir of the deceased and that what I state is true; I agree "
    "that the applicant receives the balances above, and I answer with the applicant under the law should "
    "another heir claim them.")

ALREADY_ANSWERED = Text("您已经作出过选择，不能重复提交；如需更改请联系申请人或客服。",
                        "You have already answered; the first answer stands. "
                        "Contact the applicant or the service desk to change it.")
EXPIRED = Text("已过期：确认期限已过，相关事项已转为公证办理。",
               "Expired: the time to answer has passed; these items now need a notarised certificate.")
ENDED_MESSAGE = Text("申请已撤回或继承事项已终止，无需再确认。",
                      "The application was withdrawn or the inheritance items ended; no answer is needed.")
UNDERTAKING_NEEDED = Text("请阅读并勾选承诺书。", "Please read and tick the undertaking.")


@dataclass(frozen=True)
class Heir:
    """A first-order heir as the registry knows them (``id_number`` stays on the server)."""

    ref: str
    name: str
    id_number: str
    relation: str  # spouse | child | parent: who the heir is to the deceased


def first_order_heirs(relatives: Iterable[Relative]) -> list[Heir]:
    """The deceased's living spouse, children and parents, in the registry's order, each once."""
    heirs: dict[str, Heir] = {}
    for relative in relatives:
        if relative.relation in FIRST_ORDER and relative.died is None and relative.id_number:
            heirs.setdefault(relative.id_number.upper(), Heir(relative.ref, relative.name,
                                                              relative.id_number.upper(), relative.relation))
    return list(heirs.values())


def deadline_for(asked_on: date, working_days: int = DEADLINE_WORKING_DAYS) -> date:
    """The last day to answer: ``working_days`` working days after the day the heirs were asked."""
    return add_working_days(asked_on, working_days)


def is_expired(deadline: date, today: date) -> bool:
    return today > deadline


def check_answer(current: str, answer: str, *, deadline: date, today: date, undertaking: bool,
                 undertaking_needed: bool) -> None:
    """Refuse a second answer (the first stays), a late one, or an agreement without the undertaking."""
    if current == ENDED:
        raise Conflict(ENDED_MESSAGE, code="consent_ended")
    if current == LAPSED:
        raise Conflict(EXPIRED, code="consent_expired")
    if current != PENDING:
        raise Conflict(ALREADY_ANSWERED, code="consent_already_answered")
    if is_expired(deadline, today):
        raise Conflict(EXPIRED, code="consent_expired")
    if answer == AGREED and undertaking_needed and not undertaking:
        raise ValidationFailed(UNDERTAKING_NEEDED, code="undertaking_needed", errors={"undertaking": [UNDERTAKING_NEEDED]})


def outcome(decisions: Sequence[str], *, expired: bool = False) -> str:
    """``declined`` when an heir declined (or time ran out with answers missing), ``agreed`` when every
    heir agreed or renounced, else ``pending``. A renouncing heir blocks nothing."""
    if DECLINED in decisions or LAPSED in decisions:
        return OUTCOME_DECLINED
    if PENDING in decisions:
        return OUTCOME_DECLINED if expired else OUTCOME_PENDING
    return OUTCOME_AGREED


def hold_for(state: str, upload_code: str | None) -> dict[str, str] | None:
    """The ``hold`` an inheritance case carries for an outcome (``None``: nothing holds it back)."""
    if state == OUTCOME_PENDING:
        return {"consent": "pending"}
    if state == OUTCOME_DECLINED:
        return {"consent": "declined", **({"upload": upload_code} if upload_code else {})}
    return None


def agreement_text(applicant_name: str, items: Sequence[Text]) -> Text:
    """What "agree" means, in the heir's words: who receives what on their behalf."""
    zh = "、".join(item.zh for item in items)
    en = "; ".join(item.en for item in items)
    return Text(f"同意由 {applicant_name} 代为领取：{zh}", f"I agree that {applicant_name} receives on my behalf: {en}")
