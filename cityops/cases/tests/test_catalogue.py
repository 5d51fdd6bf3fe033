"""The catalogue: demo loader (idempotent), model rules, answer validation."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.models import Category, Question, TimeLimit
from cityops.cases.questions import QuestionSpec, clean_answers
from cityops.cases.services.catalogue import catalogue_load
from cityops.core.errors import DomainError


def test_demo_loader_is_idempotent(small_city) -> None:
    first = catalogue_load(data=CATALOGUE)
    counts = (Category.objects.count(), TimeLimit.objects.count(), Question.objects.count())
    second = catalogue_load(data=CATALOGUE)
    assert first.created == first.categories
    assert second.created == 0
    assert counts == (Category.objects.count(), TimeLimit.objects.count(), Question.objects.count())
    out = StringIO()
    call_command("load_demo_catalogue", stdout=out)
    assert "(0 new)" in out.getvalue()


def test_every_minor_class_is_complete(catalogue) -> None:
    minors = Category.objects.filter(parent__isnull=False)
    assert {c.kind for c in minors} == {"component", "event", "property", "snow"}
    for category in minors:
        category.full_clean()
        assert category.filing_condition
        assert category.closing_condition
        assert category.source_note.startswith("◐")
        assert set(category.time_limits.values_list("urgency", flat=True)) == {"normal", "urgent"}
    for question in Question.objects.all():
        question.full_clean()


def test_component_classes_link_to_the_registry_type(catalogue, small_city) -> None:
    assert catalogue["cover"].component_type == small_city.component_type


def test_category_code_rules(catalogue) -> None:
    major = catalogue["garbage"].parent
    bad = Category(kind="event", parent=major, code="0299", name="x", service_type="sanitation")
    with pytest.raises(ValidationError):
        bad.full_clean()
    wrong_kind = Category(kind="snow", parent=major, code="0109", name="x", service_type="other")
    with pytest.raises(ValidationError):
        wrong_kind.full_clean()


def test_choice_question_needs_choices(catalogue) -> None:
    q = Question(category=catalogue["garbage"], code="c", label="c", kind="single_choice")
    with pytest.raises(ValidationError):
        q.full_clean()


SPECS = [
    QuestionSpec("n", "数量", "number", True),
    QuestionSpec("s", "名称", "string", False),
    QuestionSpec("when", "时间", "datetime", False),
    QuestionSpec("one", "单选", "single_choice", False, ("a", "b")),
    QuestionSpec("many", "多选", "multiple_choice", False, ("x", "y", "z")),
]


def test_answers_are_normalised() -> None:
    cleaned = clean_answers(
        SPECS,
        {
            "n": "3.5",
            "s": "  abc ",
            "when": "2026-11-28T10:00",
            "one": "a",
            "many": ["z", "x", "z"],
        },
    )
    assert cleaned["n"] == 3.5
    assert cleaned["s"] == "abc"
    assert cleaned["when"].startswith("2026-11-28T10:00:00+08:00")
    assert cleaned["many"] == ["x", "z"]


@pytest.mark.parametrize(
    "answers",
    [{}, {"n": "many"}, {"n": True}, {"n": 1, "one": "c"}, {"n": 1, "many": ["q"]},
     {"n": 1, "when": "yesterday"}, {"n": 1, "s": "x" * 201}, {"n": 1, "other": 1}, []],
)  # fmt: skip
def test_bad_answers_are_refused(answers) -> None:
    with pytest.raises(DomainError):
        clean_answers(SPECS, answers)


@given(
    st.dictionaries(st.sampled_from(["n", "s", "one", "many", "when"]), st.text() | st.integers())
)
def test_answers_never_crash(answers) -> None:
    """Any input either cleans to JSON-safe values or raises DomainError."""
    try:
        cleaned = clean_answers(SPECS, answers)
    except DomainError:
        return
    assert set(cleaned) <= {"n", "s", "one", "many", "when"}
