export { globalTeardown as default } from 'ep-cart-stub/jest';
