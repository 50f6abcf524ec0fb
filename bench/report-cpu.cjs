// Preloaded by bench/cli-startup.ts via --require: on exit, writes the CPU time (user + system,
// ms) this process used to $BENCH_CPU_FILE. CPU time hardly moves with the machine's load,
// unlike wall time, so it tells a slow start from a busy machine. No effect when unset.
const file = process.env.BENCH_CPU_FILE;
if (file) {
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    require("node:fs").writeFileSync(file, String((user + system) / 1000));
  });
}
