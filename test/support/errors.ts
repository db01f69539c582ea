import { ClientError } from 'graphql-request';
import { expect } from 'vitest';

/** Runs a GraphQL call that must fail and answers its first error's extensions (code and the rest). */
export async function expectGraphQLError(
  call: Promise<unknown>,
  code: string,
): Promise<{ message: string; extensions: Record<string, unknown> }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a ${code} error, but the call succeeded`).toBeInstanceOf(ClientError);
  const first = (error as ClientError).response.errors?.[0];
  expect(first?.extensions?.code, JSON.stringify((error as ClientError).response.errors)).toBe(code);
  return first as unknown as { message: string; extensions: Record<string, unknown> };
}
