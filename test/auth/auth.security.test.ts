import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlansDocument } from '../generated/graphql.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';

const ISSUER = 'https://signin.example.test';
const AUDIENCE = 'billing-api';
const hs = (secret: string) => new TextEncoder().encode(secret);
const nowSeconds = () => Math.floor(Date.now() / 1000);

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function plansStatus(app: TestApp, token: string): Promise<number> {
  const response = await fetch(app.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ plans { code } }' }),
  });
  return response.status;
}

describe('HS256 shared secret with issuer and audience checks', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
  });
  afterAll(() => app?.close());

  const claims = { business_id: 'biz_1', role: 'member' };
  const sign = (options: { secret?: string; issuer?: string; audience?: string; exp?: number; sub?: string | null } = {}) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? nowSeconds() + 600);
    if (options.sub !== null) jwt.setSubject(options.sub ?? 'user_1');
    return jwt.sign(hs(options.secret ?? TEST_JWT_SECRET));
  };

  it('accepts a token signed with the secret, for the right issuer and audience', async () => {
    const { plans } = await app.client(await sign()).request(PlansDocument);
    expect(plans.length).toBeGreaterThan(0);
  });

  it.each([
    ['signed with another key', () => sign({ secret: 'another-secret-that-is-32-characters-long!!' })],
    ['for another audience', () => sign({ audience: 'someone-else' })],
    ['from another issuer', () => sign({ issuer: 'https://evil.example.test' })],
    ['past its exp', () => sign({ exp: nowSeconds() - 120 })],
    ['without a subject', () => sign({ sub: null })],
    [
      'with alg none',
      async () =>
        `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, sub: 'user_1', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 600 })}.`,
    ],
    ['that is not a JWT at all', async () => 'not-a-token'],
  ])('refuses a token %s with UNAUTHENTICATED (HTTP 401)', async (_what, makeToken) => {
    const token = await makeToken();
    await expectGraphQLError(app.client(token).request(PlansDocument), 'UNAUTHENTICATED');
    expect(await plansStatus(app, token)).toBe(401);
  });

  it('stops accepting a token, verified and remembered before, once it expires', async () => {
    const exp = nowSeconds() + 2;
    const token = await sign({ exp });
    for (let i = 0; i < 2; i++) expect((await app.client(token).request(PlansDocument)).plans.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 100));
    await expectGraphQLError(app.client(token).request(PlansDocument), 'UNAUTHENTICATED');
  });

  it('refuses a role outside owner, admin and member', async () => {
    const token = await new SignJWT({ business_id: 'biz_1', role: 'superuser' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user_1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(hs(TEST_JWT_SECRET));
    await expectGraphQLError(app.client(token).request(PlansDocument), 'UNAUTHENTICATED');
  });
});

describe('JWKS (RS256/ES256) from the sign-in service', () => {
  let app: TestApp;
  let jwks: Server;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    const keys: JWK[] = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    app = await startTestApp({
      AUTH_JWT_SECRET: '',
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      AUTH_AUDIENCE: AUDIENCE,
    });
  });
  afterAll(async () => {
    await app?.close();
    jwks?.close();
  });

  const signWith = (alg: 'RS256' | 'ES256', kid: string, key: Parameters<SignJWT['sign']>[0], audience = AUDIENCE) =>
    new SignJWT({ business_id: 'biz_1', role: 'owner' })
      .setProtectedHeader({ alg, kid })
      .setSubject('user_1')
      .setAudience(audience)
      .setExpirationTime('5m')
      .sign(key);

  it('accepts RS256 and ES256 tokens signed by a key in the JWKS', async () => {
    for (const token of [await signWith('RS256', 'rsa-1', rsa.privateKey), await signWith('ES256', 'ec-1', ec.privateKey)]) {
      const { plans } = await app.client(token).request(PlansDocument);
      expect(plans.length).toBeGreaterThan(0);
    }
  });

  it('refuses a token signed by a key outside the JWKS, for another audience, or HS256 with the shared test secret', async () => {
    const stranger = await generateKeyPair('RS256');
    const tokens = [
      await signWith('RS256', 'rsa-1', stranger.privateKey),
      await signWith('RS256', 'rsa-1', rsa.privateKey, 'other-api'),
      await new SignJWT({ business_id: 'biz_1', role: 'owner' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('user_1')
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(hs(TEST_JWT_SECRET)),
    ];
    for (const token of tokens) {
      await expectGraphQLError(app.client(token).request(PlansDocument), 'UNAUTHENTICATED');
    }
  });
});
