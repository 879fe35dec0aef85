"""The designer's HTML form as theme settings, and back: checkboxes, numbered testimonial
fields and text inputs become the JSON-like settings `Theme.from_settings` validates."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from checkout.theme import MAX_TESTIMONIALS

TEXT_FIELDS = (
    "logo_url", "primary", "primary_text", "accent", "background", "text", "font",
    "corner_radius", "layout", "header_text", "footer_text", "custom_css",
)  # fmt: skip
FLAGS = ("phone_required", "show_company")


def settings_from_form(form: MultiDict[str, str]) -> dict[str, object]:
    """Every setting the form shows, as submitted (unchecked boxes are False; empty
    testimonial rows are left out). Validation is the theme's job, not this one's."""
    settings: dict[str, object] = {name: form.get(name, "") for name in TEXT_FIELDS}
    settings.update({flag: flag in form for flag in FLAGS})
    settings["trust_badges"] = form.getlist("trust_badges")
    testimonials = []
    for number in range(1, MAX_TESTIMONIALS + 1):
        quote = form.get(f"testimonial_quote_{number}", "")
        author = form.get(f"testimonial_author_{number}", "")
        if quote.strip() or author.strip():
            testimonials.append({"quote": quote, "author": author})
    settings["testimonials"] = testimonials
    return settings


def form_values(settings: dict[str, object]) -> dict[str, object]:
    """What the form shows: a saved theme's settings or a refused submission as typed, with
    a row for every testimonial slot."""
    rows = list(settings["testimonials"])  # type: ignore[call-overload]
    blank = {"quote": "", "author": ""}
    return {**settings, "testimonials": rows + [blank] * (MAX_TESTIMONIALS - len(rows))}
