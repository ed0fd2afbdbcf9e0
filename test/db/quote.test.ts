import { describe, expect, it } from 'vitest';
import { generatedName, identifierBytes, parseObjectName, quoteIdent, quoteLiteral } from '../../src/db/quote.js';

describe('quoteIdent quotes exactly like quote_ident()', () => {
  it.each([
    ['users', 'users'],
    ['User Email', '"User Email"'],
    ['user', '"user"'],
    ['select', '"select"'],
    ['name', 'name'],
    ['a"b', '"a""b"'],
    ['1abc', '"1abc"'],
    ['ümlaut', '"ümlaut"'],
  ])('%s -> %s', (input, expected) => expect(quoteIdent(input)).toBe(expected));
});

describe('parseObjectName folds like SQL', () => {
  it.each([
    ['users', { name: 'users' }],
    ['Users', { name: 'users' }],
    ['billing.Users', { schema: 'billing', name: 'users' }],
    ['"Billing"."User Table"', { schema: 'Billing', name: 'User Table' }],
    ['"a.b"', { name: 'a.b' }],
    ['"say ""hi"""', { name: 'say "hi"' }],
  ])('%s', (input, expected) => expect(parseObjectName(input)).toEqual(expected));

  it.each(['a b', 'a.b.c.d', '"unterminated', 'x.', '""'])('rejects %s', (input) =>
    expect(() => parseObjectName(input)).toThrow(),
  );
});

describe('generatedName', () => {
  it('keeps short names and shortens long ones to 63 bytes with a hash', () => {
    expect(generatedName('zdm_sync', 'users', 'email')).toBe('zdm_sync_users_email');
    const long = generatedName('zdm_sync', 'x'.repeat(60), 'y'.repeat(60));
    expect(identifierBytes(long)).toBeLessThanOrEqual(63);
    expect(long).not.toBe(generatedName('zdm_sync', 'x'.repeat(60), 'z'.repeat(60)));
    expect(identifierBytes(generatedName('é'.repeat(40)))).toBeLessThanOrEqual(63);
  });
});

it('quoteLiteral', () => {
  expect(quoteLiteral("it's")).toBe("'it''s'");
  expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
});
