// The price breakdown the shopper sees before accepting, from Shopify's own
// calculateChangeset (CalculatedPurchase): the added item, its shipping and tax, and
// what will be charged (totalOutstandingSet). Amounts in the shopper's currency.

function money(bag) {
  return bag.presentmentMoney || bag.shopMoney;
}

function sum(amounts, currencyCode) {
  const cents = amounts.reduce((total, m) => total + Math.round(Number(m.amount) * 100), 0);
  return {amount: (cents / 100).toFixed(2), currencyCode};
}

export function formatMoney({amount, currencyCode}, locale) {
  return new Intl.NumberFormat(locale || 'en', {style: 'currency', currency: currencyCode}).format(
    Number(amount),
  );
}

/** Rows of {label, money} for the offer's change, or null when Shopify could not price it. */
export function breakdown(calculated, offer) {
  if (!calculated) return null;
  const added = offer.changes.filter((c) => c.type === 'add_variant');
  const ids = new Set(added.map((c) => Number(c.variantId ?? c.variantID)));
  const lines = calculated.updatedLineItems.filter((l) => ids.has(Number(l.variantId)));
  const total = money(calculated.totalOutstandingSet);
  const currency = total.currencyCode;
  const rows = [{label: 'Subtotal', money: sum(lines.map((l) => money(l.totalPriceSet)), currency)}];
  const shipping = calculated.addedShippingLines.map((s) => money(s.priceSet));
  rows.push({label: 'Shipping', money: sum(shipping, currency)});
  rows.push({label: 'Taxes', money: sum(calculated.addedTaxLines.map((t) => money(t.priceSet)), currency)});
  rows.push({label: 'Total', money: total});
  return rows;
}
