/**
 * The CLI layer reports its result through process.exitCode (src/cli/run.ts). Tests that drive it in-process
 * would leave that code behind, and when jest runs test files in its own process (one worker, as on a
 * 2-CPU machine) it would become jest's exit code even though every test passed.
 */
afterEach(() => {
  process.exitCode = undefined;
});
