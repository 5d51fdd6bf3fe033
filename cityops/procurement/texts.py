"""What each statutory rule says, in the user's language (decisions-and-reform.md §3.2)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RULE_TITLES: dict[str, Promise] = {
    "P1": _("the procurement intention is published at least %(n)s %(unit)s before the documents"),
    "P3": _("the tender documents are available for at least %(n)s %(unit)s"),
    "P9": _("the consultation documents are available for at least %(n)s %(unit)s"),
    "P4": _("at least %(n)s %(unit)s from issuing the tender documents to the bid deadline"),
    "P8": _("at least %(n)s %(unit)s from issuing the consultation documents to the deadline"),
    "P5": _("a clarification that may affect the bids is issued at least %(n)s %(unit)s before "
            "the bid deadline, otherwise the deadline is postponed"),
    "P10": _("a clarification of consultation documents is issued at least %(n)s %(unit)s "
             "before the deadline, otherwise the deadline is postponed"),
    "P2": _("the tender notice is published for %(n)s %(unit)s before the bid deadline"),
    "P15": _("the single-source supplier and the reasons are published for at least %(n)s "
             "%(unit)s before the deal"),
    "P16": _("the purchaser answers a supplier's inquiry within %(n)s %(unit)s"),
    "P21": _("the finance department decides a complaint within %(n)s %(unit)s of receiving it"),
    "P22": _("the procurement is suspended during a complaint for at most %(n)s %(unit)s"),
    "P27": _("the bid bonds are refunded within %(n)s %(unit)s of the award notice (other "
             "bidders) or of signing the contract (the winner)"),
    "P6": _("the bids are opened at the bid deadline"),
    "P11": _("the evaluation report reaches the purchaser within %(n)s %(unit)s"),
    "P12": _("the purchaser decides the winner within %(n)s %(unit)s of receiving the report"),
    "P13": _("the award is announced within %(n)s %(unit)s of deciding the winner"),
    "P14": _("the award announcement period is %(n)s %(unit)s"),
    "P17": _("a supplier challenges within %(n)s %(unit)s of knowing of the harm"),
    "P19": _("the purchaser answers a challenge within %(n)s %(unit)s of receiving it"),
    "P20": _("a complaint may be filed within %(n)s %(unit)s after the answer period"),
    "P23": _("the contract is signed within %(n)s %(unit)s of the award notice"),
    "P24": _("the contract is published within %(n)s %(unit)s of signing"),
    "P25": _("a copy of the contract is filed within %(n)s %(unit)s of signing"),
    "ORD-EVAL": _("the evaluation ends after the bids are opened"),
    "ORD-REPORT": _("the report comes after the evaluation"),
    "ORD-WINNER": _("the winner is decided after the report"),
    "ORD-AWARD": _("the award is announced after the winner is decided"),
    "ORD-SIGN": _("the contract is signed after the award is announced"),
    "ORD-PUB": _("the contract is published after it is signed"),
    "ORD-FILE": _("the contract is filed after it is signed"),
}  # fmt: skip

UNITS: dict[str, Promise] = {"cd": _("calendar days"), "wd": _("working days")}

STEP_TITLES: dict[str, Promise] = {
    "intention_published": _("Intention published"),
    "documents_issued": _("Documents issued"),
    "documents_until": _("Documents available until"),
    "clarification": _("Clarification"),
    "bid_deadline": _("Bid / response deadline"),
    "bids_opened": _("Bids opened"),
    "evaluation_ended": _("Evaluation ended"),
    "report_received": _("Evaluation report received"),
    "winner_decided": _("Winner decided"),
    "award_announced": _("Award announced"),
    "contract_signed": _("Contract signed"),
    "contract_published": _("Contract published"),
    "contract_filed": _("Contract filed"),
}


def rule_text(code: str, amount: int, day_type: str) -> str:
    title = RULE_TITLES.get(code)
    if title is None:
        return code
    return str(title) % {"n": amount, "unit": UNITS.get(day_type, day_type)}
