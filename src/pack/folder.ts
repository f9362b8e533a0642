// A pack folder on disk: what its manifest says was built from what, and writing a build into it.
import { lstat, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Diagnostic, Org } from "../types.ts";
import { temporaryBeside, writeFileAtomic } from "../write/atomic.ts";
import { MANIFEST, readManifest, writeManifest } from "../write/manifest.ts";
import { folderEntries, mayReplace, type OutFolder } from "../write/output-folder.ts";
import { sha256 } from "./fingerprint.ts";
import { inFlight } from "./in-flight.ts";
import { DRAFTS_FOLDER, type OrgBuild } from "./options.ts";
import { ignoredEntries, leftInPlace, notOurs, outputError } from "./problems.ts";

export type Bytes = string | Uint8Array;

type Manifest = Awaited<ReturnType<typeof readManifest>>;

/** One org's pack folder: what the manifest says was built from what, and what this build renders. */
export class PackBuild {
  readonly next: Record<string, string> = {};
  readonly rendered = new Map<string, Bytes>();
  /**
   * Files written whole already, to a temporary file beside their place (a manual, by the thread
   * that joined it), with their SHA-256: writePack renames them into place, and settle() removes
   * those it did not.
   */
  readonly placed = new Map<string, { temporary: string; hash: string }>();
  /**
   * Files made from the pack's files once those are written (the zip): each writes its file to
   * the temporary path it is given and returns its SHA-256; writePack renames it into place. It
   * is given the SHA-256 of every file of the pack.
   */
  readonly madeLast = new Map<string, (temporary: string, written: Record<string, string>) => Promise<string>>();

  constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    private readonly force: boolean,
    /** Every entry of the folder now, by kind. */
    readonly inFolder: ReadonlyMap<string, "file" | "other">,
    /** The regular files in the folder now: one directory read instead of a stat per output. */
    readonly present: ReadonlySet<string>,
  ) {}

  /** Records the output's inputs; true when it must be rendered (changed, missing, or forced). */
  wants(name: string, hash: string): boolean {
    this.next[name] = hash;
    return this.force || this.manifest.files[name] !== hash || !this.present.has(name);
  }

  /** An output of a format not built this time stays only while it is still up to date. */
  keepIfFresh(name: string, hash: string): void {
    if (this.manifest.files[name] === hash && this.present.has(name)) this.next[name] = hash;
  }

  drop(name: string): void {
    delete this.next[name];
    this.rendered.delete(name);
    const placed = this.placed.get(name);
    this.placed.delete(name);
    if (placed) void rm(placed.temporary, { force: true }).catch(() => {});
  }

  place(name: string, temporary: string, hash: string): void {
    this.placed.set(name, { temporary, hash });
  }

  /** Removes the temporary files of placed files that were not renamed into place (a pack not written). */
  async settle(): Promise<void> {
    const left = [...this.placed.values()];
    this.placed.clear();
    await Promise.all(left.map(({ temporary }) => rm(temporary, { force: true }).catch(() => {})));
  }

  bytes(name: string): Promise<Bytes> {
    const fresh = this.rendered.get(name);
    return fresh !== undefined ? Promise.resolve(fresh) : readFile(join(this.dir, name));
  }
}

/**
 * The pack folder and its manifest, or undefined (with an error) when it is not policypack's to
 * write into: a file or a symlink in its place, or a manifest.json that is someone else's.
 */
export async function openPackFolder(
  dir: string,
  file: string,
  force: boolean,
  diagnostics: Diagnostic[],
): Promise<PackBuild | undefined> {
  const kind = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (kind && !kind.isDirectory()) {
    diagnostics.push(
      outputError(
        file,
        `${dir} is not a folder policypack made (a file or a link is in its place), so the pack was not written`,
        `move ${dir} out of the output folder, then build again`,
      ),
    );
    return undefined;
  }
  const manifest = await readManifest(dir);
  if (manifest.notOurs) {
    diagnostics.push(
      outputError(
        join(dir, MANIFEST),
        `${manifest.notOurs}, so nothing was written in ${dir}/`,
        `move ${dir} out of the output folder (policypack makes the folder and its manifest itself), then build again`,
      ),
    );
    return undefined;
  }
  diagnostics.push(...ignoredEntries(dir, manifest.ignored));
  const inFolder = await folderEntries(dir);
  // Only regular files count as present: a folder or symlink under an output's name is never read.
  const present = new Set([...inFolder].filter(([, kind]) => kind === "file").map(([name]) => name));
  return new PackBuild(dir, manifest, force, inFolder, present);
}

/** A name policypack gives a file of a pack folder: a policy's page, PDF or Word file, or the pack's own. */
function isOutputName(name: string, org: string): boolean {
  return (
    /^[A-Z]{2,}[0-9]+-[a-z0-9-]+\.(html|pdf|docx)$/.test(name) ||
    /^(index\.html|logo\.(png|jpg|svg)|[a-z0-9-]+\.woff2)$/.test(name) ||
    [`${org}-policy-pack.pdf`, `${org}-policy-pack.zip`, `${org}-read-and-sign.pdf`].includes(name)
  );
}

/** How many files of a pack are written at once. */
const FILES_AT_ONCE = 8;

const fileHash = (path: string) =>
  readFile(path).then(
    (bytes) => sha256(bytes),
    () => undefined,
  );

const pick = (map: Record<string, string>, names: readonly string[]) =>
  Object.fromEntries(names.filter((name) => Object.hasOwn(map, name)).map((name) => [name, map[name] as string]));

/** Whether two records have the same keys with the same values, in whatever order. */
function sameEntries(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

/**
 * Writes the rendered files, then those made from them, and the manifest, unless a file
 * policypack did not write is in the way.
 */
export async function writePack(org: Org, pack: PackBuild, diagnostics: Diagnostic[]): Promise<OrgBuild | undefined> {
  const { dir, manifest, inFolder, present } = pack;
  const old = manifest.files;
  const written = [...pack.rendered.keys(), ...pack.placed.keys(), ...pack.madeLast.keys()];
  const inTheWay = written.filter((name) => inFolder.has(name) && !(present.has(name) && Object.hasOwn(old, name)));
  if (inTheWay.length > 0) {
    diagnostics.push(...inTheWay.map((name) => notOurs(dir, name, `nothing was written in ${dir}/`)));
    return undefined;
  }
  // New files are listed before they are written, so a build killed halfway still owns them;
  // "" matches no hash, so the next build writes them again.
  const contents = { ...manifest.written };
  for (const [name, data] of pack.rendered) contents[name] = sha256(data);
  for (const [name, { hash }] of pack.placed) contents[name] = hash;
  const fresh = written.filter((name) => !Object.hasOwn(old, name));
  if (fresh.length > 0) {
    const files = { ...old, ...Object.fromEntries(fresh.map((name) => [name, ""])) };
    await writeManifest(dir, { version: 1, files, written: contents });
  }
  // Several at a time: each file waits on the disk and on this thread's turns, which renders in
  // between with --jobs 1; a pack written one file after another (120 files, four steps each)
  // took longer than the next pack's renders, and finished packs piled up in memory.
  await inFlight([...pack.rendered], FILES_AT_ONCE, FILES_AT_ONCE, ([name, data]) =>
    writeFileAtomic(join(dir, name), data),
  );
  for (const [name, { temporary }] of pack.placed) {
    const path = join(dir, name);
    await rename(temporary, path).catch((error: Error) => {
      throw Object.assign(error, { path }); // the file the user knows, not the temporary one
    });
    pack.placed.delete(name);
  }
  for (const [name, make] of pack.madeLast) {
    const path = join(dir, name);
    const temporary = temporaryBeside(path);
    try {
      contents[name] = await make(temporary, contents);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw Object.assign(error as Error, { path }); // the file the user knows, not the temporary one
    }
  }
  const removed: string[] = [];
  for (const name of Object.keys(old).filter((name) => !Object.hasOwn(pack.next, name) && present.has(name))) {
    // Only a regular file that still holds what policypack wrote is removed: a manifest is
    // untrusted, and a file changed since (or one a tampered manifest claims) is someone's. A
    // manifest from before hashes were recorded can only vouch for names policypack gives files.
    const ours = manifest.legacy
      ? isOutputName(name, org.id)
      : (await fileHash(join(dir, name))) === manifest.written[name];
    if (ours) {
      await rm(join(dir, name), { force: true });
      removed.push(name);
    } else diagnostics.push(leftInPlace(dir, name));
  }
  // Files kept from a manifest that recorded no hashes (built before they were) are hashed once.
  for (const name of Object.keys(pack.next)) contents[name] ??= (await fileHash(join(dir, name))) ?? "";
  const next = { version: 1 as const, files: pack.next, written: pick(contents, Object.keys(pack.next)) };
  if (
    !sameEntries(next.files, old) ||
    !sameEntries(next.written, manifest.written) ||
    !present.has(MANIFEST) ||
    manifest.ignored.length > 0
  ) {
    await writeManifest(dir, next);
  }
  const built = written.sort();
  return {
    org: org.id,
    built,
    skipped: Object.keys(pack.next)
      .filter((name) => !built.includes(name))
      .sort(),
    removed,
  };
}

/**
 * Writes the overview at the top of the output folder, listed in the top manifest first; only
 * when what it shows changed, so an unchanged build neither renders nor touches it.
 */
export async function writeOverview(
  out: string,
  top: OutFolder,
  page: { key: string; render: () => Promise<string> },
  diagnostics: Diagnostic[],
) {
  const name = "index.html";
  const path = join(out, name);
  if (top.notOurs) {
    diagnostics.push(
      outputError(
        path,
        `${top.notOurs}, so ${path} was not written`,
        `move ${join(out, MANIFEST)} away, then build again`,
      ),
    );
    return;
  }
  if (!(await mayReplace(out, name, top.files))) {
    diagnostics.push(notOurs(out, name, "the overview of every pack was not written"));
    return;
  }
  // Recorded by what it shows, as a pack's files are: unchanged, it is not even rendered.
  if (top.files[name] === page.key && (await lstat(path).catch(() => undefined))) return;
  const content = await page.render();
  // Listed before it is first written, so a build killed meanwhile still owns it ("" matches no
  // key, so the next build writes it again).
  if (!Object.hasOwn(top.files, name)) await writeManifest(out, { version: 1, files: { ...top.files, [name]: "" } });
  await writeFileAtomic(path, content);
  await writeManifest(out, { version: 1, files: { ...top.files, [name]: page.key } });
}

/** `<out>/_drafts` is a real folder or absent: never a link that would send previews elsewhere. */
export async function draftsFolderIsOurs(out: string, diagnostics: Diagnostic[]): Promise<boolean> {
  const dir = join(out, DRAFTS_FOLDER);
  const kind = await lstat(dir).catch(() => undefined);
  if (!kind || kind.isDirectory()) return true;
  diagnostics.push(
    outputError(
      dir,
      `${dir} is not a folder policypack made (a file or a link is in its place), so no draft was previewed`,
      `move ${dir} out of the output folder, then build --drafts again`,
    ),
  );
  return false;
}
