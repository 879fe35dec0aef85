"""Per-country address forms and validation for the hosted checkout.

The platform prices whatever address we hand it, so a typo here becomes a wrong tax or a
parcel that never arrives: the shopper is told, field by field, what to fix before any
platform call. Rules per country (which fields are required, what the state and postal
fields are called, postal-code patterns) follow Google's libaddressinput metadata, the data
behind Chrome's and Android's address forms:
https://github.com/google/libaddressinput/blob/master/cpp/src/region_data_constants.cc
(require/fmt/state_name_type/zip_name_type) and
https://chromium-i18n.appspot.com/ssl-address/data/<CC> (the "zip" regular expressions).
Countries and subdivisions come from ISO 3166 through `pycountry`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pycountry

from platforms.pricing import Address

INPUT_TYPES = {"email": "email", "phone": "tel"}
MAX_LENGTHS = {
    "first_name": 60,
    "last_name": 60,
    "company": 100,
    "address1": 100,
    "address2": 100,
    "city": 60,
    "province_code": 8,
    "postal_code": 16,
    "country_code": 2,
    "phone": 25,
}


class AddressError(ValueError):
    """The address cannot be used; `errors` maps each form field to what the shopper should do."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)


# ---- postal codes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PostalShape:
    """One accepted shape of a postal code, matched against the code with spaces and hyphens
    removed; `split` re-inserts the canonical separator (a negative index counts from the end)."""

    compact: re.Pattern[str]
    split: tuple[int, str] | None = None

    def canonical(self, compact: str) -> str | None:
        if not self.compact.fullmatch(compact):
            return None
        if self.split is None:
            return compact
        index, separator = self.split
        return compact[:index] + separator + compact[index:]


@dataclass(frozen=True)
class PostalRule:
    shapes: tuple[PostalShape, ...]
    example: str


def _rule(example: str, *shapes: tuple[str, tuple[int, str] | None]) -> PostalRule:
    # re.ASCII: "\d" must not accept Arabic-Indic or other non-ASCII digits.
    return PostalRule(
        tuple(PostalShape(re.compile(pattern, re.ASCII), split) for pattern, split in shapes),
        example,
    )


_GB_AREAS = (
    "AB|AL|B|BA|BB|BD|BH|BL|BN|BR|BS|BT|BX|CA|CB|CF|CH|CM|CO|CR|CT|CV|CW|DA|DD|DE|DG|DH|DL|DN|"
    "DT|DY|E|EC|EH|EN|EX|FK|FY|G|GL|GY|GU|HA|HD|HG|HP|HR|HS|HU|HX|IG|IM|IP|IV|JE|KA|KT|KW|KY|"
    "L|LA|LD|LE|LL|LN|LS|LU|M|ME|MK|ML|N|NE|NG|NN|NP|NR|NW|OL|OX|PA|PE|PH|PL|PO|PR|RG|RH|RM|"
    "S|SA|SE|SG|SK|SL|SM|SN|SO|SP|SR|SS|ST|SW|SY|TA|TD|TF|TN|TQ|TR|TS|TW|UB|W|WA|WC|WD|WF|WN|"
    "WR|WS|WV|YO|ZE"
)
_CA = r"[ABCEGHJKLMNPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d"

# Patterns from https://chromium-i18n.appspot.com/ssl-address/data/<CC> ("zip"), rewritten
# for the separator-free form; the split puts back the separator the national post prints.
POSTAL_RULES: dict[str, PostalRule] = {
    "US": _rule("94107", (r"\d{5}", None), (r"\d{9}", (5, "-"))),  # ZIP or ZIP+4
    "CA": _rule("K1A 0B1", (_CA, (3, " "))),
    "GB": _rule(
        "SW1A 1AA",
        (r"GIR0AA", (-3, " ")),
        (rf"(?:{_GB_AREAS})\d[\dA-Z]?\d[ABD-HJLN-UW-Z]{{2}}", (-3, " ")),
        (r"BFPO\d{1,4}", (4, " ")),
    ),
    "DE": _rule("10115", (r"\d{5}", None)),
    "FR": _rule("75008", (r"\d{5}", None)),
    "NL": _rule("1234 AB", (r"\d{4}[A-Z]{2}", (4, " "))),
    "AU": _rule("2000", (r"\d{4}", None)),
    "JP": _rule("154-0023", (r"\d{7}", (3, "-"))),
    "IE": _rule("A65 F4E2", (r"[\dA-Z]{7}", (3, " "))),  # Eircode
    "BR": _rule("01310-100", (r"\d{8}", (5, "-"))),  # CEP
    "IN": _rule("110001", (r"\d{6}", None)),  # PIN
    "IT": _rule("00144", (r"\d{5}", None)),
    "ES": _rule("28039", (r"\d{5}", None)),
    "MX": _rule("06082", (r"\d{5}", None)),
    "AT": _rule("1010", (r"\d{4}", None)),
    "BE": _rule("1000", (r"\d{4}", None)),
    "CH": _rule("8001", (r"\d{4}", None)),
    "DK": _rule("1566", (r"\d{4}", None)),
    "NO": _rule("0107", (r"\d{4}", None)),
    "SE": _rule("114 55", (r"\d{5}", (3, " "))),
    "FI": _rule("00550", (r"\d{5}", None)),
    "PL": _rule("00-950", (r"\d{5}", (2, "-"))),
    "PT": _rule("1250-096", (r"\d{7}", (4, "-"))),
    "CZ": _rule("100 00", (r"\d{5}", (3, " "))),
    "NZ": _rule("6011", (r"\d{4}", None)),
    "ZA": _rule("0083", (r"\d{4}", None)),
    "SG": _rule("546080", (r"\d{6}", None)),
    "KR": _rule("03051", (r"\d{5}", None)),
    "CN": _rule("100096", (r"\d{6}", None)),
    "LU": _rule("4750", (r"\d{4}", None)),
}

# No postal code in use: libaddressinput's format for these has no %Z and no example code
# (region_data_constants.cc). The form hides the field and any value sent is ignored.
NO_POSTAL_CODE = frozenset(
    "AE AG AO AQ AW BF BI BJ BO BS BV BW BZ CD CF CG CI CM DJ DM ER FJ GA GD GH GM GQ GY HK "
    "JM KI KM KN LY ML MO MR MS MW NA NR NU PA QA RW SB SC SL SR ST TD TF TG TK TL TO TT TV "
    "UG VU WS YE ZW".split()
)

# Validated when given, but not required (libaddressinput "require" has no Z for them).
POSTAL_OPTIONAL = frozenset({"IE", "CZ"})

_FREE_FORM_POSTAL = re.compile(r"[A-Z0-9][A-Z0-9 -]{0,14}[A-Z0-9]|[A-Z0-9]", re.ASCII)


def _compact_postal(text: str) -> str:
    """Fold full-width and other compatibility forms, uppercase, drop spaces and hyphens."""
    folded = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-\u2010\u2011\u2013")


def normalize_postal_code(country_code: str, text: str) -> str | None:
    """The postal code as the national post writes it ("k1a0b1" -> "K1A 0B1"), or None when it
    does not fit the country's pattern. Idempotent: a normalized code normalizes to itself."""
    rule = POSTAL_RULES.get(country_code)
    if rule is None:
        free = " ".join(unicodedata.normalize("NFKC", text).upper().split())
        return free if _FREE_FORM_POSTAL.fullmatch(free) else None
    compact = _compact_postal(text)
    for shape in rule.shapes:
        canonical = shape.canonical(compact)
        if canonical is not None:
            return canonical
    return None


# ---- countries, subdivisions and form layout ---------------------------------------------------

# libaddressinput "require" containing S (region_data_constants.cc), kept where ISO 3166-2
# lists the subdivisions to choose from (HK, KY, PF and the US territories list none).
SUBDIVISION_REQUIRED = frozenset(
    "US CA AU BR IN IT ES JP KR CN TW FM MH PW HN SV VE JM KN IQ PG SO NR".split()
)

# libaddressinput state_name_type (default "province") and zip_name_type (default "postal").
_STATE_NAME_TYPE = {
    "US": "State", "AU": "State", "BR": "State", "IN": "State", "FM": "State", "PW": "State",
    "VE": "State", "JP": "Prefecture", "KR": "Province", "TW": "County", "HN": "Department",
    "SV": "Department", "JM": "Parish", "KN": "Island", "NR": "District",
    "MH": "Municipality", "IQ": "Governorate", "SO": "Region",
}  # fmt: skip
_POSTAL_LABEL = {"US": "ZIP code", "GB": "Postcode", "AU": "Postcode", "IE": "Eircode",
                 "IN": "PIN code", "BR": "CEP"}  # fmt: skip
# Which of city (C), subdivision (S), postal code (Z) comes first, from libaddressinput "fmt";
# default is "ZCS" (postal code before city, as most of Europe writes it).
_LINE_ORDER = {
    "US": "CSZ", "CA": "CSZ", "AU": "CSZ", "GB": "CSZ", "IE": "CSZ", "IN": "CZS", "BR": "CSZ",
    "JP": "ZSC", "KR": "SCZ", "CN": "ZSC", "TW": "ZSC", "NZ": "CZ", "SG": "Z", "ZA": "CZ",
    "FM": "CSZ", "PW": "CSZ", "MH": "CSZ", "HN": "CSZ", "JM": "CS", "KN": "CS", "VE": "CZS",
    "IQ": "CS", "PG": "CZS", "SO": "CSZ", "NR": "S",
}  # fmt: skip
# Countries whose addresses have no city line in libaddressinput's format.
_NO_CITY = frozenset({"SG", "NR", "HK", "MO", "GI"})


@dataclass(frozen=True)
class FormField:
    """One input of the address form, in display order: enough to render without JavaScript."""

    name: str  # the form field name, also the `Address` attribute
    label: str
    required: bool
    autocomplete: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for a select
    example: str = ""

    @property
    def max_length(self) -> int:
        return MAX_LENGTHS[self.name]

    @property
    def input_type(self) -> str:
        """The <input> type, which picks the keyboard a phone shows."""
        return INPUT_TYPES.get(self.name, "text")


def countries() -> list[tuple[str, str]]:
    """(ISO 3166-1 alpha-2, name) for every country, sorted by name for the select."""
    return list(_countries())


@cache
def _countries() -> tuple[tuple[str, str], ...]:
    named = ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries)
    return tuple(sorted(named, key=lambda pair: pair[1]))


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in _countries())


def is_known_country(country_code: str) -> bool:
    return country_code in _country_codes()


@cache
def subdivisions(country_code: str) -> tuple[tuple[str, str], ...]:
    """(code without the country prefix, name) of the subdivisions a shopper must choose from,
    sorted by name; empty where the country does not ask for one. The lowest ISO 3166-2 level
    is used (Italian and Spanish provinces, not regions), which is what carriers and tax
    engines key on."""
    if country_code not in SUBDIVISION_REQUIRED:
        return ()
    found = list(pycountry.subdivisions.get(country_code=country_code) or [])
    parents = {s.parent_code for s in found if s.parent_code}
    leaves = ((s.code.split("-", 1)[1], s.name) for s in found if s.code not in parents)
    return tuple(sorted(leaves, key=lambda pair: pair[1]))


def form_fields(
    country_code: str, *, phone_required: bool = False, show_company: bool = True
) -> list[FormField]:
    """The address form for a country, in the order the country writes addresses; an unknown
    country gets the generic form (city and optional postal code)."""
    fields = [
        FormField("country_code", "Country/region", True, "country", _countries()),
        FormField("first_name", "First name", True, "given-name"),
        FormField("last_name", "Last name", True, "family-name"),
    ]
    if show_company:
        fields.append(FormField("company", "Company (optional)", False, "organization"))
    fields += [
        FormField("address1", "Address", True, "address-line1"),
        FormField("address2", "Apartment, suite, etc. (optional)", False, "address-line2"),
    ]
    locality = _locality_fields(country_code)
    order = dict.fromkeys(_LINE_ORDER.get(country_code, "ZCS") + "CSZ")
    fields += [locality[letter] for letter in order if letter in locality]
    phone_label = "Phone" if phone_required else "Phone (optional)"
    fields.append(FormField("phone", phone_label, phone_required, "tel"))
    return fields


def _locality_fields(country_code: str) -> dict[str, FormField]:
    """City ("C"), subdivision ("S") and postal code ("Z") fields, keyed by format letter."""
    found = {}
    if country_code not in _NO_CITY:
        city_label = "Town/City" if country_code == "GB" else "City"
        found["C"] = FormField("city", city_label, True, "address-level2")
    options = subdivisions(country_code)
    if options:
        label = _STATE_NAME_TYPE.get(country_code, "Province")
        found["S"] = FormField("province_code", label, True, "address-level1", options)
    if country_code not in NO_POSTAL_CODE:
        rule = POSTAL_RULES.get(country_code)
        label = _POSTAL_LABEL.get(country_code, "Postal code")
        required = rule is not None and country_code not in POSTAL_OPTIONAL
        found["Z"] = FormField(
            "postal_code",
            label if required else f"{label} (optional)",
            required,
            "postal-code",
            example=rule.example if rule else "",
        )
    return found


# ---- validation -------------------------------------------------------------------------------

# Bidirectional embeddings, overrides and isolates: invisible, and they make a label or a
# shipping line read differently from what is stored (Unicode TR#9, "Trojan Source").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Unassigned, surrogate, private-use and control code points (after whitespace is folded).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
_PHONE_CHARS = frozenset("0123456789 +-().")


def clean_text(value: object, max_length: int) -> str:
    """Text as stored: NFC, whitespace runs folded to one space, trimmed.

    :raises ValueError: with the message for the shopper (not text, control characters, too long).
    """
    if not isinstance(value, str):
        raise ValueError("Enter text")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if any(
        ch in _BIDI_CONTROLS or unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in text
    ):
        raise ValueError("Remove the special characters")
    if len(text) > max_length:
        raise ValueError(f"Use at most {max_length} characters")
    return text


def _with_article(label: str) -> str:
    """ "a ZIP code", "an Eircode", "a postal code": labels lowered unless an acronym."""
    word = label if label[:2].isupper() or label == "Eircode" else label.lower()
    return ("an " if word[0].lower() in "aeio" else "a ") + word


def _missing(field: FormField) -> str:
    label = field.label.removesuffix(" (optional)")
    if field.options:
        return f"Choose {_with_article(label)}"
    return f"Enter {_with_article(label)}"


def _phone(text: str) -> str:
    """Digits and the usual separators, 7 to 15 digits (ITU-T E.164 numbers have at most 15)."""
    folded = unicodedata.normalize("NFKC", text)
    digits = sum(ch.isdigit() for ch in folded)
    if not set(folded) <= _PHONE_CHARS or not 7 <= digits <= 15:
        raise ValueError("Enter a phone number with 7 to 15 digits, like +1 415 555 0100")
    return folded


def validate_address(data: Mapping[str, object], *, phone_required: bool = False) -> Address:
    """Check a submitted address form against its country's rules and return it normalized.

    :raises AddressError: every problem at once, as field -> a message the shopper can act on.
    """
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, max_length in MAX_LENGTHS.items():
        try:
            values[name] = clean_text(data.get(name, ""), max_length)
        except ValueError as problem:
            errors[name] = str(problem)
    country = values.get("country_code", "").upper()
    if "country_code" not in errors and country not in _country_codes():
        errors["country_code"] = "Choose a country/region from the list"
        raise AddressError(errors)
    fields = {f.name: f for f in form_fields(country, phone_required=phone_required)}
    for name, field in fields.items():
        if field.required and not values.get(name) and name not in errors:
            errors[name] = _missing(field)
    _check_choice(fields, values, errors)
    _check_postal_code(country, fields, values, errors)
    if values.get("phone") and "phone" not in errors:
        try:
            values["phone"] = _phone(values["phone"])
        except ValueError as problem:
            errors["phone"] = str(problem)
    if errors:
        raise AddressError(errors)
    return Address(
        first_name=values["first_name"],
        last_name=values["last_name"],
        address1=values["address1"],
        address2=values["address2"],
        company=values["company"] if "company" in fields else "",
        city=values["city"] if "city" in fields else "",
        province_code=values["province_code"] if "province_code" in fields else "",
        postal_code=values["postal_code"] if "postal_code" in fields else "",
        country_code=country,
        phone=values["phone"],
    )


def _check_choice(
    fields: dict[str, FormField], values: dict[str, str], errors: dict[str, str]
) -> None:
    field = fields.get("province_code")
    code = values.get("province_code", "").upper()
    if field is None or not code or "province_code" in errors:
        return
    if code not in dict(field.options):
        errors["province_code"] = f"Choose {_with_article(field.label)} from the list"
    values["province_code"] = code


def _check_postal_code(
    country: str, fields: dict[str, FormField], values: dict[str, str], errors: dict[str, str]
) -> None:
    field = fields.get("postal_code")
    text = values.get("postal_code", "")
    if field is None or not text or "postal_code" in errors:
        return
    normalized = normalize_postal_code(country, text)
    if normalized is None:
        like = f" like {field.example}" if field.example else ""
        errors["postal_code"] = (
            f"Enter {_with_article(field.label.removesuffix(' (optional)'))}{like}"
        )
        return
    values["postal_code"] = normalized
