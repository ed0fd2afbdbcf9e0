import type { RunnerEvent } from '../exec/events.js';

/**
 * Fans the runner's events out to the `onEvent` callback and to every open `events()` iterator.
 * An iterator buffers what its consumer has not read yet and ends when the Zdm is closed (or the
 * consumer breaks out of its loop).
 */
export class EventHub {
  readonly #listeners = new Set<(event: RunnerEvent) => void>();
  readonly #ends = new Set<() => void>();
  #closed = false;

  constructor(callback?: (event: RunnerEvent) => void) {
    if (callback) this.#listeners.add(callback);
  }

  readonly emit = (event: RunnerEvent): void => {
    for (const listener of this.#listeners) listener(event);
  };

  iterate(): AsyncIterableIterator<RunnerEvent> {
    const buffered: RunnerEvent[] = [];
    let wake: (() => void) | undefined;
    let done = this.#closed;
    const listener = (event: RunnerEvent) => {
      buffered.push(event);
      wake?.();
    };
    const end = () => {
      done = true;
      this.#listeners.delete(listener);
      this.#ends.delete(end);
      wake?.();
    };
    this.#listeners.add(listener);
    this.#ends.add(end);
    const iterator: AsyncIterableIterator<RunnerEvent> = {
      next: async () => {
        while (buffered.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const value = buffered.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      return: () => {
        end();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Ends every open iterator (after it has read what is buffered). */
  close(): void {
    this.#closed = true;
    for (const end of [...this.#ends]) end();
  }
}
