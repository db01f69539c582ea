import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/** Largest GraphQL request body accepted: a full recordUsageBatch (1,000 events) fits well within it. */
export const MAX_GRAPHQL_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Apollo Server on Node's own request/response, the way `@as-integrations/express5` does it, minus
 * Express's router and body-parser: on the usage hot path they cost about an eighth of the API's
 * CPU per request (measured with `npm run bench:usage` and `--cpu-prof`, docs/performance.md).
 * Only application/json bodies are parsed, as express.json() does; Apollo answers the rest
 * (including its CSRF prevention) itself.
 */
export function graphqlRequestHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  contextFor: (req: IncomingMessage) => Promise<TContext>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let body: unknown;
    if (req.method === 'POST' && isJson(req.headers['content-type'])) {
      const read = await readBody(req);
      if (read === 'too-large') return refuse(res, 413, `Request body larger than ${MAX_GRAPHQL_BODY_BYTES} bytes`);
      try {
        body = read.length === 0 ? undefined : JSON.parse(read.toString('utf8'));
      } catch {
        return refuse(res, 400, 'Request body is not valid JSON');
      }
    } else {
      req.resume(); // drain whatever was sent, so the connection can be reused
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const queryAt = req.url!.indexOf('?');
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: queryAt === -1 ? '' : req.url!.slice(queryAt), body },
      context: () => contextFor(req),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_GRAPHQL_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_GRAPHQL_BODY_BYTES ? 'too-large' : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function refuse(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
