/**
 * An open-loop load at a fixed rate, evenly paced: request i is due at start + i / rate, whatever
 * the answers before it did, and its latency runs from when it was due (so a stalled server or
 * generator shows in the figures instead of hiding them: no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lets each connection send its whole share of a second as
 * fast as it can, then waits for the next second, so "2,000 req/s" arrives as bursts of 2,000 and
 * the latency measured is the burst's queue.
 */
import { type Agent, request } from 'node:http';
import { quantilesOf, watchEventLoopDelay } from './measure.js';

export interface PacedOptions {
  url: string;
  rate: number;
  seconds: number;
  headers: Record<string, string>;
  body: () => string;
  /** Keep-alive connections to use: pass the warm-up's, so the measured run starts on open connections. */
  agent: Agent;
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

export async function pacedLoad(options: PacedOptions): Promise<PacedResult> {
  const { agent } = options;
  const latencies: number[] = [];
  let sent = 0;
  let failed = 0;
  const total = Math.round(options.rate * options.seconds);
  const started = performance.now();
  const interval = 1000 / options.rate;
  const inFlight = new Set<Promise<void>>();
  const loopDelay = watchEventLoopDelay();

  const send = (dueAt: number) => {
    const done = new Promise<void>((resolve) => {
      const req = request(options.url, { method: 'POST', agent, headers: options.headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          if (res.statusCode === 200 && !body.includes('"errors"')) latencies.push(performance.now() - dueAt);
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(options.body());
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
