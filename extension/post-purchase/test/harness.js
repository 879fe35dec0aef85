// What the tests stand in for. Shopify's extension runtime (`self.shopify`, the host
// that renders remote components and implements calculateChangeset/applyChangeset) runs
// only inside Shopify's checkout, so it is replaced here; everything else is real: React,
// remote-ui's reconciler and root, fetch over HTTP to a local server answering as
// Cartpath's backend does.
import http from 'node:http';

import {createRemoteRoot} from '@remote-ui/core';

import {extensionPoints} from './shopify-runtime.js';

export {extensionPoints};

/** A local HTTP server; `answer(path, body, headers)` returns [status, json]. */
export async function startBackend(answer) {
  const received = [];
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', async () => {
      const body = raw ? JSON.parse(raw) : null;
      received.push({path: request.url, body, headers: request.headers});
      const [status, json] = await answer(request.url, body, request.headers, received);
      response.writeHead(status, {'Content-Type': 'application/json'});
      response.end(JSON.stringify(json));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Let promises, effects and remote-ui's updates run. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Render the Render extension point into a remote root, as Shopify's host would. */
export async function renderExtension(api) {
  const root = createRemoteRoot(() => {});
  extensionPoints['Checkout::PostPurchase::Render'](root, api);
  await settle();
  return root;
}

export function text(node) {
  if (node.text !== undefined) return node.text;
  return (node.children || []).map(text).join('');
}

export function findAll(node, type, found = []) {
  for (const child of node.children || []) {
    if (child.type === type) found.push(child);
    findAll(child, type, found);
  }
  return found;
}

export function button(root, label) {
  const match = findAll(root, 'Button').find((b) => text(b).startsWith(label));
  if (!match) throw new Error(`no button "${label}" in: ${text(root)}`);
  return match;
}
