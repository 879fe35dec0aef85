"""The merchant's checkout design as validated settings, and the only CSS the page includes.

Everything here reaches shoppers, so it is checked when the merchant saves, not when a shopper
loads the page: colours must keep body and button text readable and the accent's marks visible
(WCAG 2.1 contrast), texts are
plain and capped, and merchant CSS goes through a tokenizer-level sanitiser that keeps only
declarations from a safe list, scoped under `.cp-checkout`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

import tinycss2
import tinycss2.ast

from checkout.addresses import clean_text

SCOPE_CLASS = "cp-checkout"
FONT_STACKS = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    "helvetica": '"Helvetica Neue", Helvetica, Arial, sans-serif',
    "georgia": 'Georgia, "Times New Roman", Times, serif',
    "verdana": "Verdana, Geneva, Tahoma, sans-serif",
    "trebuchet": '"Trebuchet MS", "Lucida Grande", sans-serif',
    "palatino": '"Palatino Linotype", Palatino, "Book Antiqua", serif',
    "courier": '"Courier New", Courier, monospace',
}
LAYOUTS = ("one_column", "two_column")
TRUST_BADGES = ("secure_checkout", "money_back_guarantee", "free_returns", "fast_shipping",
                "customer_support")  # fmt: skip
MAX_TESTIMONIALS = 3
MAX_RADIUS = 24
MAX_CSS_CHARS = 10_000
TEXT_LIMITS = {"header_text": 120, "footer_text": 500, "quote": 280, "author": 80}
# WCAG 2.1 success criterion 1.4.3 (AA): at least 4.5:1 for normal-size text.
# https://www.w3.org/TR/WCAG21/#contrast-minimum
MIN_CONTRAST = 4.5
# WCAG 2.1 success criterion 1.4.11 (AA): at least 3:1 for the visual parts of controls and
# meaningful graphics, which is all the accent draws (never text, see `Theme.accent`).
# https://www.w3.org/TR/WCAG21/#non-text-contrast
MIN_NON_TEXT_CONTRAST = 3.0

_COLOUR = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})")
_URL_UNSAFE = re.compile(r"[^\x21-\x7e]|[\"'<>\\`()]")


class ThemeError(ValueError):
    """The settings cannot be saved; `errors` maps each setting to what the merchant should do."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Testimonial:
    quote: str
    author: str


@dataclass(frozen=True)
class Theme:
    """A validated design. Build it from stored or submitted settings with `from_settings`."""

    logo_url: str = ""
    primary: str = "#1a56db"  # buttons and links
    primary_text: str = "#ffffff"  # text on primary buttons
    # Marks, never text: focus rings, the chosen delivery option's border and radio, the
    # markers before section headings; so it needs 3:1 on the background, not 4.5:1.
    accent: str = "#047857"
    background: str = "#ffffff"
    text: str = "#111827"
    font: str = "system"
    corner_radius: int = 6
    layout: str = "two_column"
    header_text: str = ""
    footer_text: str = ""
    trust_badges: tuple[str, ...] = ()
    testimonials: tuple[Testimonial, ...] = ()
    phone_required: bool = False
    show_company: bool = True
    custom_css: str = field(default="", repr=False)

    @classmethod
    def default(cls) -> Theme:
        return cls()

    @classmethod
    def from_settings(cls, data: object) -> Theme:
        """Validate settings (stored JSON or the designer's submission); absent keys keep
        their defaults.

        :raises ThemeError: every problem at once, setting -> message.
        """
        if not isinstance(data, Mapping):
            raise ThemeError({"settings": "Send the design settings as an object"})
        errors: dict[str, str] = {}
        values: dict[str, object] = {}
        known = {f.name for f in fields(cls)}
        for name in data:
            if name not in known:
                errors[str(name)[:40]] = "Unknown setting; remove it"
        for name, parse in _PARSERS.items():
            if name in data:
                try:
                    values[name] = parse(data[name])
                except ValueError as problem:
                    errors[name] = str(problem)
        theme = cls(**values)  # type: ignore[arg-type]
        if not {"text", "background", "primary", "primary_text", "accent"} & errors.keys():
            errors.update(theme.contrast_problems())
        if errors:
            raise ThemeError(errors)
        return theme

    def to_settings(self) -> dict[str, object]:
        """JSON-able settings; `from_settings(theme.to_settings()) == theme`."""
        settings: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        settings["trust_badges"] = list(self.trust_badges)
        settings["testimonials"] = [{"quote": t.quote, "author": t.author}
                                    for t in self.testimonials]  # fmt: skip
        return settings

    def contrast_problems(self) -> dict[str, str]:
        """Colour pairs below WCAG 2.1 AA contrast, with which colours to change."""
        problems = {}
        body = contrast_ratio(self.text, self.background)
        if body < MIN_CONTRAST:
            problems["text"] = (
                f"Text on the background has a contrast of {body:.2f}:1, below the "
                f"{MIN_CONTRAST}:1 shoppers need to read it; change the text colour or the "
                f"background colour (try text {_best_on(self.background)})"
            )
        button = contrast_ratio(self.primary_text, self.primary)
        if button < MIN_CONTRAST:
            problems["primary_text"] = (
                f"Button text on the primary colour has a contrast of {button:.2f}:1, below "
                f"{MIN_CONTRAST}:1; change the button text colour or the primary colour "
                f"(try button text {_best_on(self.primary)})"
            )
        marks = contrast_ratio(self.accent, self.background)
        if marks < MIN_NON_TEXT_CONTRAST:
            problems["accent"] = (
                f"The accent on the background has a contrast of {marks:.2f}:1, below the "
                f"{MIN_NON_TEXT_CONTRAST}:1 shoppers need to see focus rings and the chosen "
                f"delivery option; change the accent colour or the background colour "
                f"(try accent {_best_on(self.background)})"
            )
        return problems

    def css_variables(self) -> str:
        """The `:root` block the page's stylesheet reads; every value was validated."""
        variables = {
            "primary": self.primary,
            "primary-text": self.primary_text,
            "accent": self.accent,
            "background": self.background,
            "text": self.text,
            "font": FONT_STACKS[self.font],
            "radius": f"{self.corner_radius}px",
        }
        return ":root{" + ";".join(f"--cp-{k}:{v}" for k, v in variables.items()) + "}"

    def stylesheet(self) -> str:
        """What goes in the page's <style>: the variables, then the merchant's CSS, sanitised
        again on the way out so that a theme built without `from_settings` is no way around."""
        return self.css_variables() + "\n" + sanitize_css(self.custom_css).css


# ---- settings parsers: each returns the stored value or raises ValueError(message) ----


def _colour(value: object) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _COLOUR.fullmatch(text):
        raise ValueError("Use a colour like #1a56db")
    return text if len(text) == 7 else "#" + "".join(ch * 2 for ch in text[1:])


def _logo_url(value: object) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text == "":
        return ""
    if text is None or len(text) > 2048 or _URL_UNSAFE.search(text):
        raise ValueError("Use the https:// address of an image")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
    if parts.scheme != "https" or not host or parts.username or parts.password:
        raise ValueError("Use the https:// address of an image")
    return text


def _choice(allowed: tuple[str, ...] | dict[str, str], what: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"Choose a {what}: {', '.join(allowed)}")
        return value

    return parse


def _radius(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RADIUS:
        raise ValueError(f"Use a whole number of pixels from 0 to {MAX_RADIUS}")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("Choose yes or no")
    return value


def _text(name: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        return clean_text(value, TEXT_LIMITS[name])

    return parse


def _badges(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or any(b not in TRUST_BADGES for b in value):
        raise ValueError(f"Choose badges from: {', '.join(TRUST_BADGES)}")
    return tuple(dict.fromkeys(value))


def _testimonials(value: object) -> tuple[Testimonial, ...]:
    if not isinstance(value, list | tuple) or len(value) > MAX_TESTIMONIALS:
        raise ValueError(f"Add at most {MAX_TESTIMONIALS} testimonials")
    found = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"Testimonial {number}: give a quote and an author")
        try:
            quote = clean_text(item.get("quote", ""), TEXT_LIMITS["quote"])
            author = clean_text(item.get("author", ""), TEXT_LIMITS["author"])
        except ValueError as problem:
            raise ValueError(f"Testimonial {number}: {problem}") from None
        if not quote or not author:
            raise ValueError(f"Testimonial {number}: give a quote and an author")
        found.append(Testimonial(quote, author))
    return tuple(found)


def _custom_css(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("Send the CSS as text")
    if len(value) > MAX_CSS_CHARS:
        raise ValueError(f"Keep the CSS under {MAX_CSS_CHARS} characters")
    result = sanitize_css(value)
    if result.dropped:
        shown = "; ".join(result.dropped[:3])
        more = f" (and {len(result.dropped) - 3} more)" if len(result.dropped) > 3 else ""
        raise ValueError(f"Remove what the checkout cannot use: {shown}{more}")
    return result.css


_PARSERS = {
    "logo_url": _logo_url,
    "primary": _colour,
    "primary_text": _colour,
    "accent": _colour,
    "background": _colour,
    "text": _colour,
    "font": _choice(FONT_STACKS, "font"),
    "corner_radius": _radius,
    "layout": _choice(LAYOUTS, "layout"),
    "header_text": _text("header_text"),
    "footer_text": _text("footer_text"),
    "trust_badges": _badges,
    "testimonials": _testimonials,
    "phone_required": _flag,
    "show_company": _flag,
    "custom_css": _custom_css,
}


# ---- contrast (WCAG 2.1) ----


def relative_luminance(colour: str) -> float:
    """Relative luminance of an sRGB #rrggbb colour, as WCAG 2.1 defines it
    (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance; 0.04045 is the corrected sRGB
    threshold the definition has used since May 2021)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), lighter over darker: from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _best_on(background: str) -> str:
    return max(("#000000", "#ffffff"), key=lambda c: contrast_ratio(c, background))


# ---- custom CSS sanitising ----

_SIDES = ("", "-top", "-right", "-bottom", "-left")
# Looks only: nothing that can move content over the payment form, hide the price or the
# terms (position, display, visibility, z-index, content), or fetch anything (no url()).
SAFE_PROPERTIES = frozenset(
    {
        "color", "background-color", "background-image", "opacity", "box-shadow",
        "text-shadow", "font-family", "font-size", "font-weight", "font-style",
        "line-height", "letter-spacing", "text-align", "text-transform", "text-decoration",
        "border-radius", "outline", "outline-color", "outline-offset", "outline-style",
        "outline-width", "width", "min-width", "max-width", "height", "min-height",
        "max-height", "gap", "row-gap", "column-gap",
        *(f"{box}{side}" for box in ("margin", "padding", "border") for side in _SIDES),
        *(f"border{side}-{part}" for side in _SIDES for part in ("color", "style", "width")),
    }
)  # fmt: skip
SAFE_VALUE_FUNCTIONS = frozenset(
    {"rgb", "rgba", "hsl", "hsla", "calc", "min", "max", "clamp", "var", "linear-gradient",
     "radial-gradient"}
)  # fmt: skip
SAFE_SELECTOR_FUNCTIONS = frozenset(
    {"not", "is", "where", "nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type"}
)
# Words with a history in CSS attacks; refused in any identifier, however it was escaped.
FORBIDDEN_WORDS = ("expression", "javascript", "vbscript", "behavior", "binding", "import")
# A last check on the output: none of these may appear whatever the tokens said.
_FORBIDDEN_OUTPUT = ("<", "\\", "@import", "expression(", "javascript:", "url(", "-->")

_IDENT = re.compile(r"-{0,2}[A-Za-z_][A-Za-z0-9_-]*")
_UNIT = re.compile(r"[A-Za-z]{1,8}")
_NTH_UNIT = re.compile(r"n(?:-[0-9]*)?")  # "2n", "2n-1" (one dimension token), "2n- 1"
_HEX = re.compile(r"[0-9A-Fa-f]{3,8}")
_SAFE_STRING = re.compile(r"[A-Za-z0-9 ,._-]{0,64}")
_VALUE_LITERALS = frozenset({",", "/", "+", "-", "*"})
_SELECTOR_LITERALS = frozenset({".", ">", "+", "~", "*", ":"})
_ATTRIBUTE_LITERALS = frozenset({"=", "~=", "|=", "^=", "$=", "*="})


@dataclass(frozen=True)
class SanitizedCss:
    css: str
    dropped: tuple[str, ...]  # why each rule or declaration was left out, for the merchant


class _Refused(Exception):
    """A token the sanitiser does not allow; the enclosing declaration or rule is dropped."""


def sanitize_css(source: str) -> SanitizedCss:
    """Keep only style rules whose selectors are scoped under `.cp-checkout` (prefixed when
    not) and whose declarations use safe properties and values. Works on tinycss2 tokens, so
    escapes (`\\65 xpression`), comments and odd spacing are seen the way a browser sees them;
    the output is re-serialised from the accepted tokens, is ASCII and idempotent."""
    rules: list[str] = []
    dropped: list[str] = []
    for node in tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True):
        where = f"line {node.source_line}"
        if node.type == "at-rule":
            dropped.append(f"{where}: @{_printable(node.at_keyword)} rules are not allowed")
        elif node.type == "qualified-rule":
            rule = _rule(node, where, dropped)
            if rule:
                rules.append(rule)
        else:
            dropped.append(f"{where}: {node.message}" if node.type == "error" else where)
    return SanitizedCss("\n".join(rules), tuple(dropped))


def _rule(node: tinycss2.ast.QualifiedRule, where: str, dropped: list[str]) -> str | None:
    try:
        selectors = _selectors(node.prelude)
    except _Refused as refused:
        dropped.append(f"{where}: selector {refused}")
        return None
    declarations = []
    for item in tinycss2.parse_blocks_contents(
        node.content, skip_comments=True, skip_whitespace=True
    ):
        at = f"line {item.source_line}"
        if item.type != "declaration":
            dropped.append(f"{at}: only declarations are allowed inside a rule")
            continue
        if item.lower_name not in SAFE_PROPERTIES:
            dropped.append(f"{at}: the property {_printable(item.name)} is not allowed")
            continue
        try:
            value = tinycss2.serialize(_checked(item.value, _value_token))
        except _Refused as refused:
            dropped.append(f"{at}: {item.lower_name} value {refused}")
            continue
        if value:
            declarations.append(f"{item.lower_name}:{value}{'!important' * item.important}")
    if not declarations:
        return None
    text = f"{selectors}{{{';'.join(declarations)}}}"
    if any(bad in text.lower() for bad in _FORBIDDEN_OUTPUT):
        dropped.append(f"{where}: the rule was refused")
        return None
    return text


def _selectors(prelude: list[tinycss2.ast.Node]) -> str:
    """Each comma-separated selector validated and prefixed with `.cp-checkout `."""
    parts: list[list[tinycss2.ast.Node]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    scoped = []
    for part in parts:
        tokens = _strip(_checked(part, _selector_token))
        if not tokens:
            raise _Refused("is empty")
        text = tinycss2.serialize(tokens)
        if not (text == f".{SCOPE_CLASS}" or _starts_with_scope(tokens)):
            text = f".{SCOPE_CLASS} {text}"
        scoped.append(text)
    return ",".join(scoped)


def _starts_with_scope(tokens: list[tinycss2.ast.Node]) -> bool:
    first, second = tokens[0], tokens[1] if len(tokens) > 1 else None
    return (
        first.type == "literal"
        and first.value == "."
        and second is not None
        and second.type == "ident"
        and second.value == SCOPE_CLASS
    )


def _checked(
    tokens: list[tinycss2.ast.Node], allow: Callable[[tinycss2.ast.Node], None]
) -> list[tinycss2.ast.Node]:
    """The tokens with whitespace runs made single spaces, or _Refused naming the first
    token that `allow` refuses. Function arguments are checked with the same rule."""
    out: list[tinycss2.ast.Node] = []
    for token in tokens:
        if token.type == "whitespace":
            if out and out[-1].type != "whitespace":
                out.append(
                    tinycss2.ast.WhitespaceToken(token.source_line, token.source_column, " ")
                )
            continue
        if token.type == "comment":
            continue
        allow(token)
        if token.type == "function":
            token = tinycss2.ast.FunctionBlock(
                token.source_line, token.source_column, token.name,
                _strip(_checked(token.arguments, allow)),
            )  # fmt: skip
        elif token.type == "[] block":
            token = tinycss2.ast.SquareBracketsBlock(
                token.source_line, token.source_column,
                _strip(_checked(token.content, _attribute_token)),
            )  # fmt: skip
        out.append(token)
    return _strip(out)


def _strip(tokens: list[tinycss2.ast.Node]) -> list[tinycss2.ast.Node]:
    start, end = 0, len(tokens)
    while start < end and tokens[start].type == "whitespace":
        start += 1
    while end > start and tokens[end - 1].type == "whitespace":
        end -= 1
    return tokens[start:end]


def _ident(value: str) -> None:
    if not _IDENT.fullmatch(value) or any(word in value.lower() for word in FORBIDDEN_WORDS):
        raise _Refused(f"uses the name {_printable(value)}")


def _value_token(token: tinycss2.ast.Node) -> None:
    kind = token.type
    if kind == "ident":
        _ident(token.value)
    elif kind == "dimension":
        if not _UNIT.fullmatch(token.unit):
            raise _Refused(f"uses the unit {_printable(token.unit)}")
    elif kind == "hash":
        if not _HEX.fullmatch(token.value):
            raise _Refused(f"uses #{_printable(token.value)}, which is not a colour")
    elif kind == "literal":
        if token.value not in _VALUE_LITERALS:
            raise _Refused(f"uses {_printable(token.value)}")
    elif kind == "string":
        _safe_string(token.value)
    elif kind == "function":
        if token.lower_name not in SAFE_VALUE_FUNCTIONS:
            raise _Refused(f"uses {_printable(token.name)}(), which is not allowed")
    elif kind not in ("number", "percentage"):
        raise _Refused(f"uses {_printable(kind)}, which is not allowed")


def _selector_token(token: tinycss2.ast.Node) -> None:
    kind = token.type
    if kind == "ident":
        _ident(token.value)
    elif kind == "hash":
        _ident(token.value)
    elif kind == "literal":
        if token.value not in _SELECTOR_LITERALS | {"+", "-"}:
            raise _Refused(f"uses {_printable(token.value)}")
    elif kind == "function":
        if token.lower_name not in SAFE_SELECTOR_FUNCTIONS:
            raise _Refused(f"uses :{_printable(token.name)}(), which is not allowed")
    elif kind == "dimension":
        if not _NTH_UNIT.fullmatch(token.lower_unit):
            raise _Refused(f"uses {_printable(token.representation + token.unit)}")
    elif kind not in ("number", "[] block"):
        raise _Refused(f"uses {_printable(kind)}, which is not allowed")


def _attribute_token(token: tinycss2.ast.Node) -> None:
    if token.type == "ident":
        _ident(token.value)
    elif token.type == "string":
        _safe_string(token.value)
    elif not (token.type == "literal" and token.value in _ATTRIBUTE_LITERALS):
        raise _Refused("has an attribute test that is not allowed")


def _safe_string(value: str) -> None:
    if not _SAFE_STRING.fullmatch(value) or any(w in value.lower() for w in FORBIDDEN_WORDS):
        raise _Refused("uses a quoted text with characters that are not allowed")


def _printable(text: str) -> str:
    """Merchant input echoed in a message: printable ASCII (templates escape it), at most 30."""
    return re.sub(r"[^\x20-\x7e]", "?", text)[:30]
