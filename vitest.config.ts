import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{kiosk,drivers,flows,printer-templates,test,scripts}/**/*.test.{ts,tsx}'],
    exclude: ['node_modules/**', 'dist/**'],
    // Real processes, browsers and device stacks: generous per-test limits, never a pass/fail on speed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Chromium and spawned hosts are heavy on 2 cores: keep the files that start them apart.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
