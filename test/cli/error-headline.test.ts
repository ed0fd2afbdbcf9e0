import { describe, expect, it } from 'vitest';
import { errorHeadline } from '../../src/errors.js';

describe('errorHeadline (an error in a table cell, a progress line, zdm status)', () => {
  it('keeps the first line of a message', () => {
    expect(errorHeadline('could not connect\n  at somewhere')).toBe('could not connect');
    expect(errorHeadline('one line')).toBe('one line');
    expect(errorHeadline('')).toBe('');
  });

  it("a failed check's sample shows its first offending row instead of ending on the colon", () => {
    const message =
      'step add_check:public.payments.c:switch:1 failed: rows of public.payments that violate CHECK c (amount > 0); fix them, then run zdm advance again; sample (up to 10):\n  {"id":"99","amount":"-5"}\n  {"id":"100","amount":"-1"}\nThe migration stays at this phase';
    expect(errorHeadline(message)).toBe(
      'step add_check:public.payments.c:switch:1 failed: rows of public.payments that violate CHECK c (amount > 0); fix them, then run zdm advance again; sample (up to 10): {"id":"99","amount":"-5"}',
    );
  });

  it('a first line ending on a colon with nothing after it stays as it is', () => {
    expect(errorHeadline('failed:\n\n')).toBe('failed:');
    expect(errorHeadline('failed:')).toBe('failed:');
  });
});
