/**
 * A connection URL as zdm accepts it: `postgres://` or `postgresql://`, a numeric port if any.
 * Returns an error message (never containing the URL's password), or undefined when it is valid.
 */
export function databaseUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
      ? 'is not a valid URL: the port must be a number from 1 to 65535, ' +
          'and special characters in the user name or password percent-encoded'
      : 'is not a connection URL (expected postgres://user:password@host:5432/database)';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    return (
      `uses the scheme "${parsed.protocol.slice(0, -1)}"; ` +
      `zdm connects to PostgreSQL only (postgres:// or postgresql://)`
    );
  if (parsed.port !== '' && (Number(parsed.port) < 1 || Number(parsed.port) > 65535))
    return 'has a port outside 1 to 65535';
  return undefined;
}
