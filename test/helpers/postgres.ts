/**
 * PostgreSQL helpers for tests that run when LEADFLOW_TEST_DATABASE_URL is set: each test run gets its own
 * schema (selected through the connection's search_path) so runs never see each other's tables.
 */
import pg from 'pg';

/** Creates the schema and returns a URL whose connections use it as search_path. */
export async function createTestSchema(baseUrl: string, schema: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${schema}`);
  } finally {
    await client.end();
  }
  return withSearchPath(baseUrl, schema);
}

export async function dropTestSchema(baseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

export function withSearchPath(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}
