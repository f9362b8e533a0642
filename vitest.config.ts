import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests change directory and spawn Chromium: separate processes keep them apart.
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    // Generous: on a loaded 2-core runner, a test that prints PDFs can take many times its usual
    // few seconds, and one that times out leaves its in-process build running into the next test.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
