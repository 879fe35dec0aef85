"""The merchant's design: validated settings, WCAG contrast, and the custom CSS sanitiser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkout import theme as theme_module
from checkout.theme import (
    FONT_STACKS,
    MAX_CSS_CHARS,
    Theme,
    ThemeError,
    contrast_ratio,
    relative_luminance,
    sanitize_css,
)


def _errors(data: object) -> dict[str, str]:
    with pytest.raises(ThemeError) as raised:
        Theme.from_settings(data)
    return raised.value.errors


# ---- settings ----


def test_the_default_theme_is_valid_and_survives_storage():
    theme = Theme.default()
    assert Theme.from_settings({}) == theme
    assert Theme.from_settings(theme.to_settings()) == theme


def test_a_full_design_round_trips_through_json_settings():
    import json

    settings_in = {
        "logo_url": "https://cdn.example.com/logo.png",
        "primary": "#0B5",
        "primary_text": "#000000",
        "accent": "#AA3300",
        "background": "#fafafa",
        "text": "#222222",
        "font": "georgia",
        "corner_radius": "12",
        "layout": "one_column",
        "header_text": "  Free shipping   over $50 ",
        "footer_text": "Questions? help@example.com",
        "trust_badges": ["secure_checkout", "free_returns", "secure_checkout"],
        "testimonials": [{"quote": "Arrived in two days.", "author": "Sam"}],
        "phone_required": True,
        "show_company": False,
        "custom_css": ".btn{color:red}",
    }
    theme = Theme.from_settings(settings_in)

    assert theme.primary == "#00bb55"
    assert theme.accent == "#aa3300"
    assert theme.corner_radius == 12
    assert theme.header_text == "Free shipping over $50"
    assert theme.trust_badges == ("secure_checkout", "free_returns")
    assert theme.testimonials == (theme_module.Testimonial("Arrived in two days.", "Sam"),)
    assert theme.custom_css == ".cp-checkout .btn{color:red}"
    stored = json.loads(json.dumps(theme.to_settings()))
    assert Theme.from_settings(stored) == theme


@pytest.mark.parametrize(
    ("settings_in", "field", "message"),
    [
        ({"logo_url": "http://example.com/logo.png"}, "logo_url", "Use the https://"),
        ({"logo_url": "javascript:alert(1)"}, "logo_url", "Use the https://"),
        ({"logo_url": "https://user:pw@example.com/x.png"}, "logo_url", "Use the https://"),
        ({"logo_url": 'https://example.com/a".png'}, "logo_url", "Use the https://"),
        ({"logo_url": "https://"}, "logo_url", "Use the https://"),
        ({"primary": "red"}, "primary", "Use a colour like #1a56db"),
        ({"accent": "#12345"}, "accent", "Use a colour like"),
        ({"font": "Comic Sans"}, "font", "Choose a font: system, "),
        ({"corner_radius": 25}, "corner_radius", "Use a whole number of pixels from 0 to 24"),
        ({"corner_radius": -1}, "corner_radius", "Use a whole number"),
        ({"corner_radius": True}, "corner_radius", "Use a whole number"),
        ({"layout": "three_column"}, "layout", "Choose a layout"),
        ({"header_text": "x" * 121}, "header_text", "Use at most 120 characters"),
        ({"footer_text": "a\x1bb"}, "footer_text", "Remove the special characters"),
        ({"trust_badges": ["hacked"]}, "trust_badges", "Choose badges from"),
        ({"testimonials": [{"quote": "q", "author": "a"}] * 4}, "testimonials", "at most 3"),
        ({"testimonials": [{"quote": "Great"}]}, "testimonials", "Testimonial 1: give a"),
        ({"phone_required": "yes"}, "phone_required", "Choose yes or no"),
        ({"custom_css": "@import url(x.css);"}, "custom_css", "Remove what the checkout"),
        ({"custom_css": "a{}" * MAX_CSS_CHARS}, "custom_css", "Keep the CSS under"),
        ({"colour": "#000000"}, "colour", "Unknown setting"),
    ],
)
def test_bad_settings_are_refused_with_what_to_change(settings_in, field, message):
    errors = _errors(settings_in)
    assert list(errors) == [field]
    assert message in errors[field]


def test_settings_that_are_not_an_object_are_refused():
    assert _errors(["#000000"]) == {"settings": "Send the design settings as an object"}


def test_css_variables_carry_every_validated_value():
    theme = Theme.from_settings({"primary": "#112233", "corner_radius": 0, "font": "courier"})
    css = theme.css_variables()
    assert css.startswith(":root{")
    assert css.endswith("}")
    assert "--cp-primary:#112233;" in css
    assert "--cp-radius:0px" in css
    assert f"--cp-font:{FONT_STACKS['courier']};" in css


def test_the_stylesheet_sanitises_even_a_theme_built_by_hand():
    theme = Theme(custom_css="</style><script>alert(1)</script>.a{color:red}")
    assert "<" not in theme.stylesheet()


# ---- contrast ----


def test_relative_luminance_and_contrast_match_the_wcag_examples():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#ffffff") == pytest.approx(1)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_body_text_below_four_and_a_half_to_one_is_refused_naming_the_colours():
    errors = _errors({"text": "#777777", "background": "#ffffff"})
    assert list(errors) == ["text"]
    assert "4.48:1" in errors["text"]
    assert "text colour or the background colour" in errors["text"]
    assert Theme.from_settings({"text": "#767676"}).text == "#767676"


def test_unreadable_button_text_is_refused_with_a_suggestion():
    errors = _errors({"primary": "#ffff00", "primary_text": "#ffffff"})
    assert list(errors) == ["primary_text"]
    assert "try button text #000000" in errors["primary_text"]


def test_an_accent_too_faint_to_see_as_a_mark_is_refused_at_three_to_one():
    """The accent draws focus rings and selection marks, never text: WCAG 1.4.11's 3:1."""
    faint = _errors({"accent": "#a3a3a3", "background": "#ffffff"})
    assert list(faint) == ["accent"]
    assert "2.52:1" in faint["accent"]
    assert "try accent #000000" in faint["accent"]
    assert contrast_ratio("#949494", "#ffffff") < 4.5
    assert Theme.from_settings({"accent": "#949494"}).accent == "#949494", "3:1 is enough"


# ---- custom CSS ----

GOOD_CSS = (
    ".cp-checkout .btn:hover,.cp-checkout #pay > a:nth-child(2n-1)"
    "{color:#fff;padding:4px calc(1px + 2%)!important}\n"
    '.cp-checkout input[type="email"]{border:1px solid rgb(0 0 0 / 50%);'
    "font-family:Georgia, serif;background-image:linear-gradient(90deg, #fff, #eee)}"
)


def test_known_good_css_survives_unchanged():
    result = sanitize_css(GOOD_CSS)
    assert result.css == GOOD_CSS
    assert result.dropped == ()


def test_unscoped_selectors_are_scoped_under_the_checkout():
    assert sanitize_css("h1, .total > span { color: navy }").css == (
        ".cp-checkout h1,.cp-checkout .total > span{color:navy}"
    )
    assert sanitize_css(".cp-checkout-evil{color:red}").css == (
        ".cp-checkout .cp-checkout-evil{color:red}"
    )


@pytest.mark.parametrize(
    ("css", "reason"),
    [
        ("@import url(https://evil.example/x.css);", "@import rules are not allowed"),
        ("@font-face{src:url(x)}", "@font-face rules are not allowed"),
        (".a{background-image:url(https://evil.example/t.png)}", "is not allowed"),
        (".a{width:expression(alert(1))}", "expression(), which is not allowed"),
        (".a{color:e\\78pression(alert(1))}", "expression(), which is not allowed"),
        (".a{b\\65havior:url(x.htc)}", "the property behavior is not allowed"),
        (".a{-moz-binding:url(x.xml#x)}", "the property -moz-binding is not allowed"),
        (".a{position:fixed}", "the property position is not allowed"),
        (".a{display:none}", "the property display is not allowed"),
        (".a{color:javascript}", "uses the name javascript"),
        ('.a{font-family:"</style><script>"}', "quoted text"),
        (".a{color:ｒｅｄ}", "uses the name"),  # full-width letters
        ("\u202e.a{color:red}", "selector uses"),
        ("javascript:hover{color:red}", "selector uses the name javascript"),
        (".a{color:red;}<!--", ""),
    ],
)
def test_dangerous_css_is_dropped_with_a_reason(css, reason):
    result = sanitize_css(css)
    lowered = result.css.lower()
    for forbidden in ("url(", "expression", "behavior", "@import", "javascript", "<", "\\"):
        assert forbidden not in lowered
    if reason:
        assert any(reason in why for why in result.dropped), result.dropped


def test_html_comments_and_style_breakouts_never_reach_the_output():
    css = "<!-- .a{color:red} --> </style><script>alert(1)</script> .b{color:blue}"
    result = sanitize_css(css)
    assert "<" not in result.css
    assert "-->" not in result.css
    assert ".cp-checkout .a{color:red}" in result.css


def test_declarations_are_dropped_one_by_one_not_the_whole_rule():
    result = sanitize_css(".a{color:red;position:absolute;margin:0 auto}")
    assert result.css == ".cp-checkout .a{color:red;margin:0 auto}"
    assert len(result.dropped) == 1


_CSS_ALPHABET = (
    " \n\t{}:;.,#<>/\\!@()*+-~='\"%[]^$|abcdeghilmnoprstuvwxyz0123456789ABCEFPRSX\u202e\uff45\x00"
)
_css_like = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=_CSS_ALPHABET, max_size=200),
    st.lists(
        st.sampled_from(
            [
                "</style",
                "@import",
                "expression(",
                "javascript:",
                "url(",
                "\\65 ",
                "<!--",
                "-->",
                ".a",
                "{",
                "}",
                "color:",
                "red",
                ";",
                "b\\65havior",
                "e\\78pression(",
                "javascr\\69pt:",
                " ",
                ",",
                ":",
                "#fff",
                "calc(",
                ")",
                "!important",
                "'",
                '"',
            ]
        ),  # fmt: skip
        max_size=40,
    ).map("".join),
)


@settings(max_examples=300)
@given(_css_like)
def test_sanitized_css_never_contains_forbidden_sequences(css):
    out = sanitize_css(css).css.lower()
    for forbidden in ("</style", "@import", "expression(", "javascript:", "url(", "<!--", "\\"):
        assert forbidden not in out
    assert out.isascii()


@settings(max_examples=300)
@given(_css_like)
def test_sanitizing_is_idempotent(css):
    once = sanitize_css(css).css
    again = sanitize_css(once)
    assert again.css == once
    assert again.dropped == ()


@given(_css_like)
def test_every_output_rule_is_scoped(css):
    for rule in filter(None, sanitize_css(css).css.split("\n")):
        selectors = rule.split("{", 1)[0]
        assert all(s.startswith(".cp-checkout") for s in selectors.split(","))
