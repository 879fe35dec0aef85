/**
 * Cartpath's post-purchase extension (Shopify public installs, native mode).
 * https://shopify.dev/docs/api/checkout-extensions/post-purchase
 *
 * ShouldRender asks Cartpath for the offers of this purchase and keeps them in `storage`
 * for Render; no offer, or no answer, and Shopify goes straight to the thank-you page.
 */
import {extend, render} from '@shopify/post-purchase-ui-extensions-react';

import {App} from './App.jsx';
import {fetchOffers} from './backend.js';
import {CARTPATH_URL} from './config.js';

export async function shouldRender({inputData, storage}, {baseUrl = CARTPATH_URL, fetchImpl = fetch} = {}) {
  let offers = [];
  try {
    offers = await fetchOffers({baseUrl, inputData, fetchImpl});
  } catch (error) {
    offers = []; // the purchase is never held up by Cartpath
  }
  await storage.update({offers});
  return {render: offers.length > 0};
}

extend('Checkout::PostPurchase::ShouldRender', (api) => shouldRender(api));
render('Checkout::PostPurchase::Render', () => <App />);
