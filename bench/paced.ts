/**
 * An open-loop load at a fixed rate, evenly paced: request i is due at start + i / rate, whatever
 * the answers before it did, and its latency runs from when it was due (so a stalled server or
 * generator shows in the figures instead of hiding them: no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lets each connection send its whole share of a second as
 * fast as it can, then waits for the next second, so "2,000 req/s" arrives as bursts of 2,000 and
 * the latency measured is the burst's queue.
 *
 * Why raw sockets and not `http.request`: the generator shares the machine's cores with the API and
 * PostgreSQL, and Node's HTTP client cost it about a third of a core at 2,000 req/s, CPU taken from
 * the server being measured. Requests are built once as bytes; an answer is read by its
 * Content-Length (the API always sends one). One request at a time on a connection, as a client
 * with a keep-alive pool does.
 */
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { quantilesOf, watchEventLoopDelay } from './measure.js';

export interface PacedOptions {
  rate: number;
  seconds: number;
  /** Each request is one of these, picked at random (built with `httpPost`). */
  requests: Buffer[];
  /** Keep-alive connections: pass the warm-up's, so the measured run starts on open connections. */
  connections: Connections;
}

export interface PacedResult {
  sent: number;
  ok: number;
  /** Answers that were not HTTP 200 or carried GraphQL errors, and requests that failed. */
  failed: number;
  perSecond: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  /** How late this generator's own event loop ran (p99, max, ms): if high, it, not the server, made the latency. */
  generatorDelay: { p99: number; max: number };
}

/** A POST request as bytes. */
export function httpPost(url: string, headers: Record<string, string>, body: string): Buffer {
  const { host, pathname, search } = new URL(url);
  const lines = [`POST ${pathname}${search} HTTP/1.1`, `host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  lines.push(`content-length: ${Buffer.byteLength(body)}`, '', body);
  return Buffer.from(lines.join('\r\n'));
}

type Answer = (ok: boolean) => void;

/** One keep-alive connection that carries one request at a time. */
class Connection {
  private pending: Buffer = Buffer.alloc(0);
  private answer: Answer | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly onIdle: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => this.finish(false));
    socket.on('close', () => this.finish(false));
  }

  send(request: Buffer, answer: Answer): void {
    this.answer = answer;
    this.socket.write(request);
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const headerEnd = this.pending.indexOf('\r\n\r\n');
    if (headerEnd === -1) return;
    const head = this.pending.toString('latin1', 0, headerEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return this.finish(false, true); // every answer of the API has a length
    const end = headerEnd + 4 + Number(length[1]);
    if (this.pending.length < end) return;
    const ok = head.startsWith('HTTP/1.1 200') && this.pending.indexOf('"errors"', headerEnd) === -1;
    this.pending = this.pending.subarray(end);
    this.finish(ok);
  }

  private finish(ok: boolean, broken = false): void {
    const answer = this.answer;
    this.answer = undefined;
    if (broken) this.socket.destroy();
    if (answer) {
      answer(ok);
      if (!this.socket.destroyed) this.onIdle(this);
    }
  }
}

/** A pool of keep-alive connections to one server; requests wait for an idle one. */
export class Connections {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly waiting: { request: Buffer; answer: Answer }[] = [];

  private constructor() {}

  static async open(url: string, count: number): Promise<Connections> {
    const { hostname, port } = new URL(url);
    const pool = new Connections();
    await Promise.all(
      Array.from({ length: count }, async () => {
        const socket = connect({ host: hostname, port: Number(port) });
        await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
        const connection = new Connection(socket, (c) => pool.release(c));
        pool.all.push(connection);
        pool.idle.push(connection);
      }),
    );
    return pool;
  }

  send(request: Buffer): Promise<boolean> {
    return new Promise((answer) => {
      const connection = this.idle.pop();
      if (connection) connection.send(request, answer);
      else this.waiting.push({ request, answer });
    });
  }

  close(): void {
    for (const c of this.all) c.close();
  }

  private release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) connection.send(next.request, next.answer);
    else this.idle.push(connection);
  }
}

export async function pacedLoad(options: PacedOptions): Promise<PacedResult> {
  const { connections, requests } = options;
  const latencies: number[] = [];
  /** With BENCH_TRACE set: "msSinceStart latencyMs" per request, written to that file at the end. */
  const trace: string[] = [];
  let sent = 0;
  let failed = 0;
  const total = Math.round(options.rate * options.seconds);
  const started = performance.now();
  const interval = 1000 / options.rate;
  const inFlight = new Set<Promise<void>>();
  const loopDelay = watchEventLoopDelay();

  const send = (dueAt: number) => {
    const request = requests[Math.floor(Math.random() * requests.length)]!;
    const done = connections.send(request).then((ok) => {
      if (ok) latencies.push(performance.now() - dueAt);
      else failed++;
      if (process.env.BENCH_TRACE) trace.push(`${(dueAt - started).toFixed(1)} ${(performance.now() - dueAt).toFixed(2)}`);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * interval <= now) send(started + sent++ * interval);
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  const generatorDelay = loopDelay.read();
  loopDelay.stop();

  if (process.env.BENCH_TRACE) await writeFile(process.env.BENCH_TRACE, trace.join('\n') + '\n');
  const at = quantilesOf(latencies);
  return {
    sent,
    ok: latencies.length,
    failed,
    perSecond: latencies.length / ((performance.now() - started) / 1000),
    latency: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
    generatorDelay,
  };
}
