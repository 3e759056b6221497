import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Compiles src/ to dist/ when it changed, for the tests that spawn `hub` processes.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here and in CI: more forks than that only adds contention on real sshd/PostgreSQL.
    maxWorkers: 2,
  },
});
