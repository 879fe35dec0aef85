"""Address forms and validation: per-country rules, postal codes, and hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkout.addresses import (
    NO_POSTAL_CODE,
    POSTAL_RULES,
    AddressError,
    countries,
    form_fields,
    normalize_postal_code,
    subdivisions,
    validate_address,
)

US = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address1": "1 Market St",
    "city": "San Francisco",
    "province_code": "CA",
    "postal_code": "94105",
    "country_code": "US",
}


def _errors(data: dict[str, object], **kwargs: bool) -> dict[str, str]:
    with pytest.raises(AddressError) as raised:
        validate_address(data, **kwargs)
    return raised.value.errors


# ---- countries and subdivisions ----


def test_countries_are_every_iso_country_sorted_by_name():
    listed = countries()
    assert len(listed) == 249
    assert [name for _, name in listed] == sorted(name for _, name in listed)
    assert ("DE", "Germany") in listed
    assert ("TW", "Taiwan") in listed, "the common name, not the long official one"


def test_subdivisions_drop_the_country_prefix_and_cover_every_state():
    states = dict(subdivisions("US"))
    assert states["CA"] == "California"
    assert "DC" in states
    assert len(dict(subdivisions("CA"))) == 13
    assert dict(subdivisions("JP"))["13"] == "Tokyo"


def test_italy_and_spain_list_provinces_not_regions():
    assert "MI" in dict(subdivisions("IT")), "Milano, a province"
    assert "25" not in dict(subdivisions("IT")), "Lombardia is a region"
    assert "M" in dict(subdivisions("ES")), "Madrid, a province"
    assert "MD" not in dict(subdivisions("ES")), "Comunidad de Madrid is a community"


@pytest.mark.parametrize("country", ["DE", "FR", "GB", "NL", "IE", "HK", "XX"])
def test_countries_that_do_not_ask_for_a_subdivision_list_none(country):
    assert subdivisions(country) == ()


# ---- form layout ----


def _layout(country: str) -> list[tuple[str, str, bool]]:
    return [(f.name, f.label, f.required) for f in form_fields(country)]


def test_the_us_form_asks_city_state_zip_in_that_order():
    names = [name for name, _, _ in _layout("US")]
    assert names.index("city") < names.index("province_code") < names.index("postal_code")
    assert ("province_code", "State", True) in _layout("US")
    assert ("postal_code", "ZIP code", True) in _layout("US")


def test_the_german_form_puts_the_postal_code_before_the_city_and_has_no_state():
    names = [name for name, _, _ in _layout("DE")]
    assert names.index("postal_code") < names.index("city")
    assert "province_code" not in names


def test_labels_follow_each_country():
    assert ("province_code", "Province", True) in _layout("CA")
    assert ("postal_code", "Postcode", True) in _layout("GB")
    assert ("city", "Town/City", True) in _layout("GB")
    assert ("province_code", "Prefecture", True) in _layout("JP")
    assert ("postal_code", "Eircode (optional)", False) in _layout("IE")
    assert ("postal_code", "PIN code", True) in _layout("IN")


def test_countries_without_postal_codes_hide_the_field():
    for country in ("HK", "AE", "QA"):
        assert "postal_code" not in [name for name, _, _ in _layout(country)]


def test_the_select_carries_its_options_and_every_field_a_length_cap():
    fields = {f.name: f for f in form_fields("AU", phone_required=True, show_company=False)}
    assert ("NSW", "New South Wales") in fields["province_code"].options
    assert fields["phone"].required
    assert "company" not in fields
    assert all(f.max_length > 0 for f in fields.values())
    assert fields["postal_code"].example == "2000"


# ---- postal codes ----


@pytest.mark.parametrize(
    ("country", "typed", "canonical"),
    [
        ("US", "94107", "94107"),
        ("US", "94107 1234", "94107-1234"),
        ("US", "941071234", "94107-1234"),
        ("CA", "k1a0b1", "K1A 0B1"),
        ("CA", "K1A-0B1", "K1A 0B1"),
        ("GB", "sw1a1aa", "SW1A 1AA"),
        ("GB", "M2 5BQ", "M2 5BQ"),
        ("GB", "gir0aa", "GIR 0AA"),
        ("GB", "bfpo61", "BFPO 61"),
        ("DE", " 10115 ", "10115"),
        ("FR", "75 008", "75008"),
        ("NL", "1234ab", "1234 AB"),
        ("AU", "2000", "2000"),
        ("JP", "1540023", "154-0023"),
        ("JP", "１５４－００２３", "154-0023"),  # full-width digits and hyphen
        ("IE", "a65f4e2", "A65 F4E2"),
        ("BR", "01310100", "01310-100"),
        ("IN", "110001", "110001"),
        ("SE", "11455", "114 55"),
        ("PL", "00950", "00-950"),
        ("PT", "1250 096", "1250-096"),
        ("ZZ", "ab-12", "AB-12"),  # no pattern known: free form, tidied
    ],
)
def test_postal_codes_are_written_the_way_the_post_prints_them(country, typed, canonical):
    assert normalize_postal_code(country, typed) == canonical


@pytest.mark.parametrize(
    ("country", "typed"),
    [
        ("US", "9410"),
        ("US", "94107-12"),
        ("US", "٩٤١٠٧"),  # Arabic-Indic digits are digits, but not ZIP code digits
        ("CA", "D1A 0B1"),  # D is never a first letter
        ("GB", "QQ1 1AA"),  # QQ is no postcode area
        ("NL", "12345"),
        ("JP", "15400230"),
        ("DE", "1011"),
    ],
)
def test_postal_codes_that_cannot_exist_are_refused(country, typed):
    assert normalize_postal_code(country, typed) is None


def test_at_least_twenty_countries_have_postal_patterns():
    assert len(POSTAL_RULES) >= 20
    assert not set(POSTAL_RULES) & NO_POSTAL_CODE


@pytest.mark.parametrize("country", sorted(POSTAL_RULES))
def test_each_country_s_example_code_is_valid_and_already_canonical(country):
    example = POSTAL_RULES[country].example
    assert normalize_postal_code(country, example) == example


@st.composite
def _postal_codes(draw: st.DrawFn) -> tuple[str, str]:
    """A country and a code generated from its own pattern, with separators scattered in."""
    country = draw(st.sampled_from(sorted(POSTAL_RULES)))
    shape = draw(st.sampled_from(POSTAL_RULES[country].shapes))
    compact = draw(st.from_regex(shape.compact, fullmatch=True))
    noisy = "".join(ch + draw(st.sampled_from(["", "", " ", "-"])) for ch in compact.lower())
    return country, noisy


@given(_postal_codes())
def test_generated_valid_postal_codes_pass_and_normalizing_is_idempotent(case):
    country, typed = case
    once = normalize_postal_code(country, typed)
    assert once is not None
    assert normalize_postal_code(country, once) == once


@given(st.sampled_from([*sorted(POSTAL_RULES), "ZZ"]), st.text(max_size=30))
def test_normalizing_any_text_is_idempotent_or_refuses(country, text):
    once = normalize_postal_code(country, text)
    if once is not None:
        assert normalize_postal_code(country, once) == once


# ---- validate_address ----


def test_a_valid_address_comes_back_normalized():
    address = validate_address(
        {
            **US,
            "first_name": "  Ada  ",
            "city": "San\tFrancisco",
            "province_code": "ca",
            "postal_code": "94105 1234",
            "country_code": "us",
            "phone": "+1 (415) 555-0100",
            "email": "ignored@example.com",
        }
    )
    assert address.first_name == "Ada"
    assert address.city == "San Francisco"
    assert address.province_code == "CA"
    assert address.postal_code == "94105-1234"
    assert address.country_code == "US"
    assert address.phone == "+1 (415) 555-0100"


def test_every_missing_field_is_reported_at_once_with_an_actionable_message():
    errors = _errors({"country_code": "US"})
    assert errors == {
        "first_name": "Enter a first name",
        "last_name": "Enter a last name",
        "address1": "Enter an address",
        "city": "Enter a city",
        "province_code": "Choose a state",
        "postal_code": "Enter a ZIP code",
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"postal_code": "ABCDE"}, "postal_code", "Enter a ZIP code like 94107"),
        ({"province_code": "ZZ"}, "province_code", "Choose a state from the list"),
        ({"country_code": "XX"}, "country_code", "Choose a country/region from the list"),
        ({"country_code": ""}, "country_code", "Choose a country/region from the list"),
        ({"city": "x" * 61}, "city", "Use at most 60 characters"),
        ({"address1": "1 Main\x00St"}, "address1", "Remove the special characters"),
        ({"last_name": "evil\u202egpj.exe"}, "last_name", "Remove the special characters"),
        ({"first_name": ["Ada"]}, "first_name", "Enter text"),
        ({"phone": "call me"}, "phone", "Enter a phone number with 7 to 15 digits"),
        ({"phone": "+1 234"}, "phone", "Enter a phone number with 7 to 15 digits"),
    ],
)
def test_bad_fields_are_named_with_what_to_do(change, field, message):
    errors = _errors({**US, **change})
    assert list(errors) == [field]
    assert errors[field].startswith(message)


def test_a_province_from_another_country_is_refused():
    errors = _errors({**US, "country_code": "CA", "province_code": "CA", "postal_code": "K1A0B1"})
    assert errors == {"province_code": "Choose a province from the list"}


def test_the_phone_is_required_only_when_the_merchant_asks():
    assert validate_address(US).phone == ""
    assert _errors(US, phone_required=True) == {"phone": "Enter a phone"}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (
            {"country_code": "GB", "city": "London", "postal_code": "sw1a 1aa"},
            ("", "SW1A 1AA"),
        ),
        ({"country_code": "DE", "city": "Berlin", "postal_code": "10115"}, ("", "10115")),
        (
            {
                "country_code": "CA",
                "city": "Ottawa",
                "province_code": "ON",
                "postal_code": "k1a0b1",
            },
            ("ON", "K1A 0B1"),
        ),  # fmt: skip
        (
            {
                "country_code": "JP",
                "city": "Shibuya",
                "province_code": "13",
                "postal_code": "1500002",
            },
            ("13", "150-0002"),
        ),  # fmt: skip
        ({"country_code": "IE", "city": "Dublin", "postal_code": ""}, ("", "")),
        ({"country_code": "IE", "city": "Galway", "postal_code": "h91e2k3"}, ("", "H91 E2K3")),
        ({"country_code": "HK", "postal_code": "999077"}, ("", "")),  # no postal codes
        ({"country_code": "AE", "city": "Dubai"}, ("", "")),
        (
            {
                "country_code": "BR",
                "city": "São Paulo",
                "province_code": "SP",
                "postal_code": "01310100",
            },
            ("SP", "01310-100"),
        ),  # fmt: skip
    ],
)
def test_concrete_addresses_per_country(address, expected):
    base = {"first_name": "A", "last_name": "B", "address1": "1 Main St", "province_code": ""}
    valid = validate_address({**base, **address})
    assert (valid.province_code, valid.postal_code) == expected


def test_a_state_sent_for_a_country_without_states_is_dropped():
    address = validate_address(
        {**US, "country_code": "DE", "province_code": "BY", "postal_code": "80331"}
    )
    assert address.province_code == ""


_FIELDS = ["first_name", "last_name", "company", "address1", "address2", "city",
           "province_code", "postal_code", "country_code", "phone"]  # fmt: skip


@given(
    st.dictionaries(
        st.sampled_from(_FIELDS),
        st.one_of(st.text(max_size=120), st.none(), st.integers(), st.lists(st.text())),
    ),
    st.booleans(),
)
def test_arbitrary_input_never_raises_anything_but_address_error(data, phone_required):
    errors: dict[str, str] = {}
    try:
        address = validate_address(data, phone_required=phone_required)
    except AddressError as error:
        errors = error.errors
    else:
        assert address.country_code in {code for code, _ in countries()}
        return
    assert errors
    assert all(isinstance(m, str) and m for m in errors.values())
    assert set(errors) <= set(_FIELDS)


@given(st.dictionaries(st.sampled_from(_FIELDS), st.text(max_size=40)))
def test_whatever_validates_validates_again_unchanged(data):
    try:
        first = validate_address({**US, **data})
    except AddressError:
        return
    again = validate_address(first.__dict__)
    assert again == first
