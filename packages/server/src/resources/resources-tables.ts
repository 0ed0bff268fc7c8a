/** Tables of this domain, as its migrations leave them; part of the Database type. */
// biome-ignore lint/complexity/noBannedTypes: filled in as the domain's migration adds tables.
export type ResourcesTables = {};
