"""Caller patterns of call screening (centrex.screening.patterns): the operator's syntax,
matching, and which pattern covers which."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from centrex.screening.models import ScreeningRule
from centrex.screening.numbers import number_key
from centrex.screening.patterns import Pattern, compile_pattern, parse_pattern, parse_patterns

Action = ScreeningRule.Action


def compiled(text: str, region: str = "PL") -> Pattern:
    return compile_pattern(parse_pattern(text), region)


def matches(pattern: str, caller: str | None, region: str = "PL") -> bool:
    return compiled(pattern, region).matches(number_key(caller, region))


# --- patterns --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+48 22 123-45-67", "+48221234567"),
        ("(22) 123.45.67", "221234567"),
        ("+4822%", "+4822%"),
        ("60XXXXXXX", "60xxxxxxx"),
        ("%", "%"),
        ("Anonymous", "anonymous"),
        ("0049301234%", "0049301234%"),
    ],
)
def test_patterns_are_stored_without_separators(typed, stored):
    assert parse_pattern(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "invalid_character"),
        ("+48 22 12a 45 67", "invalid_character"),
        ("48%22", "percent_in_middle"),
        ("%%", "percent_in_middle"),
        ("48+22", "misplaced_plus"),
        ("+", "no_digits"),
        ("00", "no_digits"),
        ("1" * 21, "too_long"),
        ("   ", "empty"),
    ],
)
def test_invalid_patterns_are_refused_with_a_reason(typed, code):
    with pytest.raises(ValidationError) as error:
        parse_pattern(typed)
    assert error.value.code == code


def test_the_polish_word_for_anonymous_is_accepted_in_polish():
    with translation.override("pl"):
        assert parse_pattern("Numer zastrzeżony") == "anonymous"


def test_a_list_of_patterns_is_split_on_lines_and_commas_without_repeats():
    assert parse_patterns("+4822%, 601234567\n\n+4822%;anonymous") == [
        "+4822%",
        "601234567",
        "anonymous",
    ]


def test_every_wrong_pattern_of_a_list_is_reported_at_once():
    with pytest.raises(ValidationError) as error:
        parse_patterns("abc\n+4822%\n4%8")
    assert len(error.value.messages) == 2
    assert "abc" in error.value.messages[0]
    assert "4%8" in error.value.messages[1]


def test_an_empty_list_of_patterns_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_patterns(" \n , ")
    assert error.value.code == "required"


@pytest.mark.parametrize(
    "caller", ["+48221234567", "0048221234567", "221234567", "+48 22 123 45 67", "tel:+48221234567"]
)
def test_an_exact_number_matches_however_the_caller_is_written(caller):
    assert matches("+48221234567", caller)
    assert matches("22 123 45 67", caller)


@pytest.mark.parametrize("caller", ["+48221234568", "+482212345670", "+4822123456", None, ""])
def test_an_exact_number_matches_nothing_else(caller):
    assert not matches("+48221234567", caller)


def test_a_prefix_matches_the_numbers_that_start_with_it():
    assert matches("+4822%", "+48221234567")
    assert matches("+4822%", "221234567")
    assert matches("+4822%", "+4822")  # % stands for any number of digits, none included
    assert not matches("+4822%", "+48601234567")


def test_a_national_prefix_is_not_the_country_code():
    # 48 is both Poland's country code and Radom's area code.
    assert matches("48%", "+48481234567")
    assert not matches("48%", "+48221234567")
    assert matches("+48%", "+48221234567")
    assert not matches("+48%", "+49301234567")


def test_x_stands_for_exactly_one_digit():
    assert matches("60xxxxxxx", "601234567")
    assert matches("60xxxxxxx", "+48609999999")
    assert not matches("60xxxxxxx", "6012345678")
    assert not matches("60xxxxxxx", "701234567")
    assert matches("+4860x%", "+486051")


def test_a_lone_percent_matches_every_number_but_not_a_withheld_one():
    assert matches("%", "+48221234567")
    assert matches("%", "+12025550123")
    assert not matches("%", None)
    assert not matches("%", "")


@pytest.mark.parametrize("caller", [None, "", "anonymous", "Anonymous", "restricted", "Unknown"])
def test_anonymous_matches_calls_without_a_caller_number(caller):
    assert matches("anonymous", caller)


def test_anonymous_does_not_match_a_number():
    assert not matches("anonymous", "+48221234567")


def test_a_caller_id_that_is_no_number_matches_no_number_pattern():
    assert not matches("%", "sip:alice@example.com")
    assert not matches("anonymous", "sip:alice@example.com")


def test_national_numbers_follow_the_accounts_country_and_its_trunk_prefix():
    # In Germany national numbers are dialled with a leading 0.
    assert matches("030%", "+4930123456", region="DE")
    assert matches("+4930%", "030123456", region="DE")
    assert not matches("030%", "+48301234567", region="DE")


@pytest.mark.parametrize(
    ("wide", "narrow"),
    [
        ("+4822%", "+48221234567"),
        ("+4822%", "+48221%"),
        ("+4822%", "2212x4567"),
        ("%", "+4822%"),
        ("60xxxxxxx", "601234567"),
        ("60x%", "6012%"),
        ("anonymous", "anonymous"),
    ],
)
def test_a_wider_pattern_covers_a_narrower_one(wide, narrow):
    assert compiled(wide).covers(compiled(narrow))


@pytest.mark.parametrize(
    ("narrow", "wide"),
    [
        ("+48221234567", "+4822%"),
        ("+48221%", "+4822%"),
        ("601234567", "60xxxxxxx"),
        ("+4822%", "%"),
        ("%", "anonymous"),
        ("anonymous", "%"),
        ("6012345678", "60xxxxxxx"),
    ],
)
def test_a_narrower_pattern_does_not_cover_a_wider_one(narrow, wide):
    assert not compiled(narrow).covers(compiled(wide))
