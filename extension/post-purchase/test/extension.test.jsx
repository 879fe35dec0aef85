import {render} from '@shopify/post-purchase-ui-extensions-react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import {App} from '../src/App.jsx';
import {shouldRender} from '../src/index.jsx';
import {button, extensionPoints, findAll, renderExtension, settle, startBackend, text} from './harness.js';

const bag = (amount) => ({
  shopMoney: {amount, currencyCode: 'USD'},
  presentmentMoney: {amount, currencyCode: 'USD'},
});

function offerOf(id, title, next = {}, extra = {}) {
  return {
    id,
    title,
    productTitle: `${title} (product)`,
    productImageURL: `https://cdn.example/${id}.png`,
    productDescription: [`Why ${id}`],
    changes: [{type: 'add_variant', variantID: id.length, quantity: 1}],
    next: {accepted: null, declined: null, ...next},
    ...extra,
  };
}

const socks = offerOf('socks', 'Socks to match?', {accepted: 'hat', declined: 'cup'});
const cup = offerOf('cup', 'An egg cup, then?');
const hat = offerOf('hat', 'And a hat?', {accepted: 'scarf'});
const scarf = offerOf('scarf', 'A scarf?', {accepted: 'gloves'});
const gloves = offerOf('gloves', 'Gloves?');

function calculated(offer) {
  return {
    status: 'processed',
    errors: [],
    calculatedPurchase: {
      subtotalPriceSet: bag('110.00'),
      totalPriceSet: bag('121.00'),
      updatedLineItems: [{variantId: offer.changes[0].variantID, totalPriceSet: bag('9.00'), priceSet: bag('10.00'), quantity: 1}],
      addedShippingLines: [],
      addedTaxLines: [{priceSet: bag('0.72'), rate: 0.08, title: 'Tax'}],
      totalOutstandingSet: bag('9.72'),
    },
  };
}

/** Shopify's Render API for one purchase (the host's side, which only Shopify runs). */
function shopifyApi(offers, applied = () => ({status: 'processed', errors: [], changesetApplicationsRemaining: 2})) {
  const byChanges = new Map(offers.map((o) => [JSON.stringify(o.changes), o]));
  return {
    inputData: {token: 'shopify-token', locale: 'en', initialPurchase: {referenceId: 'ref-9'}},
    storage: {initialData: {offers}, update: vi.fn(async () => {})},
    calculateChangeset: vi.fn(async ({changes}) => calculated(byChanges.get(JSON.stringify(changes)))),
    applyChangeset: vi.fn(async (token) => applied(token)),
    done: vi.fn(async () => {}),
  };
}

let backend;
let signed;

beforeEach(async () => {
  signed = [];
  backend = await startBackend((path, body) => {
    if (path === '/post-purchase/sign-changeset') {
      signed.push(body.offerId);
      return body.offerId === 'gone' ? [409, {message: 'sold out'}] : [200, {token: `jwt-for-${body.offerId}`}];
    }
    if (path === '/post-purchase/changeset-result') return [200, {recorded: body.status}];
    if (path === '/post-purchase/decline') return [200, {recorded: 'declined'}];
    return [200, {offers: []}];
  });
  render('Checkout::PostPurchase::Render', () => <App baseUrl={backend.url} />);
});

afterEach(() => backend.close());

async function press(root, label) {
  button(root, label).props.onPress();
  await settle(10);
}

describe('ShouldRender', () => {
  it('registers both extension points', async () => {
    await import('../src/index.jsx');
    expect(Object.keys(extensionPoints).sort()).toEqual([
      'Checkout::PostPurchase::Render',
      'Checkout::PostPurchase::ShouldRender',
    ]);
  });

  it('keeps the offers for Render, and renders nothing without one', async () => {
    const api = shopifyApi([]);
    await backend.close();
    backend = await startBackend(() => [200, {offers: [socks, cup]}]);

    expect(await shouldRender(api, {baseUrl: backend.url})).toEqual({render: true});
    expect(api.storage.update).toHaveBeenCalledWith({offers: [socks, cup]});
    expect(backend.received[0].headers.authorization).toBe('Bearer shopify-token');

    await backend.close();
    backend = await startBackend(() => [200, {offers: []}]);
    expect(await shouldRender(api, {baseUrl: backend.url})).toEqual({render: false});
  });

  it('never holds up the purchase when Cartpath fails or is unreachable', async () => {
    const api = shopifyApi([]);
    await backend.close();
    backend = await startBackend(() => [500, {message: 'boom'}]);
    expect(await shouldRender(api, {baseUrl: backend.url})).toEqual({render: false});
    expect(await shouldRender(api, {baseUrl: 'http://127.0.0.1:9'})).toEqual({render: false});
    expect(api.storage.update).toHaveBeenLastCalledWith({offers: []});
  });
});

describe('Render', () => {
  it("shows the offer with Shopify's price breakdown", async () => {
    const api = shopifyApi([socks, cup, hat]);

    const root = await renderExtension(api);

    const page = text(root);
    expect(page).toContain('Socks to match?');
    expect(page).toContain('Why socks');
    expect(page).toContain('Subtotal: $9.00');
    expect(page).toContain('Taxes: $0.72');
    expect(page).toContain('Total: $9.72');
    expect(findAll(root, 'Image')[0].props.source).toBe('https://cdn.example/socks.png');
    expect(api.calculateChangeset).toHaveBeenCalledWith({changes: socks.changes});
    expect(button(root, 'Pay now').props.disabled).toBe(false);
  });

  it('accepts in one click: signs, applies the signed token, reports, follows the accept path', async () => {
    const api = shopifyApi([socks, cup, hat]);
    const root = await renderExtension(api);

    await press(root, 'Pay now');

    expect(signed).toEqual(['socks']);
    expect(api.applyChangeset).toHaveBeenCalledWith('jwt-for-socks');
    const report = backend.received.find((r) => r.path === '/post-purchase/changeset-result');
    expect(report.body).toMatchObject({referenceId: 'ref-9', offerId: 'socks', status: 'processed'});
    expect(text(root)).toContain('And a hat?');
    expect(api.done).not.toHaveBeenCalled();
  });

  it('a decline leads to the downsell, and a decline there to the thank-you page', async () => {
    const api = shopifyApi([socks, cup, hat]);
    const root = await renderExtension(api);

    await press(root, 'Decline');
    expect(text(root)).toContain('An egg cup, then?');
    expect(signed).toEqual([]);
    const told = backend.received.filter((r) => r.path === '/post-purchase/decline');
    expect(told.map((r) => r.body)).toEqual([{referenceId: 'ref-9', offerId: 'socks'}]);

    await press(root, 'Decline');
    expect(api.done).toHaveBeenCalledOnce();
    expect(api.applyChangeset).not.toHaveBeenCalled();
  });

  it('stops after three accepted offers', async () => {
    const api = shopifyApi([socks, hat, scarf, gloves]);
    const root = await renderExtension(api);

    await press(root, 'Pay now'); // socks
    await press(root, 'Pay now'); // hat
    expect(text(root)).toContain('A scarf?');
    await press(root, 'Pay now'); // scarf: the third

    expect(signed).toEqual(['socks', 'hat', 'scarf']);
    expect(api.done).toHaveBeenCalledOnce();
  });

  it('stops when Shopify allows no more changesets', async () => {
    const api = shopifyApi([socks, hat], () => ({status: 'processed', errors: [], changesetApplicationsRemaining: 0}));
    const root = await renderExtension(api);

    await press(root, 'Pay now');

    expect(api.done).toHaveBeenCalledOnce();
  });

  it('a failed payment (partially_processed) is reported and nothing more is offered', async () => {
    const failed = {status: 'partially_processed', errors: [{code: 'payment_required', message: 'Declined'}], changesetApplicationsRemaining: 2};
    const api = shopifyApi([socks, cup, hat], () => failed);
    const root = await renderExtension(api);

    await press(root, 'Pay now');

    const report = backend.received.find((r) => r.path === '/post-purchase/changeset-result');
    expect(report.body).toMatchObject({status: 'partially_processed', errors: [{code: 'payment_required', message: 'Declined'}]});
    expect(text(root)).toContain('could not be charged');
    expect(text(root)).not.toContain('And a hat?');
    await press(root, 'Continue');
    expect(api.done).toHaveBeenCalledOnce();
  });

  it('an offer Cartpath will not sign is not applied; the shopper goes down the decline path', async () => {
    const gone = offerOf('gone', 'Sold out already', {declined: 'cup'});
    const api = shopifyApi([gone, cup]);
    const root = await renderExtension(api);

    await press(root, 'Pay now');

    expect(api.applyChangeset).not.toHaveBeenCalled();
    expect(text(root)).toContain('no longer available');
    expect(text(root)).toContain('An egg cup, then?');
  });

  it('an offer Shopify cannot price can only be declined', async () => {
    const api = shopifyApi([socks, cup]);
    api.calculateChangeset = vi.fn(async () => {
      throw new Error('host went away');
    });

    const root = await renderExtension(api);

    expect(text(root)).toContain('Working out the price');
    expect(button(root, 'Pay now').props.disabled).toBe(true);
    await press(root, 'Decline');
    expect(text(root)).toContain('An egg cup, then?');
  });

  it('counts down to the end Cartpath fixed, and an ended offer cannot be paid', async () => {
    const now = Date.now();
    const soon = offerOf('soon', 'Quick!', {}, {expiresAt: new Date(now + 90_000).toISOString()});
    const over = offerOf('over', 'Too late', {}, {expiresAt: new Date(now - 1000).toISOString()});

    const banner = (root) => findAll(root, 'CalloutBanner').map((b) => b.props.title).join();

    const running = await renderExtension(shopifyApi([soon]));
    expect(banner(running)).toMatch(/^Offer ends in 1:(29|30)$/);

    const ended = await renderExtension(shopifyApi([over]));
    expect(banner(ended)).toBe('This offer has ended');
    expect(button(ended, 'Pay now').props.disabled).toBe(true);
  });
});
