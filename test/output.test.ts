import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { systemErrorMessage } from "../src/cli/errors.ts";
import { isPlainFileName } from "../src/write/manifest.ts";
import { runCli, workspace } from "./helpers.ts";

// The output folder is policypack's and nothing else: whatever --out points at, and whatever a
// restored cache put in it, no file policypack did not write is overwritten or removed.

const HTML = ["--format", "html", "--as-of", "2026-11-24"];
// Mounting a tmpfs needs root; these run in CI (.ci/run sets POLICYPACK_SLOW_TESTS=1).
const SLOW_AS_ROOT = process.env.POLICYPACK_SLOW_TESTS === "1" && process.getuid?.() === 0;

/** Every file under `dir` with its bytes, to prove nothing changed. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    files.set(path, entry.isFile() ? (await readFile(path)).toString("base64") : entry.isDirectory() ? "dir" : "other");
  }
  return files;
}

describe("--out must be a folder of its own", () => {
  it("refuses / and writes nothing there", async () => {
    const dir = await workspace();
    const before = [existsSync("/manifest.json"), existsSync("/index.html"), existsSync("/afon-homecare")];
    const run = await runCli(["build", ...HTML, "--out", "/"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--out / is the root folder; choose a folder of its own for the packs");
    expect([existsSync("/manifest.json"), existsSync("/index.html"), existsSync("/afon-homecare")]).toEqual(before);
  });

  it("refuses the policies and orgs folders, a folder holding them, and a folder inside them", async () => {
    const dir = await workspace();
    const before = await snapshot(dir);
    for (const [out, says] of [
      ["policies", "--out policies is the policies folder (policies)"],
      ["orgs/", "--out orgs/ is the orgs folder (orgs)"],
      [".", "--out . holds the policies folder (policies)"],
      ["policies/packs", "--out policies/packs is inside the policies folder (policies)"],
    ] as const) {
      const run = await runCli(["build", ...HTML, "--out", out], dir);
      expect(run.code, out).toBe(2);
      expect(run.stderr).toContain(says);
      expect(run.stderr).not.toMatch(/internal error/);
    }
    // Also when the library is given elsewhere and --out reaches it another way.
    const other = await runCli(["build", ...HTML, "--policies", "./policies/", "--out", join(dir, "policies")], dir);
    expect(other.code).toBe(2);
    expect(await snapshot(dir)).toEqual(before);
  });

  it("refuses the home folder", async () => {
    const dir = await workspace({ "home/notes.txt": "mine" });
    const run = await runCli(["build", ...HTML, "--out", "home"], dir, { HOME: join(dir, "home") });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--out home is your home folder");
    expect(await readdir(join(dir, "home"))).toEqual(["notes.txt"]);
  });

  it("refuses a folder of someone else's files, and with --force-out still leaves every one of them alone", async () => {
    const dir = await workspace({
      "site/index.html": "<h1>My own home page</h1>",
      "site/notes.txt": "mine",
      "site/afon-homecare/index.html": "my page about Afon",
    });
    const before = await snapshot(join(dir, "site"));
    const refused = await runCli(["build", ...HTML, "--out", "site"], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--out site is not empty, and policypack did not make it");
    expect(refused.stderr).toContain("pass --force-out");
    expect(await snapshot(join(dir, "site"))).toEqual(before);

    const forced = await runCli(["build", ...HTML, "--out", "site", "--force-out"], dir);
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain("site/index.html is in the way: policypack did not write it");
    expect(forced.stderr).toContain("site/afon-homecare/index.html is in the way");
    for (const [path, bytes] of before) expect(await snapshot(join(dir, "site")).then((s) => s.get(path))).toBe(bytes);
    // The pack with nothing in its way is built; the other is not touched at all.
    expect(existsSync(join(dir, "site", "gofal-tyr-ysgol", "DCW13-safeguarding-adults.html"))).toBe(true);
    expect(await readdir(join(dir, "site", "afon-homecare"))).toEqual(["index.html"]);
  });

  it("says what to do when --out is a file, or lies under one", async () => {
    const dir = await workspace({ "packs.txt": "a file" });
    const file = await runCli(["build", ...HTML, "--out", "packs.txt"], dir);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("--out packs.txt is a file, not a folder");
    const under = await runCli(["build", ...HTML, "--out", "packs.txt/output"], dir);
    expect(under.code).toBe(2);
    expect(under.stderr).toContain("--out packs.txt/output cannot be made: packs.txt is a file, not a folder");
    expect(await readFile(join(dir, "packs.txt"), "utf8")).toBe("a file");
  });

  it("marks the folder it makes, so the next build (and one from an older version) is accepted", async () => {
    const dir = await workspace();
    expect((await runCli(["build", ...HTML, "--org", "afon-homecare"], dir)).code).toBe(0);
    const top = JSON.parse(await readFile(join(dir, "output", "manifest.json"), "utf8"));
    expect(top).toMatchObject({ generator: "policypack", version: 1 });
    expect(Object.keys(top.files)).toEqual(["index.html"]);
    expect((await runCli(["build", ...HTML], dir)).code).toBe(0);
    // An output folder from before the top manifest: its packs' manifests vouch for it.
    await rm(join(dir, "output", "manifest.json"));
    const older = await runCli(["build", ...HTML], dir);
    expect(older.code, older.stderr).toBe(0);
    expect(existsSync(join(dir, "output", "manifest.json"))).toBe(true);
  });
});

describe("a manifest is untrusted input", () => {
  const POISON = [
    "../victim.txt",
    "../../policies/DCW13-safeguarding-adults.md",
    "../../outside.txt",
    "/etc/hostname",
    "sub/file.html",
    "sub\\file.html",
    ".",
    "..",
    "nul\u0000.html",
    "manifest.json",
  ];

  it("ignores and reports every entry that is not a plain file name, and deletes nothing outside the pack", async () => {
    const dir = await workspace({ "outside.txt": "the user's" });
    expect((await runCli(["build", ...HTML], dir)).code).toBe(0);
    await writeFile(join(dir, "output", "victim.txt"), "the user's");
    const absolute = join(await mkdtemp(join(tmpdir(), "policypack-victim-")), "victim.txt");
    await writeFile(absolute, "the user's");
    const manifest = join(dir, "output", "afon-homecare", "manifest.json");
    const real = JSON.parse(await readFile(manifest, "utf8"));
    const poisoned = { ...real.files, ...Object.fromEntries([...POISON, absolute].map((name) => [name, "x"])) };
    await writeFile(manifest, JSON.stringify({ version: 1, files: poisoned }));
    const top = join(dir, "output", "manifest.json");
    const topFiles = { ...JSON.parse(await readFile(top, "utf8")).files, "../outside.txt": "x" };
    await writeFile(top, JSON.stringify({ generator: "policypack", version: 1, files: topFiles }));
    const before = await snapshot(dir);

    const run = await runCli(["build", ...HTML], dir);
    expect(run.code, run.stderr).toBe(0);
    for (const entry of [...POISON, absolute])
      expect(run.stderr).toContain(`ignored the entry ${JSON.stringify(entry)}`);
    expect(run.stderr).toContain('output/manifest.json:1:1: warning output-folder: ignored the entry "../outside.txt"');
    for (const [path, bytes] of before) {
      if (!path.endsWith("manifest.json")) expect((await snapshot(dir)).get(path), path).toBe(bytes);
    }
    expect(await readFile(absolute, "utf8")).toBe("the user's");
    // The manifest is written again without them: the next build is quiet.
    expect(Object.keys(JSON.parse(await readFile(manifest, "utf8")).files).sort()).toEqual(
      Object.keys(real.files).sort(),
    );
    const again = await runCli(["build", ...HTML], dir);
    expect(again.stderr).not.toContain("ignored the entry");
  });

  it("removes a listed file only while it holds what policypack wrote: a file of the user's that a manifest claims stays", async () => {
    const dir = await workspace();
    expect((await runCli(["build", ...HTML], dir)).code).toBe(0);
    const pack = join(dir, "output", "afon-homecare");
    await writeFile(join(pack, "notes.txt"), "my own notes");
    const manifest = join(pack, "manifest.json");
    const real = JSON.parse(await readFile(manifest, "utf8"));
    const claimed = {
      ...real,
      files: { ...real.files, "notes.txt": "0".repeat(64) },
      written: { ...real.written, "notes.txt": "0".repeat(64) },
    };
    await writeFile(manifest, JSON.stringify(claimed));
    let run = await runCli(["build", ...HTML], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning output-folder: left output/afon-homecare/notes.txt in place`);
    expect(await readFile(join(pack, "notes.txt"), "utf8")).toBe("my own notes");
    expect(JSON.parse(await readFile(manifest, "utf8")).files).not.toHaveProperty(["notes.txt"]);

    // A policy leaving the pack takes its files with it, unless one was edited since.
    await writeFile(join(pack, "DCW38-using-social-media-platforms.html"), "edited by hand");
    const org = join(dir, "orgs", "afon-homecare.yaml");
    await writeFile(org, `${await readFile(org, "utf8")}policies: [DCW13, DCW28, DCW30, DCW31, DCW34]\n`);
    run = await runCli(["build", ...HTML, "--references-outside-pack", "warning"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("left output/afon-homecare/DCW38-using-social-media-platforms.html in place");
    expect(await readFile(join(pack, "DCW38-using-social-media-platforms.html"), "utf8")).toBe("edited by hand");
  });

  it("a manifest from before hashes were kept still has the pack's own old files removed, and nobody else's", async () => {
    const dir = await workspace();
    expect((await runCli(["build", ...HTML], dir)).code).toBe(0);
    const pack = join(dir, "output", "afon-homecare");
    // As an older policypack left it: an SVG logo published as logo.svg, and no hashes of what it wrote.
    await writeFile(join(pack, "logo.svg"), "<svg/>");
    await writeFile(join(pack, "notes.txt"), "my own notes");
    const manifest = join(pack, "manifest.json");
    const { files } = JSON.parse(await readFile(manifest, "utf8"));
    await writeFile(manifest, JSON.stringify({ version: 1, files: { ...files, "logo.svg": "x", "notes.txt": "x" } }));
    const run = await runCli(["build", ...HTML], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(pack, "logo.svg"))).toBe(false);
    expect(await readFile(join(pack, "notes.txt"), "utf8")).toBe("my own notes");
    expect(run.stderr).toContain("left output/afon-homecare/notes.txt in place");
    expect(JSON.parse(await readFile(manifest, "utf8")).written).toHaveProperty(["logo.png"]);
  });

  it("never follows a pack folder that is a symlink, nor reads or removes a listed name that is not a file", async () => {
    const dir = await workspace({ "elsewhere/keep.txt": "the user's" });
    expect((await runCli(["build", ...HTML], dir)).code).toBe(0);
    await rm(join(dir, "output", "afon-homecare"), { recursive: true });
    await symlink(join(dir, "elsewhere"), join(dir, "output", "afon-homecare"));
    // A listed output replaced by a link to a secret: it must not end up in the zip.
    const gofal = join(dir, "output", "gofal-tyr-ysgol");
    await rm(join(gofal, "DCW13-safeguarding-adults.html"));
    await writeFile(join(dir, "secret.txt"), "a-secret-of-the-user");
    await symlink(join(dir, "secret.txt"), join(gofal, "DCW13-safeguarding-adults.html"));
    const zip = join(gofal, "gofal-tyr-ysgol-policy-pack.zip");
    await rm(zip); // so a build would make it again from the files it finds
    const run = await runCli(["build", ...HTML], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("output/afon-homecare is not a folder policypack made");
    expect(run.stderr).toContain("output/gofal-tyr-ysgol/DCW13-safeguarding-adults.html is in the way");
    expect(await readdir(join(dir, "elsewhere"))).toEqual(["keep.txt"]);
    expect((await stat(join(gofal, "DCW13-safeguarding-adults.html"))).isFile()).toBe(true);
    expect(await readFile(join(dir, "secret.txt"), "utf8")).toBe("a-secret-of-the-user");
    if (existsSync(zip)) expect(await readFile(zip, "latin1")).not.toContain("a-secret-of-the-user");
  });

  it("refuses a pack folder whose manifest.json is not policypack's", async () => {
    const dir = await workspace({ "output/afon-homecare/manifest.json": '{"name": "my web app"}' });
    await writeFile(join(dir, "output", "manifest.json"), '{"generator": "policypack", "version": 1, "files": {}}');
    const run = await runCli(["build", ...HTML], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('output/afon-homecare/manifest.json is not a policypack manifest (no "version": 1)');
    expect(await readdir(join(dir, "output", "afon-homecare"))).toEqual(["manifest.json"]);
    expect(existsSync(join(dir, "output", "gofal-tyr-ysgol", "index.html"))).toBe(true);
  });

  it("reports twenty bad entries of a huge poisoned manifest, and how many more", async () => {
    const dir = await workspace();
    await mkdir(join(dir, "output", "afon-homecare"), { recursive: true });
    await writeFile(join(dir, "output", "manifest.json"), '{"generator":"policypack","version":1,"files":{}}');
    const files = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`../${i}.txt`, "x"]));
    await writeFile(join(dir, "output", "afon-homecare", "manifest.json"), JSON.stringify({ version: 1, files }));
    const run = await runCli(["build", ...HTML, "--org", "afon-homecare"], dir);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/ignored the entry/g)).toHaveLength(20);
    expect(run.stderr).toContain("(and 49980 more entries like it)");
  });

  it("a plain file name is one name in the folder, and nothing else is", () => {
    for (const name of ["index.html", "DCW13-safeguarding-adults.pdf", "a..b", "..."])
      expect(isPlainFileName(name)).toBe(true);
    for (const name of POISON) expect(isPlainFileName(name), JSON.stringify(name)).toBe(false);
    expect(isPlainFileName("")).toBe(false);
    expect(isPlainFileName("x".repeat(256))).toBe(false);
  });
});

describe("a build killed halfway", () => {
  // test "a disk that fills up halfway" shows the claim is made before the files are written.
  it("writes again the files its manifest claimed without a hash (listed, maybe not written)", async () => {
    const dir = await workspace();
    expect((await runCli(["build", ...HTML, "--org", "afon-homecare"], dir)).code).toBe(0);
    const manifest = join(dir, "output", "afon-homecare", "manifest.json");
    const listed = JSON.parse(await readFile(manifest, "utf8")).files as Record<string, string>;
    // What a build leaves when killed after claiming its new files and writing them.
    const pending = Object.fromEntries(Object.keys(listed).map((name) => [name, ""]));
    await writeFile(manifest, JSON.stringify({ generator: "policypack", version: 1, files: pending }));
    const run = await runCli(["build", "--json", ...HTML, "--org", "afon-homecare"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).packs[0].built.sort()).toEqual(Object.keys(listed).sort());
  });
});

describe("errors from the machine are sentences", () => {
  it("names the file and the fix for a full disk, no permission, a read-only disk", () => {
    const error = (code: string) => Object.assign(new Error(code), { code, syscall: "open", path: "output/a/x.pdf" });
    expect(systemErrorMessage(error("ENOSPC"))).toMatch(
      /^the disk is full: output\/a\/x\.pdf could not be written; free/,
    );
    expect(systemErrorMessage(error("EACCES"))).toMatch(/^permission denied for output\/a\/x\.pdf; .*--out DIR/);
    expect(systemErrorMessage(error("EROFS"))).toMatch(/^output\/a\/x\.pdf is on a read-only file system; choose/);
    expect(systemErrorMessage(error("EISDIR"))).toBe(
      "output/a/x.pdf is a folder where a file was expected; rename or move the folder",
    );
    expect(systemErrorMessage(error("EWHATEVER"))).toBe(
      "open output/a/x.pdf failed (EWHATEVER); check the file, its folder and the disk",
    );
    expect(systemErrorMessage(new TypeError("x is undefined"))).toBeUndefined();
  });

  it("a file where a folder should be (ENOTDIR), and a folder where the file should be", async () => {
    const dir = await workspace({ "plans.txt": "a file", "reviews.csv/keep.txt": "a folder" });
    const notDir = await runCli(
      ["reviews", "--as-of", "2026-11-24", "--format", "csv", "--out", "plans.txt/r.csv"],
      dir,
    );
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toBe(
      "policypack: plans.txt/r.csv cannot be reached: part of that path is a file, not a folder; move that file away or choose another path\n",
    );
    const isDir = await runCli(["reviews", "--as-of", "2026-11-24", "--format", "csv", "--out", "reviews.csv"], dir);
    expect(isDir.code).toBe(2);
    expect(isDir.stderr).toContain("policypack: --out reviews.csv is a folder; give the file to write");
    expect(await readdir(join(dir, "reviews.csv"))).toEqual(["keep.txt"]);
  });

  it.runIf(existsSync("/proc/self"))(
    "a file system that allows no new folder (/proc): a sentence, not a hang",
    async () => {
      const run = await runCli(
        ["build", ...HTML, "--org", "afon-homecare", "--out", "/proc/policypack-test"],
        await workspace(),
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "policypack: /proc/policypack-test cannot be made: this file system does not let a folder be made there; choose another --out folder\n",
      );
    },
  );

  it.runIf(SLOW_AS_ROOT)(
    "a disk that fills up halfway: a sentence, no half-written file, and the next build finishes the pack",
    async () => {
      const dir = await workspace();
      const mount = join(dir, "small");
      await mkdir(mount);
      // Room for the manifests and a page or two, not for a pack (about 3 MB with its zip).
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=600k", "tmpfs", mount]);
      try {
        const full = await runCli(["build", ...HTML, "--org", "afon-homecare", "--out", "small"], dir);
        expect(full.code).toBe(2);
        expect(full.stderr).toMatch(
          /^policypack: the disk is full: small\/afon-homecare\/\S+ could not be written; free/,
        );
        const left = await readdir(mount, { recursive: true });
        expect(left.filter((name) => name.endsWith(".tmp"))).toEqual([]);
        execFileSync("mount", ["-o", "remount,size=64m", mount]);
        // The files written before the disk filled are the build's own: nothing is "in the way".
        const again = await runCli(["build", ...HTML, "--org", "afon-homecare", "--out", "small"], dir);
        expect(again.code, again.stderr).toBe(0);
        expect(await readdir(join(mount, "afon-homecare"))).toContain("afon-homecare-policy-pack.zip");
      } finally {
        execFileSync("umount", [mount]);
      }
    },
  );

  it.runIf(SLOW_AS_ROOT)(
    "a read-only disk (EROFS) stops the build with a sentence, and nothing is half-written",
    async () => {
      const dir = await workspace();
      const mount = join(dir, "readonly");
      await mkdir(mount);
      execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mount]);
      try {
        const run = await runCli(["build", ...HTML, "--out", "readonly"], dir);
        expect(run.code).toBe(2);
        expect(run.stderr).toBe(
          "policypack: readonly/manifest.json is on a read-only file system; choose a folder you can write to, e.g. --out /tmp/packs\n",
        );
        expect(await readdir(mount)).toEqual([]);
      } finally {
        execFileSync("umount", [mount]);
      }
    },
  );
});

describe("options that make no sense are usage errors", () => {
  it("a build date outside 1900–2200, from --as-of or SOURCE_DATE_EPOCH", async () => {
    const dir = await workspace();
    for (const asOf of ["0000-01-01", "1899-12-31", "2201-01-01", "9999-12-31"]) {
      const run = await runCli(["check", "--as-of", asOf], dir);
      expect(run.code, asOf).toBe(2);
      expect(run.stderr).toContain(`--as-of ${asOf} is outside the years 1900–2200`);
    }
    expect((await runCli(["xref", "--as-of", "1900-01-01"], dir)).code).toBe(0);
    for (const epoch of ["-1", "abc", "1e20", "100000000000000000000", "7289654400"]) {
      const run = await runCli(["xref"], dir, { SOURCE_DATE_EPOCH: epoch });
      expect(run.code, epoch).toBe(2);
      expect(run.stderr).toContain(
        `SOURCE_DATE_EPOCH=${epoch} is not a build time: it must be whole seconds since 1970`,
      );
    }
    expect((await runCli(["xref"], dir, { SOURCE_DATE_EPOCH: "1795000000" })).code).toBe(0);
  });

  it("an unknown --reporter, even when there is nothing to report", async () => {
    const dir = await workspace();
    const run = await runCli(["check", "--as-of", "2026-11-24", "--reporter", "xml"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--reporter takes text or github, not "xml"');
    expect((await runCli(["xref", "--reporter", "githbu"], dir)).stderr).toContain("(did you mean github?)");
  });
});
