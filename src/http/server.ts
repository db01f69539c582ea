import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import express from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type postgres from 'postgres';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/verifier.js';
import { migrationsApplied } from '../db/migrate.js';
import { AppError, httpStatusFor } from '../errors/errors.js';
import type { RequestContext } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/errors.js';
import { graphqlRequestHandler } from './graphql-http.js';
import { Loaders } from '../graphql/loaders.js';
import type { Logger } from '../log/logger.js';
import type { Services } from '../services.js';
import { WebhookSignatureError } from '../webhooks/webhooks.service.js';

export interface HttpDeps {
  schema: GraphQLSchema;
  services: Services;
  verifyToken: TokenVerifier;
  sql: postgres.Sql;
  log: Logger;
}

async function principalFrom(header: string | undefined, verifyToken: TokenVerifier): Promise<Principal | undefined> {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  try {
    if (!match) throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
    return await verifyToken(match[1]!);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw new GraphQLError(error.message, {
      extensions: { code: error.code, http: { status: httpStatusFor[error.code] ?? 401 } },
    });
  }
}

const isGraphQLPath = (url: string | undefined) => url === '/graphql' || url?.startsWith('/graphql?') === true;

/** The HTTP server: GraphQL (and Sandbox) on /graphql, Stripe webhooks, health probes. */
export async function createHttpServer(deps: HttpDeps): Promise<{ server: Server; stopGraphQL: () => Promise<void> }> {
  const { schema, services, verifyToken, sql, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  // /graphql is served straight on Node's server (see graphql-http.ts); Express serves the rest.
  let serveGraphQL: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = createServer((req, res) => {
    if (serveGraphQL && isGraphQLPath(req.url)) {
      serveGraphQL(req, res).catch((error: unknown) => {
        log.warn({ err: error }, 'GraphQL request failed before an answer');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Internal server error"}]}');
        else res.destroy();
      });
      return;
    }
    app(req, res);
  });
  // Keep idle connections longer than a load balancer does (60 s on most): closing first makes the
  // balancer, or the call-tracking service's keep-alive pool, open new connections in bursts, and
  // each new connection costs the API more than a request on an open one.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const production = services.config.env === 'production';

  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: services.config.env === 'development',
    formatError: createErrorFormatter(log, { exposeInternals: services.config.env === 'development' }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // No cache hints are set (billing answers are never cacheable); the default plugin would still
      // visit every resolved field.
      ApolloServerPluginCacheControlDisabled(),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await sql`select 1`;
      if (!(await migrationsApplied(sql))) {
        res.status(503).json({ status: 'unavailable', reason: 'migrations not applied' });
        return;
      }
      res.json({ status: 'ready' });
    } catch (error) {
      log.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });

  // Raw body: the signature is over the exact bytes Stripe sent.
  app.post('/webhooks/stripe', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    try {
      const signature = req.headers['stripe-signature'];
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const { eventId, duplicate } = await services.webhooks.receive(body, typeof signature === 'string' ? signature : undefined);
      res.json({ received: true, eventId, duplicate });
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        log.warn({ reason: error.message }, 'stripe webhook refused: bad signature');
        res.status(400).json({ error: 'invalid signature' });
        return;
      }
      log.error({ err: error }, 'stripe webhook could not be stored');
      res.status(500).json({ error: 'internal error' });
    }
  });

  // The signed link is the authorisation: a dashboard can open it in a new tab.
  app.get('/invoices/:id/pdf', async (req, res) => {
    try {
      const pdf = await services.invoices.pdf(req.params.id, String(req.query.token ?? ''));
      if (!pdf) {
        res.status(404).json({ error: 'invoice not found or link expired' });
        return;
      }
      res.type('application/pdf').setHeader('content-disposition', `inline; filename="${pdf.filename}"`);
      res.send(pdf.content);
    } catch (error) {
      log.error({ err: error }, 'invoice PDF failed');
      res.status(500).json({ error: 'internal error' });
    }
  });

  serveGraphQL = graphqlRequestHandler(apollo, async (req): Promise<RequestContext> => ({
    principal: await principalFrom(req.headers.authorization, verifyToken),
    services,
    loaders: new Loaders(services.db),
    baseUrl: `http://${req.headers.host ?? 'localhost'}`,
  }));

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  return { server, stopGraphQL: () => apollo.stop() };
}
