import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** No Docker engine runs here: check that docker-compose.yml parses and describes a primary + streaming replica. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
    services: Record<
      string,
      {
        image: string;
        command?: string[];
        entrypoint?: string[];
        ports?: string[];
        depends_on?: Record<string, { condition: string }>;
        configs?: { source: string; target: string }[];
      }
    >;
    configs: Record<string, { content: string }>;
  };

  it('has a primary with WAL for replication and a replica cloned from it', () => {
    const { primary, replica } = compose.services;
    expect(primary?.image).toMatch(/^postgres:\d+/);
    expect(primary?.command?.join(' ')).toContain('wal_level=replica');
    expect(primary?.ports).toContain('5432:5432');
    expect(replica?.image).toBe(primary?.image);
    expect(replica?.depends_on?.primary?.condition).toBe('service_healthy');
    expect(replica?.entrypoint?.join(' ')).toMatch(/pg_basebackup -h primary .* -R -X stream -C -S replica1/);
    expect(replica?.ports).toContain('5433:5432');
  });

  it('lets the replica connect for replication', () => {
    const source = compose.services.primary?.configs?.[0]?.source;
    expect(compose.configs[source!]?.content).toContain('host replication all all scram-sha-256');
  });
});
