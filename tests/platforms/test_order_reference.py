"""Cartpath's reference on a platform order: written by one function, read back by two
(Shopify's tags, BigCommerce's staff notes), so the writers and the webhook parsers agree."""

from __future__ import annotations

from platforms.orders import reference_in_tags, reference_in_text, reference_label


def test_a_label_reads_back_from_tags_and_from_notes():
    label = reference_label("CP7KQ2MX9ZHT")

    assert reference_in_tags(["vip", f" {label}", "cpupsell-4:2"]) == "CP7KQ2MX9ZHT"
    notes = f"{label} (Cartpath, paid by stripe)\ncpupsell-4"
    assert reference_in_text(notes) == "CP7KQ2MX9ZHT"


def test_text_that_only_contains_the_prefix_is_no_reference():
    assert reference_in_tags(["notcartpath-CP1", "cartpath-", "cartpath-CP1 extra"]) is None
    assert reference_in_text("notcartpath-CP1 and cartpath- alone") is None
    assert reference_in_text("") is None
