// One stub for the whole run, for code the run starts once (a dev server reading EP_CART_STUB_URL).
export { setup } from 'ep-cart-stub/vitest/global-setup';
