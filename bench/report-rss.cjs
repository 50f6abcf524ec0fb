// Preloaded by bench/synth-bench.ts via NODE_OPTIONS=--require: on exit, writes this process's
// peak resident set size (KiB, from the kernel) to $BENCH_RSS_FILE. No effect when it is unset.
const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    require("node:fs").writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
