import {describe, expect, it} from 'vitest';

import {breakdown, formatMoney} from '../src/breakdown.js';
import {formatCountdown, secondsLeft} from '../src/countdown.js';
import {MAX_ACCEPTED, mayOfferMore, nextOffer} from '../src/funnel.js';

const socks = {id: 's', next: {accepted: 'hat', declined: 'cup'}};
const cup = {id: 'cup', next: {accepted: null, declined: null}};
const hat = {id: 'hat', next: {}};

describe('the funnel path', () => {
  it('follows the accept and decline links', () => {
    const offers = [socks, cup, hat];
    expect(nextOffer(offers, socks, 'accepted')).toBe(hat);
    expect(nextOffer(offers, socks, 'declined')).toBe(cup);
    expect(nextOffer(offers, cup, 'declined')).toBeNull();
    expect(nextOffer(offers, hat, 'accepted')).toBeNull();
  });

  it('stops at three accepted offers or when Shopify allows no more', () => {
    expect(MAX_ACCEPTED).toBe(3);
    expect(mayOfferMore(2, 1)).toBe(true);
    expect(mayOfferMore(3, 5)).toBe(false);
    expect(mayOfferMore(1, 0)).toBe(false);
    expect(mayOfferMore(0, undefined)).toBe(true);
  });
});

describe('the countdown', () => {
  it('counts to the end Cartpath fixed, whenever the page was loaded', () => {
    const end = '2026-01-01T00:10:00Z';
    expect(secondsLeft(end, Date.parse('2026-01-01T00:00:00Z'))).toBe(600);
    expect(secondsLeft(end, Date.parse('2026-01-01T00:09:59.2Z'))).toBe(1);
    expect(secondsLeft(end, Date.parse('2026-01-01T01:00:00Z'))).toBe(0);
    expect(secondsLeft(null, Date.now())).toBeNull();
    expect(secondsLeft('not a date', Date.now())).toBeNull();
    expect(formatCountdown(600)).toBe('10:00');
    expect(formatCountdown(61)).toBe('1:01');
  });
});

const bag = (amount, currencyCode = 'EUR') => ({
  shopMoney: {amount, currencyCode},
  presentmentMoney: {amount, currencyCode},
});

describe('the price breakdown', () => {
  it("shows only what the change adds, as Shopify calculated it", () => {
    const calculated = {
      subtotalPriceSet: bag('120.00'),
      totalPriceSet: bag('150.00'),
      updatedLineItems: [
        {variantId: 1, totalPriceSet: bag('100.00'), priceSet: bag('100.00'), quantity: 1},
        {variantId: 7, totalPriceSet: bag('18.00'), priceSet: bag('10.00'), quantity: 2},
      ],
      addedShippingLines: [{priceSet: bag('4.50'), presentmentTitle: 'Shipping'}],
      addedTaxLines: [{priceSet: bag('1.10'), rate: 0.2, title: 'VAT'}, {priceSet: bag('0.15'), rate: 0.01, title: 'Eco'}],
      totalOutstandingSet: bag('23.75'),
    };
    const offer = {changes: [{type: 'add_variant', variantID: 7, quantity: 2}]};

    const rows = breakdown(calculated, offer);

    expect(rows.map((r) => [r.label, r.money.amount])).toEqual([
      ['Subtotal', '18.00'],
      ['Shipping', '4.50'],
      ['Taxes', '1.25'],
      ['Total', '23.75'],
    ]);
    expect(formatMoney(rows[3].money, 'de-DE')).toBe('23,75\u00a0€');
    expect(breakdown(null, offer)).toBeNull();
  });
});
