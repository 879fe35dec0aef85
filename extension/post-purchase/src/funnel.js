// Where the shopper goes after answering an offer: the offer its `next` link names for
// that answer (a downsell on decline), or the thank-you page.

/** Shopify accepts at most three post-purchase changesets per order
 * (changesetApplicationsRemaining; PLATFORMS.md H.3); Cartpath's backend refuses a fourth too. */
export const MAX_ACCEPTED = 3;

export function nextOffer(offers, current, answer) {
  const target = current && current.next ? current.next[answer] : null;
  return (target && offers.find((offer) => offer.id === target)) || null;
}

/** Whether the shopper may see another offer after `accepted` accepted ones. */
export function mayOfferMore(accepted, remaining) {
  return accepted < MAX_ACCEPTED && (remaining == null || remaining > 0);
}
