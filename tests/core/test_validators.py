import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.core.validators import is_safe_redirect_target, normalize_indonesian_phone


@pytest.mark.parametrize(
    "raw",
    ["0812-3456-7890", "081234567890", "+62 812 3456 7890", "62812 3456 7890", "(0812) 3456.7890"],
)
def test_indonesian_mobile_numbers_are_stored_in_one_form(raw):
    assert normalize_indonesian_phone(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["", "12345", "08", "+1 415 555 0100", "0812-ABC-7890", "0000000000",
                                 "08123456789012345"])
def test_what_is_not_an_indonesian_phone_is_refused(raw):
    with pytest.raises(ValueError):
        normalize_indonesian_phone(raw)


@pytest.mark.parametrize("target", ["/", "/account", "/orders/PK-1?tab=items"])
def test_redirects_stay_on_this_site(target):
    assert is_safe_redirect_target(target)


@pytest.mark.parametrize(
    "target",
    [None, "", "https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)",
     "evil.example/path", "/\t/evil.example", "/\n/evil.example"],
)
def test_redirects_to_other_sites_are_refused(target):
    assert not is_safe_redirect_target(target)


@given(st.text())
def test_no_text_makes_a_redirect_leave_the_site(target):
    if is_safe_redirect_target(target):
        as_browser_reads_it = "".join(ch for ch in target if ch not in "\t\n\r").replace("\\", "/")
        assert as_browser_reads_it.startswith("/") and not as_browser_reads_it.startswith("//")
