import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostileCase } from "./case.ts";

// Output folders that are not policypack's, poisoned manifests, filesystem errors, and options
// that make no sense: each is a sentence and exit code 2 (or 1), never a stack trace.

const HTML = ["--format", "html", "--org", "afon-homecare"];
// The cases that build run concurrently with the whole corpus on a small machine.
const BUILDS = 120;

/** An output folder as a previous build left it, with one pack's manifest replaced by `files`. */
async function poisoned(dir: string, files: Record<string, string>) {
  await mkdir(join(dir, "output", "afon-homecare"), { recursive: true });
  await writeFile(join(dir, "output", "manifest.json"), '{"generator":"policypack","version":1,"files":{}}');
  await writeFile(join(dir, "output", "afon-homecare", "manifest.json"), JSON.stringify({ version: 1, files }));
}

export const cases: HostileCase[] = [
  { name: "--out / is refused", args: ["build", ...HTML, "--out", "/"], exit: 2, says: /--out \/ is the root folder/ },
  {
    name: "--out policies is refused",
    args: ["build", ...HTML, "--out", "policies"],
    exit: 2,
    says: /is the policies folder/,
  },
  { name: "--out . is refused", args: ["build", ...HTML, "--out", "."], exit: 2, says: /holds the policies folder/ },
  {
    name: "--out at a folder with the user's own index.html is refused",
    files: { "site/index.html": "<h1>mine</h1>" },
    args: ["build", ...HTML, "--out", "site"],
    exit: 2,
    says: /is not empty, and policypack did not make it/,
  },
  {
    name: "--force-out still leaves the user's index.html alone",
    files: { "site/index.html": "<h1>mine</h1>" },
    args: ["build", ...HTML, "--out", "site", "--force-out"],
    exit: 1,
    seconds: BUILDS,
    says: /site\/index\.html is in the way/,
  },
  {
    name: "--out is a file",
    files: { "out.txt": "x" },
    args: ["build", ...HTML, "--out", "out.txt"],
    exit: 2,
    says: /is a file, not a folder/,
  },
  {
    name: "--out is under a file",
    files: { "out.txt": "x" },
    args: ["build", ...HTML, "--out", "out.txt/packs"],
    exit: 2,
    says: /out\.txt is a file, not a folder/,
  },
  {
    name: "a manifest naming ../victim.txt deletes nothing",
    files: { "output/victim.txt": "the user's" },
    setup: (dir) => poisoned(dir, { "../victim.txt": "x", "../../policies/DCW13-safeguarding-adults.md": "x" }),
    args: ["build", ...HTML],
    exit: 0,
    seconds: BUILDS,
    says: /ignored the entry "\.\.\/victim\.txt"/,
  },
  {
    name: "a manifest whose files is not an object",
    setup: (dir) => poisoned(dir, null as unknown as Record<string, string>),
    args: ["build", ...HTML],
    exit: 0,
    seconds: BUILDS,
  },
  {
    name: "a manifest that is not JSON",
    files: { "output/manifest.json": "{not json" },
    args: ["build", ...HTML],
    exit: 2,
    says: /is not empty, and policypack did not make it/,
  },
  {
    name: "a pack folder that is a file",
    files: { "output/manifest.json": '{"generator":"policypack","version":1,"files":{}}', "output/afon-homecare": "x" },
    args: ["build", ...HTML],
    exit: 1,
    seconds: BUILDS,
    says: /output\/afon-homecare is not a folder policypack made/,
  },
  {
    name: "--out where no folder can be made (/proc), which hangs Node's own recursive mkdir",
    args: ["build", ...HTML, "--out", "/proc/policypack-hostile"],
    exit: 2,
    says: /cannot be made: this file system does not let a folder be made there/,
  },
  {
    name: "reviews --out under a file (ENOTDIR)",
    files: { "r.txt": "x" },
    args: ["reviews", "--out", "r.txt/reviews.csv"],
    exit: 2,
    says: /part of that path is a file, not a folder/,
  },
  {
    name: "reviews --out at a folder",
    files: { "r/keep.txt": "x" },
    args: ["reviews", "--out", "r"],
    exit: 2,
    says: /--out r is a folder; give the file to write/,
  },
  {
    name: "--as-of 0000-01-01",
    args: ["check", "--as-of", "0000-01-01"],
    exit: 2,
    says: /outside the years 1900–2200/,
  },
  { name: "--reporter xml", args: ["check", "--reporter", "xml"], exit: 2, says: /--reporter takes text or github/ },
];
