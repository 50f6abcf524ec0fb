// Preloaded by bench/live-bench.ts via --require: when the process opens its first network
// connection (Vault), writes the CPU time (user + system, ms) spent until then to
// $BENCH_CONNECT_FILE: the start-up cost of a live command before the network. No effect when unset.
const file = process.env.BENCH_CONNECT_FILE;
if (file) {
  const net = require("node:net");
  const connect = net.Socket.prototype.connect;
  let written = false;
  net.Socket.prototype.connect = function (...args) {
    if (!written) {
      written = true;
      const { user, system } = process.cpuUsage();
      require("node:fs").writeFileSync(file, String((user + system) / 1000));
    }
    return connect.apply(this, args);
  };
}
