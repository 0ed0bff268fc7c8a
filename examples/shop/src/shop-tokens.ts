// Injection tokens of the shop's own providers.
export const SHOP_CONFIG = Symbol('SHOP_CONFIG');
export const RELYING_PARTY = Symbol('RELYING_PARTY');
export const SHOP_DATABASE = Symbol('SHOP_DATABASE');
/** The product image purpose declared at Guichet (types, sizes, the `thumb` variant). */
export const productImagePurpose = 'product-image';
