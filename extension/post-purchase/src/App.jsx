// The post-purchase page: one offer at a time, priced by Shopify, accepted in one click.
import {useEffect, useState} from 'react';
import {
  BlockStack,
  Button,
  CalloutBanner,
  Heading,
  Image,
  Layout,
  Separator,
  TextBlock,
  TextContainer,
  useExtensionInput,
} from '@shopify/post-purchase-ui-extensions-react';

import {reportDecline, reportResult, signChangeset} from './backend.js';
import {breakdown, formatMoney} from './breakdown.js';
import {CARTPATH_URL} from './config.js';
import {formatCountdown, secondsLeft} from './countdown.js';
import {mayOfferMore, nextOffer} from './funnel.js';

const SORRY = {
  partially_processed: 'Your payment method could not be charged, so the item was not added.',
  unprocessed: 'That offer could not be added to your order; nothing was charged.',
  refused: 'That offer is no longer available; nothing was charged.',
};

function useNow(active) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function App({baseUrl = CARTPATH_URL, fetchImpl = fetch}) {
  const {storage, inputData, calculateChangeset, applyChangeset, done} = useExtensionInput();
  const offers = (storage.initialData && storage.initialData.offers) || [];
  const [offer, setOffer] = useState(offers[0] || null);
  const [accepted, setAccepted] = useState(0);
  const [calculated, setCalculated] = useState(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(null);
  const now = useNow(Boolean(offer && offer.expiresAt));
  const left = offer ? secondsLeft(offer.expiresAt, now) : null;
  const expired = left === 0;

  useEffect(() => {
    if (!offer) return;
    let current = true;
    setCalculated(null);
    calculateChangeset({changes: offer.changes})
      .then((result) => {
        if (current) setCalculated(result.status === 'processed' ? result.calculatedPurchase : null);
      })
      .catch(() => current && setCalculated(null)); // unpriced: it cannot be paid, only declined
    return () => {
      current = false;
    };
  }, [offer]);

  function moveOn(answer, acceptedNow, remaining) {
    const following = nextOffer(offers, offer, answer);
    if (following && mayOfferMore(acceptedNow, remaining)) {
      setOffer(following);
    } else {
      done();
    }
  }

  function decline() {
    reportDecline({baseUrl, inputData, offer, fetchImpl});
    moveOn('declined', accepted);
  }

  async function accept() {
    setBusy(true);
    setNotice(null);
    let result;
    try {
      const token = await signChangeset({baseUrl, inputData, offer, fetchImpl});
      result = await applyChangeset(token);
    } catch (error) {
      setBusy(false);
      setNotice(SORRY.refused);
      moveOn('declined', accepted);
      return;
    }
    try {
      await reportResult({baseUrl, inputData, offer, result, fetchImpl});
    } catch (error) {
      // Cartpath also reads the order's payment state; the shopper is not held up.
    }
    setBusy(false);
    if (result.status === 'processed') {
      moveOn('accepted', accepted + 1, result.changesetApplicationsRemaining);
      setAccepted(accepted + 1);
    } else if (result.status === 'partially_processed') {
      // The payment method refused: another offer would be refused as well.
      setNotice(SORRY.partially_processed);
      setOffer(null);
    } else {
      setNotice(SORRY.unprocessed);
      moveOn('declined', accepted);
    }
  }

  if (!offer) {
    return (
      <BlockStack spacing="loose">
        {notice && <CalloutBanner title="Nothing was added">{notice}</CalloutBanner>}
        <Button onPress={done}>Continue to your order confirmation</Button>
      </BlockStack>
    );
  }

  const rows = breakdown(calculated, offer);
  const locale = inputData.locale;
  return (
    <BlockStack spacing="loose">
      {notice && <CalloutBanner title="About your last choice">{notice}</CalloutBanner>}
      {left !== null && (
        <CalloutBanner title={expired ? 'This offer has ended' : `Offer ends in ${formatCountdown(left)}`} />
      )}
      <Layout
        maxInlineSize={0.95}
        media={[
          {viewportSize: 'small', sizes: [1, 30, 1]},
          {viewportSize: 'medium', sizes: [300, 30, 0.5]},
          {viewportSize: 'large', sizes: [400, 30, 0.33]},
        ]}
      >
        {offer.productImageURL ? (
          <Image description={offer.productTitle} source={offer.productImageURL} />
        ) : (
          <TextBlock>{offer.productTitle}</TextBlock>
        )}
        <BlockStack />
        <BlockStack>
          <Heading>{offer.title}</Heading>
          <TextContainer>
            {(offer.productDescription || []).map((paragraph) => (
              <TextBlock key={paragraph}>{paragraph}</TextBlock>
            ))}
          </TextContainer>
          {rows ? (
            <BlockStack spacing="tight">
              <Separator />
              {rows.map((row) => (
                <TextBlock key={row.label} emphasized={row.label === 'Total'}>
                  {`${row.label}: ${formatMoney(row.money, locale)}`}
                </TextBlock>
              ))}
            </BlockStack>
          ) : (
            <TextBlock subdued>Working out the price…</TextBlock>
          )}
          <Button submit onPress={accept} loading={busy} disabled={busy || expired || !rows}>
            {rows ? `Pay now · ${formatMoney(rows[rows.length - 1].money, locale)}` : 'Pay now'}
          </Button>
          <Button subdued onPress={decline} disabled={busy}>
            Decline this offer
          </Button>
        </BlockStack>
      </Layout>
    </BlockStack>
  );
}
