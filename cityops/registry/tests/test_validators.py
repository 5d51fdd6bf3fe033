"""Pure code validators: only the GB 32100 / GB/T 2260 ASCII alphabets are valid."""

from __future__ import annotations

import pytest

from cityops.registry.testing import make_uscc
from cityops.registry.validators import CodeError, validate_admin_code, validate_uscc

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("table", [FULL_WIDTH, ARABIC_INDIC])
def test_uscc_with_non_ascii_digits_is_refused_not_crashed(table: dict[int, str]) -> None:
    good = make_uscc(42)
    assert validate_uscc(good) == good
    bad = good[:2] + good[2:8].translate(table) + good[8:]
    with pytest.raises(CodeError):
        validate_uscc(bad)
    with pytest.raises(CodeError):
        validate_uscc(good.translate(table))


def test_admin_code_with_full_width_digits_is_refused() -> None:
    assert validate_admin_code("150502") == "150502"
    with pytest.raises(CodeError):
        validate_admin_code("150502".translate(FULL_WIDTH))
