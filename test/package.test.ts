// The package as a consultancy installs it: `npm pack`, installed into a project of its own with
// its own library and organisation, run there through its bin and imported from a script.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "./helpers.ts";

const exec = promisify(execFile);

// Under `npm test`, npm exports npm_config_local_prefix and the like: a nested npm that read them
// could install into this repository instead of the project.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  NO_COLOR: "1",
};

/** Runs a command; its exit code, stdout and stderr, never a rejection. */
async function run(command: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

const AS_OF = "2026-11-24";
const ORG = "Afon Homecare Ltd";

let dir: string;
let project: string;
let tarball: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "policypack-package-"));
  // npm pack runs `prepare`, which compiles the current sources into dist/.
  const pack = await run("npm", ["pack", "--pack-destination", dir, "--json"], REPO);
  expect(pack.code, pack.stderr).toBe(0);
  const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
  const tgz = join(dir, filename);
  tarball = (await run("tar", ["-tzf", tgz], dir)).stdout.split("\n").filter(Boolean);

  project = join(dir, "consultancy");
  await mkdir(join(project, "orgs", "logos"), { recursive: true });
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "consultancy", version: "1.0.0", private: true, type: "module" }),
  );
  const install = await run("npm", ["install", tgz, "--no-audit", "--no-fund", "--prefer-offline"], project);
  expect(install.code, install.stderr).toBe(0);

  // A library and an organisation of the project's own (the example policies all cite one another).
  await cp(join(REPO, "policies"), join(project, "policies"), { recursive: true });
  for (const file of ["org.schema.json", "afon-homecare.yaml", "logos/afon-homecare.svg"]) {
    await cp(join(REPO, "orgs", file), join(project, "orgs", file));
  }
  // And one with errors, for the diagnostics.
  await mkdir(join(project, "broken-orgs"));
  await cp(join(REPO, "orgs", "org.schema.json"), join(project, "broken-orgs", "org.schema.json"));
  await writeFile(join(project, "broken-orgs", "broken.yaml"), "name: Broken Care\nreviewed_on: 2026-02-30\n");
}, 170_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("holds the compiled code and its declarations, not the sources or tests", () => {
    expect(tarball).toContain("package/dist/index.js");
    expect(tarball).toContain("package/dist/index.d.ts");
    expect(tarball).toContain("package/dist/cli/main.js");
    expect(tarball).toContain("package/dist/render/html/policy.css");
    expect(tarball).toContain("package/bin/policypack.js");
    expect(tarball).toContain("package/policypack.config.schema.json");
    expect(tarball.filter((path) => /^package\/(src|test|bench|scripts|node_modules)\//.test(path))).toEqual([]);
    expect(tarball.filter((path) => path.endsWith(".ts") && !path.endsWith(".d.ts"))).toEqual([]);
  });

  it("runs its command without tsx: build --format html,docx", async () => {
    const installed = JSON.parse(await readFile(join(project, "package-lock.json"), "utf8")) as {
      packages: Record<string, unknown>;
    };
    expect(Object.keys(installed.packages)).not.toContain("node_modules/tsx");

    const result = await run(
      "npx",
      ["--no", "policypack", "build", "--format", "html,docx", "--as-of", AS_OF],
      project,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/afon-homecare: \d+ built/);
    const pack = join(project, "output", "afon-homecare");
    expect(await readFile(join(pack, "index.html"), "utf8")).toContain(ORG);
    expect(await readFile(join(pack, "DCW13-safeguarding-adults.html"), "utf8")).toContain(ORG);
    const docx = unzipSync(await readFile(join(pack, "DCW13-safeguarding-adults.docx")));
    expect(strFromU8(docx["word/document.xml"] as Uint8Array)).toContain(ORG);
  });

  it("is importable: check and build return plain data", async () => {
    await writeFile(
      join(project, "api.mjs"),
      `import { build, check, UsageError } from "policypack";
const asOf = ${JSON.stringify(AS_OF)};
const clean = await check({ asOf });
const broken = await check({ asOf, orgsDir: "broken-orgs" });
const built = await build({ asOf, outDir: "api-out", formats: ["html"] });
const again = await build({ asOf, outDir: "api-out", formats: ["html"] });
let usage;
try {
  await build({ asOf, formats: ["odt"] });
} catch (error) {
  usage = { isUsageError: error instanceof UsageError, message: error.message };
}
console.log(JSON.stringify({ clean, broken, built, again, usage }));
`,
    );
    const result = await run("node", ["api.mjs"], project);
    expect(result.code, result.stderr).toBe(0);
    const { clean, broken, built, again, usage } = JSON.parse(result.stdout);

    expect(clean.ok).toBe(true);
    expect(clean.diagnostics).toEqual([]);
    expect(clean.policies).toHaveLength(6);
    expect(clean.policies[0]).toMatchObject({ code: "DCW13", file: "policies/DCW13-safeguarding-adults.md" });
    expect(clean.orgs).toEqual([{ id: "afon-homecare", name: ORG, file: "orgs/afon-homecare.yaml", buildable: true }]);

    // The same objects, in the same order, as the command prints with --json.
    expect(broken.ok).toBe(false);
    expect(broken.diagnostics).toContainEqual(
      expect.objectContaining({
        file: "broken-orgs/broken.yaml",
        severity: "error",
        rule: "schema",
        message: "missing required key `address`",
      }),
    );
    const cli = await run(
      "npx",
      ["--no", "policypack", "check", "--orgs", "broken-orgs", "--as-of", AS_OF, "--json"],
      project,
    );
    expect(cli.code).toBe(1);
    expect(broken.diagnostics).toEqual(JSON.parse(cli.stdout));

    expect(built.ok).toBe(true);
    expect(built.outDir).toBe(join(project, "api-out"));
    expect(built.skipped).toEqual([]);
    expect(built.packs).toHaveLength(1);
    expect(built.packs[0].org).toBe("afon-homecare");
    expect(built.packs[0].built).toContain("DCW13-safeguarding-adults.html");
    expect(await readFile(join(project, "api-out", "afon-homecare", "index.html"), "utf8")).toContain(ORG);
    // Built again with nothing changed: every file is up to date.
    expect(again.packs[0].built).toEqual([]);
    expect(again.packs[0].skipped).toEqual(built.packs[0].built);

    expect(usage).toEqual({ isUsageError: true, message: expect.stringContaining('"odt"') });
  });

  it("has declarations a TypeScript project compiles against", async () => {
    await writeFile(
      join(project, "typed.ts"),
      `import { type BuildReport, build, type CheckReport, check, type Diagnostic } from "policypack";

const report: CheckReport = await check({ asOf: "2026-11-24" });
const first: Diagnostic | undefined = report.diagnostics[0];
const built: BuildReport = await build({ formats: ["html"] });
// @ts-expect-error: not a format
await build({ formats: ["odt"] });
console.log(first?.rule, built.packs.length);
`,
    );
    // No skipLibCheck: every declaration file the package ships is checked too.
    const compilerOptions = {
      module: "nodenext",
      target: "es2022",
      strict: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [join(REPO, "node_modules", "@types")],
    };
    await writeFile(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["typed.ts"] }));
    const tsc = await run(join(REPO, "node_modules", ".bin", "tsc"), ["-p", project], project);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  });
});
