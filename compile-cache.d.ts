// Imported for its effect only: see compile-cache.js.
export {};
