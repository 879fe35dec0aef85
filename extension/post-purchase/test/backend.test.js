import {afterEach, describe, expect, it} from 'vitest';

import {BackendError, fetchOffers, reportDecline, reportResult, signChangeset} from '../src/backend.js';
import {startBackend} from './harness.js';

const inputData = {token: 'shopify-token', initialPurchase: {referenceId: 'ref-1'}};
const offer = {id: 'offer-1', changes: [{type: 'add_variant', variantID: 7, quantity: 1}]};
let backend;

afterEach(() => backend && backend.close());

describe("Cartpath's backend", () => {
  it("sends Shopify's token and the reference id, and reads the offers", async () => {
    backend = await startBackend(() => [200, {offers: [offer]}]);

    const offers = await fetchOffers({baseUrl: backend.url, inputData});

    expect(offers).toEqual([offer]);
    const [call] = backend.received;
    expect(call.path).toBe('/post-purchase/offer');
    expect(call.headers.authorization).toBe('Bearer shopify-token');
    expect(call.body).toEqual({referenceId: 'ref-1'});
  });

  it('asks for a signature of exactly the offer made', async () => {
    backend = await startBackend(() => [200, {token: 'changeset-jwt'}]);

    expect(await signChangeset({baseUrl: backend.url, inputData, offer})).toBe('changeset-jwt');
    expect(backend.received[0].body).toEqual({
      referenceId: 'ref-1',
      offerId: 'offer-1',
      changes: offer.changes,
    });
  });

  it("raises Cartpath's refusal with its status and message", async () => {
    backend = await startBackend(() => [409, {message: 'This offer was already answered.'}]);

    const error = await signChangeset({baseUrl: backend.url, inputData, offer}).catch((e) => e);

    expect(error).toBeInstanceOf(BackendError);
    expect([error.status, error.message]).toEqual([409, 'This offer was already answered.']);
  });

  it('sends the apply result again when an answer is lost, and not after a refusal', async () => {
    backend = await startBackend((_path, _body, _headers, received) =>
      received.length < 3 ? [503, {}] : [200, {recorded: 'partially_processed'}],
    );
    const result = {status: 'partially_processed', errors: [{code: 'payment_required', message: 'No'}]};

    await reportResult({baseUrl: backend.url, inputData, offer, result});

    expect(backend.received).toHaveLength(3);
    expect(backend.received[2].body).toEqual({
      referenceId: 'ref-1',
      offerId: 'offer-1',
      status: 'partially_processed',
      errors: [{code: 'payment_required', message: 'No'}],
    });
    await backend.close();

    backend = await startBackend(() => [400, {message: 'Unknown status'}]);
    await expect(reportResult({baseUrl: backend.url, inputData, offer, result})).rejects.toThrow('Unknown status');
    expect(backend.received).toHaveLength(1);
  });

  it('tells Cartpath of a decline and never fails the shopper over it', async () => {
    backend = await startBackend(() => [409, {message: 'already answered'}]);

    await expect(reportDecline({baseUrl: backend.url, inputData, offer})).resolves.toBeUndefined();
    await expect(reportDecline({baseUrl: 'http://127.0.0.1:9', inputData, offer})).resolves.toBeUndefined();
    expect(backend.received[0].body).toEqual({referenceId: 'ref-1', offerId: 'offer-1'});
  });
});
