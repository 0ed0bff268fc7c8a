/** Injects the SDK instance (`GuichetClient`) the module uses, e.g. to listen to its events. */
export const GUICHET = Symbol('guichet');

/** Injects the resolved module options. */
export const GUICHET_MODULE_OPTIONS = Symbol('guichet:module-options');
