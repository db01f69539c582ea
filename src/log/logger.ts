import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs; headers and anything that could carry a secret or token are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["stripe-signature"]',
        'headers.authorization',
        '*.token',
        '*.secret',
        '*.password',
        '*.clientSecret',
      ],
      censor: '[redacted]',
    },
  });
}
