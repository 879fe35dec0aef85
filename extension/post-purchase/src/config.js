// Where Cartpath's backend answers the extension: production's host, the same one
// extension/shopify.app.toml registers (tests/test_extension_config.py checks they agree).
export const CARTPATH_URL = 'https://app.cartpath.io';
