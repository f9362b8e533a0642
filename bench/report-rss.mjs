// Preloaded into a benchmarked process: prints its peak resident memory when it exits.
process.on("exit", () => {
  process.stdout.write(`\nPEAK_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
