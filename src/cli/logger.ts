import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { stderrSink } from './stderr-sink.js';

export type { Logger };

/**
 * Logs go to stderr (stdout carries plans, status and JSON output): human-readable on a terminal,
 * one JSON object per line otherwise (`level` as a name, `time` in ISO 8601, `msg`: the shape
 * eventLine gives events, so every line on stderr has one shape). URLs are redacted before they reach
 * a log call; the redact
 * paths are a second net for fields that hold secrets.
 */
export function createLogger(options: { level?: string; json?: boolean } = {}): Logger {
  const level = options.level ?? 'info';
  const redact = {
    paths: ['password', '*.password', 'databaseUrl', '*.databaseUrl', 'url', '*.url'],
    censor: '[redacted]',
  };
  const usePretty = !options.json && process.stderr.isTTY;
  if (usePretty) {
    return pino(
      { level, redact },
      pretty({
        destination: stderrSink,
        sync: true,
        colorize: !process.env.NO_COLOR,
        ignore: 'pid,hostname',
        translateTime: 'HH:MM:ss.l',
      }),
    );
  }
  return pino(
    {
      level,
      redact,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stderrSink,
  );
}

/**
 * A runner event as a JSON log line, in the shape of the logger's own lines (README, "Logs"):
 * `level`, `time` (ISO 8601), `event` (its type) and the event's fields, then `msg`.
 */
export function eventLine(event: { type: string }): string {
  const { type, ...fields } = event;
  return `${JSON.stringify({ level: 'info', time: new Date().toISOString(), event: type, ...fields, msg: type })}\n`;
}
