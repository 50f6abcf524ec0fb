import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DURATION_PATTERN, readVaultDuration } from "../../src/domain/duration";

/**
 * A generated comparison with Vault's own parser: test/fixtures/parseutil builds a program on
 * go-secure-stdlib parseutil v0.2.0 (the version Vault 1.21.2 pins), and thousands of generated
 * texts must get the same answer there and in src/domain/duration.ts. Needs Go (CI has it, for the e2e).
 */
const go = spawnSync("go", ["version"], { encoding: "utf8" });
const withGo = go.status === 0 ? describe : describe.skip;
if (go.status !== 0) console.warn("duration-vault: skipped: no go on PATH to build Vault's parser");

const PIECES = [
  "0",
  "1",
  "5",
  "9",
  "00",
  "12",
  "30",
  "90",
  "106751",
  "2562047",
  "9223372036",
  "9223372037",
  "99999999999999999999",
  ".",
  ".5",
  "1.",
  "0.25",
  "1.999999999",
  "h",
  "m",
  "s",
  "ms",
  "us",
  "µs",
  "μs",
  "ns",
  "d",
  "+",
  "-",
  " ",
  "x",
  "e3",
  "min",
  "hh",
];

/** The same texts on every run: a small linear congruential generator with a fixed seed. */
function generated(count: number): string[] {
  let seed = 20_261_205;
  const next = (below: number) => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return (seed >>> 8) % below;
  };
  const texts = new Set<string>();
  while (texts.size < count) {
    let text = "";
    for (let parts = 1 + next(5); parts > 0; parts--) text += PIECES[next(PIECES.length)];
    texts.add(text);
  }
  return [...texts];
}

test("the schema's pattern (also the JSON Schema's) admits every generated text that is read as a duration", () => {
  // The config refuses a text the pattern does not admit with readVaultDuration's reason, so every
  // such text must have one: a text read but not admitted would be refused without a reason.
  const texts = generated(5000);
  const read = texts.filter((text) => "seconds" in readVaultDuration(text));
  expect(read.filter((text) => !DURATION_PATTERN.test(text))).toEqual([]);
  expect(read.length).toBeGreaterThan(300);
});

withGo("durations agree with Vault's parser (parseutil v0.2.0, built with go)", () => {
  let scratch: string;
  let parser: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "vka-parseutil-"));
    parser = join(scratch, "parseutil");
    execFileSync("go", ["build", "-o", parser, "."], {
      cwd: join(__dirname, "..", "fixtures", "parseutil"),
      env: { ...process.env, GOFLAGS: "-mod=readonly" },
      stdio: "pipe",
    });
  }, 300_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test("on 5,000 generated texts: the same seconds, or both refuse", () => {
    // "" is Vault's "not set" (0), which the config refuses with a fix instead; a space at either
    // end is refused by both, the config with its own reason.
    const texts = generated(5000).filter((text) => text !== "");
    const answers = execFileSync(parser, { input: `${texts.join("\n")}\n`, encoding: "utf8" })
      .trim()
      .split("\n");
    const differ = texts
      .map((text, index) => {
        const read = readVaultDuration(text);
        return { text, ours: "seconds" in read ? String(read.seconds) : "refused", vault: answers[index] };
      })
      .filter(({ ours, vault }) => ours !== vault);
    expect(differ).toEqual([]);
    expect(answers).toContain("refused");
    expect(answers.filter((answer) => answer !== "refused").length).toBeGreaterThan(300);
  });
});
