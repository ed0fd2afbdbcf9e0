import { Writable } from 'node:stream';

/**
 * Where log lines go: stderr, or through the progress bar while one is drawn (so a log line does
 * not tear the bar apart). Logging and the progress renderer both use this one sink.
 */
class StderrSink extends Writable {
  via: ((text: string) => void) | undefined;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.via) this.via(text);
    else process.stderr.write(text);
    callback();
  }
}

export const stderrSink = new StderrSink();
