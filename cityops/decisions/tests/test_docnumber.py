import pytest

from cityops.decisions.docnumber import DocNumber, DocNumberError, parse_doc_number


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("通政办发〔2022〕12号", DocNumber("通政办发", 2022, 12)),
        ("内政办字〔2021〕14号", DocNumber("内政办字", 2021, 14)),
        ("中办发〔2012〕14号", DocNumber("中办发", 2012, 14)),
        (" 通政发〔2023〕1号 ", DocNumber("通政发", 2023, 1)),
    ],
)
def test_valid_numbers(text: str, parsed: DocNumber) -> None:
    assert parse_doc_number(text, current_year=2026) == parsed
    assert str(parsed) == text.strip()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("通政办发[2022]12号", "hexagonal"),
        ("通政办发（2022）12号", "hexagonal"),
        ("通政办发〔2022〕012号", "leading zeros"),
        ("通政办发〔22〕12号", "four digits"),
        ("通政办发〔2022〕第12号", "第"),
        ("通政办发〔1992〕字第36号", "第"),
        ("通政办发〔2022〕12", "looks like"),
        ("〔2022〕12号", "looks like"),
        ("通政办发〔2099〕1号", "plausible"),
    ],
)
def test_invalid_numbers_say_why(text: str, why: str) -> None:
    with pytest.raises(DocNumberError) as err:
        parse_doc_number(text, current_year=2026)
    assert why in str(err.value)
