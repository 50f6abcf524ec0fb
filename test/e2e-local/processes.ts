import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** A free TCP port on loopback (the OS picks it; it is closed again before the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Starts the control plane's processes, each logging to a file of its own, and stops every one of
 * them however the run ends: `stopAll` on the normal path, and the process-exit and signal hooks
 * registered by `installExitHooks` when something throws or the user presses Ctrl-C.
 */
export class Supervisor {
  private readonly children: { name: string; child: ChildProcess }[] = [];

  constructor(private readonly logDir: string) {}

  start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const log = createWriteStream(this.logPath(name));
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.on("error", (error) => log.write(`\n[harness] could not start ${command}: ${error.message}\n`));
    this.children.push({ name, child });
    return child;
  }

  logPath(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  /** The last lines of a process's log, for a failure message. */
  tail(name: string, lines = 25): string {
    try {
      return readFileSync(this.logPath(name), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  exited(name: string): boolean {
    const entry = this.children.find((c) => c.name === name);
    return entry ? entry.child.exitCode !== null || entry.child.signalCode !== null : true;
  }

  /** SIGTERM in reverse start order (Vault and the API server before etcd), SIGKILL after 10 s. */
  async stopAll(): Promise<void> {
    for (const { child } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.children.length = 0;
  }

  /** Synchronous last resort on process exit: nothing may outlive the harness. */
  killAllNow(): void {
    for (const { child } of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  }
}

/** Polls `probe` every 500 ms until it returns true, `timeoutMs` passes, or `stillAlive` says no. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  stillAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (!stillAlive()) throw new Error(`${what}: the process exited`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
