import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import type { Browser } from "puppeteer-core";
import { main } from "../src/cli/main.ts";

export const REPO = join(import.meta.dirname, "..");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process inside `cwd`, capturing what it prints. */
export async function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { NO_COLOR: "1", ...env },
    });
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}

/**
 * A scratch folder with `files` written into it (paths relative to it), over a copy of the
 * example library and organisations (with or without its Welsh), or over just the organisation schema.
 */
export async function workspace(
  files: Record<string, string> = {},
  { examples = true, welsh = true } = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "policypack-test-"));
  if (examples) {
    await cp(join(REPO, "policies"), join(dir, "policies"), { recursive: true });
    await cp(join(REPO, "orgs"), join(dir, "orgs"), { recursive: true });
    // English only: no translations, and Gofal's pack in English (an English edit then leaves no
    // Welsh text behind it).
    if (!welsh) {
      await rm(join(dir, "policies", "cy"), { recursive: true, force: true });
      const gofal = join(dir, "orgs", "gofal-tyr-ysgol.yaml");
      const yaml = await readFile(gofal, "utf8");
      await writeFile(gofal, yaml.replace(/^(language|local_authority_cy):.*\n/gm, ""));
    }
  } else {
    await mkdir(join(dir, "policies"), { recursive: true });
    await mkdir(join(dir, "orgs"), { recursive: true });
    await cp(join(REPO, "orgs", "org.schema.json"), join(dir, "orgs", "org.schema.json"));
  }
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

export async function readHtml(path: string): Promise<Root> {
  return fromHtml(await readFile(path, "utf8"));
}

/** A minimal valid organisation; override or drop keys per test. */
export function orgYaml(fields: Record<string, string | null> = {}): string {
  const base: Record<string, string | null> = {
    name: "Test Care Ltd",
    registration_no: "SIN-00000001-TEST",
    registered_manager_first_name: "Ann",
    registered_manager_last_name: "Jones",
    responsible_individual_name: "Bryn Davies",
    safeguarding_lead_name: "Cai Evans",
    data_protection_lead_name: "Dee Hughes",
    local_authority: "Cardiff Council",
    address: "1 High Street, Cardiff CF10 1AA",
    phone: '"029 2000 0000"',
    email: "office@test.example",
    reviewed_on: "2026-01-15",
    ...fields,
  };
  return `${Object.entries(base)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n")}\n`;
}

/** A policy source with front matter. */
export function policyMd(front: Record<string, string>, body: string): string {
  const fm = Object.entries(front)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
  return `---\n${fm}\n---\n${body}`;
}

/** Headless Chromium for a test, in a profile folder of its own (remove it after closing the browser). */
export async function launchTestBrowser(name: string): Promise<{ browser: Browser; profile: string }> {
  // Loaded here: most test files never start a browser.
  const { default: puppeteer } = await import("puppeteer-core");
  const { findBrowser } = await import("../src/render/pdf/browser.ts");
  const found = findBrowser(process.env);
  if ("error" in found) throw new Error(found.error);
  const profile = await mkdtemp(join(tmpdir(), `policypack-${name}-`));
  const browser = await puppeteer.launch({
    executablePath: found.path,
    headless: "shell",
    userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  return { browser, profile };
}
