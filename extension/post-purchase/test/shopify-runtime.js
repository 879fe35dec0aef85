// Shopify's extension runtime, which runs only inside Shopify's checkout: the global
// `self.shopify.extend` that registers extension points. Loaded before any test module
// (vitest.config.js setupFiles), as Shopify's host loads before the extension's script.
export const extensionPoints = {};

globalThis.self = globalThis.self || globalThis;
globalThis.self.shopify = {
  extend(point, callback) {
    extensionPoints[point] = callback;
  },
};
