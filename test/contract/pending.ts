/**
 * Contract operations whose feature has not landed yet. Each one is left out of code generation and
 * of schema validation; the contract test fails when one of them starts to validate, so the list only
 * shrinks. It is empty when the roadmap is done.
 */
export const PENDING_OPERATIONS: readonly string[] = [];
