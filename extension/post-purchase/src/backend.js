// Calls to Cartpath's backend, each with Shopify's inputData.token as the bearer: the
// backend verifies it (HS256 with the app secret) before anything else.
// https://shopify.dev/docs/api/checkout-extensions/post-purchase/jwt-specification

export class BackendError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function post(fetchImpl, url, token, body) {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Authorization: `Bearer ${token}`},
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new BackendError(response.status, answer.message || `HTTP ${response.status}`);
  }
  return answer;
}

/** The offers Cartpath made for this purchase (an empty list: none applies). */
export async function fetchOffers({baseUrl, inputData, fetchImpl = fetch}) {
  const referenceId = inputData.initialPurchase.referenceId;
  const answer = await post(fetchImpl, `${baseUrl}/post-purchase/offer`, inputData.token, {
    referenceId,
  });
  return Array.isArray(answer.offers) ? answer.offers : [];
}

/** Cartpath's changeset token for exactly this offer; Cartpath signs each offer once. */
export async function signChangeset({baseUrl, inputData, offer, fetchImpl = fetch}) {
  const answer = await post(fetchImpl, `${baseUrl}/post-purchase/sign-changeset`, inputData.token, {
    referenceId: inputData.initialPurchase.referenceId,
    offerId: offer.id,
    changes: offer.changes,
  });
  return answer.token;
}

/**
 * Tell Cartpath what applyChangeset answered; only the extension learns it. Sent again
 * when the answer is lost (Cartpath records it once), at most `attempts` times.
 */
export async function reportResult({baseUrl, inputData, offer, result, fetchImpl = fetch, attempts = 3}) {
  const body = {
    referenceId: inputData.initialPurchase.referenceId,
    offerId: offer.id,
    status: result.status,
    errors: (result.errors || []).map((e) => ({code: e.code, message: e.message})),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await post(fetchImpl, `${baseUrl}/post-purchase/changeset-result`, inputData.token, body);
    } catch (error) {
      const retriable = !(error instanceof BackendError) || error.status >= 500;
      if (!retriable || attempt >= attempts) throw error;
    }
  }
}

/** The shopper declined `offer`; for the merchant's numbers only, so a failure is ignored. */
export async function reportDecline({baseUrl, inputData, offer, fetchImpl = fetch}) {
  try {
    await post(fetchImpl, `${baseUrl}/post-purchase/decline`, inputData.token, {
      referenceId: inputData.initialPurchase.referenceId,
      offerId: offer.id,
    });
  } catch (error) {
    // The shopper moves on whatever Cartpath answers.
  }
}
