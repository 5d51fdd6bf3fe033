"""Validation of answers to a category's extra questions (pure: no queries).

Answers are a JSON object ``{question_code: value}``. Values are normalised to JSON types:
numbers to int/float, datetimes to ISO 8601 with offset, choices to their codes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cityops.cases.models.catalogue import QuestionKind
from cityops.core.errors import DomainError

MAX_STRING = 200
MAX_TEXT = 4000


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    label: str
    kind: str
    required: bool
    choices: tuple[str, ...] = ()


def _fail(spec: QuestionSpec, message: str) -> DomainError:
    return DomainError(f"{spec.label}: {message}", code="invalid_answer", field=spec.code)


def _clean_one(spec: QuestionSpec, value: Any) -> Any:
    kind = spec.kind
    if kind in (QuestionKind.STRING, QuestionKind.TEXT):
        if not isinstance(value, str):
            raise _fail(spec, _("expected text."))
        limit = MAX_STRING if kind == QuestionKind.STRING else MAX_TEXT
        text = value.strip()
        if len(text) > limit:
            raise _fail(spec, _("at most %(n)d characters.") % {"n": limit})
        return text
    if kind == QuestionKind.NUMBER:
        if isinstance(value, bool):
            raise _fail(spec, _("expected a number."))
        if isinstance(value, str):
            try:
                value = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                raise _fail(spec, _("expected a number.")) from None
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise _fail(spec, _("expected a number."))
        return value
    if kind == QuestionKind.DATETIME:
        parsed = value if isinstance(value, dt.datetime) else None
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
        if parsed is None:
            raise _fail(spec, _("expected a date and time (ISO 8601)."))
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed.isoformat()
    if kind == QuestionKind.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in spec.choices:
            raise _fail(spec, _("choose one of: %(c)s.") % {"c": ", ".join(spec.choices)})
        return value
    if kind == QuestionKind.MULTIPLE_CHOICE:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _fail(spec, _("expected a list of choices."))
        unknown = [v for v in value if v not in spec.choices]
        if unknown:
            raise _fail(spec, _("unknown choices: %(c)s.") % {"c": ", ".join(unknown)})
        return sorted(set(value), key=spec.choices.index)
    raise _fail(spec, _("unknown question type."))


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list) and len(value) == 0)


def clean_answers(
    specs: Iterable[QuestionSpec], answers: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Return normalised answers or raise DomainError naming the question and the reason."""
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise DomainError(_("Answers must be an object of question codes."), code="invalid_answer")
    by_code = {spec.code: spec for spec in specs}
    unknown = sorted(set(answers) - set(by_code))
    if unknown:
        raise DomainError(
            _("Unknown questions for this category: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="invalid_answer",
            field=unknown[0],
        )
    cleaned: dict[str, Any] = {}
    for code, spec in by_code.items():
        value = answers.get(code)
        if isinstance(value, str) and spec.kind != QuestionKind.TEXT:
            value = value.strip()
        if _is_empty(value):
            if spec.required:
                raise _fail(spec, _("an answer is required."))
            continue
        cleaned[code] = _clean_one(spec, value)
    return cleaned


def answer_lines(
    questions: Iterable[tuple[str, str, Any]], answers: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """``(question label, answer text)`` per answer for display: choice codes become their
    labels, lists are joined, unknown codes (a question deleted since) are shown as stored.

    ``questions``: ``(code, label, choices)`` with choices ``[{"code", "label"}, …]``.
    """
    known = {code: (label, choices) for code, label, choices in questions}
    lines = []
    for code, value in answers.items():
        if _is_empty(value):
            continue
        label, choices = known.get(code, (code, []))
        names = {
            str(c.get("code")): str(c.get("label")) for c in choices or [] if isinstance(c, dict)
        }
        values = value if isinstance(value, list) else [value]
        if isinstance(value, bool):
            values = [_("yes") if value else _("no")]
        lines.append((str(label), "、".join(names.get(str(v), str(v)) for v in values)))
    return lines
