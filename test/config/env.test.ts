import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';
import { ValidationError } from '../../src/errors.ts';

describe('environment', () => {
  it('takes the contract defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ HUB_DATA_DIR: './.hub', HUB_MAPPINGS_DIR: './mappings', PORT: 8080, HOST: '127.0.0.1', HUB_WORKERS: true });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.HUB_ADMIN_TOKEN).toBeUndefined();
  });

  it('counts a variable set to the empty string as unset', () => {
    const env = loadEnv({ DATABASE_URL: '', HUB_ADMIN_TOKEN: '', PORT: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.HUB_ADMIN_TOKEN).toBeUndefined();
    expect(env.PORT).toBe(8080);
  });

  it('reads HUB_WORKERS=0 as API only', () => {
    expect(loadEnv({ HUB_WORKERS: '0' }).HUB_WORKERS).toBe(false);
    expect(loadEnv({ HUB_WORKERS: 'off' }).HUB_WORKERS).toBe(false);
    expect(loadEnv({ HUB_WORKERS: '1' }).HUB_WORKERS).toBe(true);
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(ValidationError);
    try {
      loadEnv({ PORT: '99999', HUB_DB_SCHEMA: 'Robert"; drop' });
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(expect.arrayContaining(['PORT', 'HUB_DB_SCHEMA']));
    }
  });
});
