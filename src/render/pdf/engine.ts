import { rmSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page, type PDFOptions } from "puppeteer-core";
import { Waiting } from "../../waiting.ts";
import { FONT_DIRECTORY } from "../fonts.ts";

export interface PdfJob {
  html: string;
  options: PDFOptions;
  /**
   * Printed before the documents waiting that are not: what finishes a pack (its manual's front
   * and page numbers, its sign sheets) goes before the next packs' policies, so that packs finish
   * in turn rather than all at the end of the build.
   */
  urgent?: boolean;
}

export interface PdfOutput {
  data: Uint8Array;
  /** Requests the document tried to make; all were blocked. */
  blocked: string[];
}

export interface EngineOptions {
  executablePath: string;
  /** Pages printing at once (default: number of CPUs). */
  pages: number;
  /** Milliseconds one browser call (opening a page, loading a document, printing it) may take. */
  timeoutMs: number;
  /** Milliseconds the browser may take to answer a heartbeat before it counts as frozen. */
  heartbeatMs?: number;
  /** Folders of TrueType files Chromium may use besides the house font (a theme's font). */
  fontDirectories?: string[];
  /** Documents a page prints before its renderer is replaced by a fresh one (default: PRINTS_PER_PAGE). */
  printsPerPage?: number;
}

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/**
 * A renderer grows as it prints, about 0.1 MB a document (150 MB after its first policy, 225 MB
 * after a 50 x 12 build): past this many documents its page is closed, with its renderer, and a
 * fresh one opened. A 200 x 12 build's renderers peaked at 635 MiB with this, 1091 MiB without
 * (225.5 s against 217.6 s, one pair, 2026-12-04).
 */
const PRINTS_PER_PAGE = 500;

/** The first browser and one replacement: a browser that dies twice ends the build's PDFs. */
const MAX_LAUNCHES = 2;
const HEARTBEAT_INTERVAL_MS = 2_000;
const PROFILE_PREFIX = "policypack-chromium-";

// Chromium sees only the project's own fonts: the header and footer templates cannot use web
// fonts, and output must not depend on what fonts the machine has.
const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fontsConf = (cacheDir: string, dirs: readonly string[]) => `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>${[FONT_DIRECTORY, ...dirs].map((dir) => `<dir>${xmlText(dir)}</dir>`).join("")}<cachedir>${xmlText(cacheDir)}</cachedir></fontconfig>
`;

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * A failure that may come (the browser gone, a page's renderer crashed), which a call can stop
 * waiting for once it is done. A promise that never settles would keep every reaction attached to
 * it, and with each the result it settled (every PDF printed: 1.8 MB a pack, for good).
 */
class Failure {
  private error: Error | undefined;
  private readonly waiting = new Set<(error: Error) => void>();

  fail(error: Error): void {
    if (this.error) return;
    this.error = error;
    for (const reject of this.waiting) reject(error);
    this.waiting.clear();
  }

  /** Calls `reject` when (or if already) it fails; returns how to stop waiting. */
  wait(reject: (error: Error) => void): () => void {
    if (this.error) {
      reject(this.error);
      return () => {};
    }
    this.waiting.add(reject);
    return () => this.waiting.delete(reject);
  }
}

/**
 * Settles like `work`, or rejects when `ms` pass or one of `failures` fails first. The timeout
 * waits two more turns of the event loop (puppeteer hands on each message in a setImmediate):
 * after a long synchronous stretch in the build, an answer already waiting in the pipe wins over a
 * timer that fired late.
 */
function within<T>(work: Promise<T>, ms: number, what: string, ...failures: Failure[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const late = () => reject(new Error(`${what} took longer than ${seconds(ms)}`));
    const timer = setTimeout(() => setImmediate(() => setImmediate(late)), ms);
    const stops = failures.map((failure) => failure.wait(reject));
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      for (const stop of stops) stop();
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Profile folders carry their build's pid: those of builds that were killed are removed here. */
async function removeStaleProfiles(): Promise<void> {
  const dir = tmpdir();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(new RegExp(`^${PROFILE_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) {
      await rm(join(dir, name), { recursive: true, force: true }).catch(() => {});
    }
  }
}

/** Chromium died after its one restart: no document of this build can be printed any more. */
export class ChromiumStopped extends Error {
  override name = "ChromiumStopped";

  constructor(reason: string) {
    super(`Chromium stopped again after a restart (${reason})`);
  }
}

/** One running Chromium: its profile folder, a pool of idle pages, and how it ended. */
class Session {
  /** Why the browser is gone; undefined while it runs. */
  reason: string | undefined;
  /** Fails as soon as the browser is gone, so every call waiting on it fails at once. */
  readonly died = new Failure();
  private idle: Page[] = [];
  /** How many documents each page has printed. */
  private readonly printed = new WeakMap<Page, number>();
  private readonly crashed = new WeakMap<Page, Failure>();
  private readonly blocked = new WeakMap<Page, string[]>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly browser: Browser,
    private readonly profile: string,
    private readonly options: EngineOptions,
  ) {
    const child = browser.process();
    // Writes to a browser that has just died fail with EPIPE after puppeteer stops listening:
    // without a listener of our own, that error would end the build.
    for (const stream of child?.stdio ?? []) stream?.on("error", () => {});
    this.exited = new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    browser.once("disconnected", () => this.end("the browser process exited"));
    // A frozen browser answers nothing: a cheap call every few seconds finds it out.
    let waiting = false;
    this.heartbeat = setInterval(() => {
      if (waiting) return;
      waiting = true;
      within(browser.version(), options.heartbeatMs ?? 8_000, "answering", this.died)
        .catch(() => this.kill("the browser stopped answering"))
        .finally(() => (waiting = false));
    }, HEARTBEAT_INTERVAL_MS).unref();
    process.once("exit", this.onExit);
    if (!browser.connected) this.end("the browser process exited"); // before we listened
  }

  static async start(options: EngineOptions, signal: AbortSignal): Promise<Session> {
    const profile = await mkdtemp(join(tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
    try {
      await writeFile(
        join(profile, "fonts.conf"),
        fontsConf(join(profile, "fontconfig-cache"), options.fontDirectories ?? []),
      );
      const browser = await puppeteer.launch({
        executablePath: options.executablePath,
        headless: "shell",
        args: ARGS,
        // Over a pipe, Chromium exits when this process does, even after kill -9.
        pipe: true,
        userDataDir: join(profile, "user-data"),
        env: { ...process.env, FONTCONFIG_FILE: join(profile, "fonts.conf") },
        timeout: options.timeoutMs,
        protocolTimeout: options.timeoutMs * 2,
        // The build handles signals itself (src/pack/signals.ts): puppeteer's handlers would
        // exit mid-write on SIGINT and swallow SIGTERM.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        signal,
      });
      return new Session(browser, profile, options);
    } catch (error) {
      await rm(profile, { recursive: true, force: true });
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  /** At exit, however the build ends, the browser and its profile go with it. */
  private readonly onExit = () => {
    this.killProcess();
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 3 });
  };

  private killProcess(): void {
    const child = this.browser.process();
    const pid = child?.pid;
    if (pid === undefined || child?.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-pid, "SIGKILL"); // Chromium leads its own process group: renderers go too
    } catch {
      this.browser.process()?.kill("SIGKILL");
    }
  }

  private end(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    clearInterval(this.heartbeat);
    this.died.fail(new Error(reason));
  }

  /** Ends a browser that misbehaves; whoever was waiting on it fails at once. */
  kill(reason: string): void {
    this.end(reason);
    this.killProcess();
  }

  private guard<T>(work: Promise<T>, what: string, page?: Page): Promise<T> {
    const failures = [this.died];
    const crash = page && this.crashed.get(page);
    if (crash) failures.push(crash);
    return within(work, this.options.timeoutMs, what, ...failures);
  }

  private async newPage(): Promise<Page> {
    // A context of its own gives each page its own renderer process: pages in one context
    // share a renderer and print one at a time.
    const page = await (await this.browser.createBrowserContext()).newPage();
    const crash = new Failure();
    page.once("error", (error: Error) => {
      this.idle = this.idle.filter((other) => other !== page);
      crash.fail(new Error(`the page's renderer crashed (${error.message})`));
    });
    this.crashed.set(page, crash);
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    // Documents carry everything as data: URIs; anything else is blocked and reported.
    page.on("request", (request) => {
      const url = request.url();
      if (url.startsWith("data:") || url === "about:blank") return void request.continue();
      this.blocked.get(page)?.push(url);
      void request.abort("blockedbyclient");
    });
    return page;
  }

  async print(job: PdfJob): Promise<PdfOutput> {
    const page = this.idle.pop() ?? (await this.guard(this.newPage(), "opening a page"));
    const blocked: string[] = [];
    this.blocked.set(page, blocked);
    try {
      await this.guard(page.setContent(job.html, { waitUntil: "load", timeout: 0 }), "loading the document", page);
      const data = await this.guard(page.pdf({ ...job.options, timeout: 0 }), "printing", page);
      const printed = (this.printed.get(page) ?? 0) + 1;
      if (printed < (this.options.printsPerPage ?? PRINTS_PER_PAGE)) {
        this.printed.set(page, printed);
        this.idle.push(page);
      } else this.closePage(page); // the next document opens a fresh one
      return { data, blocked };
    } catch (error) {
      this.closePage(page); // it may be stuck or crashed
      throw error;
    }
  }

  /** Closes the page's context, and its renderer with it. */
  private closePage(page: Page): void {
    this.printed.delete(page);
    void within(page.browserContext().close(), this.options.timeoutMs, "closing a page", this.died).catch(() => {});
  }

  async close(): Promise<void> {
    this.end("the browser was closed");
    await within(this.browser.close(), 5_000, "closing the browser").catch(() => this.killProcess());
    await within(this.exited, 5_000, "the browser's exit").catch(() => this.killProcess());
    await rm(this.profile, { recursive: true, force: true, maxRetries: 3 });
    process.off("exit", this.onExit);
  }
}

/**
 * One Chromium per build and a pool of pages. A browser that exits or stops answering is noticed
 * within seconds and replaced once; a document that fails is tried once more. Nothing waits on a
 * browser without a time limit.
 */
export class PdfEngine {
  private current!: Promise<Session>;
  private latest: Session | undefined;
  private readonly sessions: Session[] = [];
  private launches = 0;
  /** Set when no more documents can be printed: the browser died twice, or the engine closed. */
  private failure: Error | undefined;
  private readonly closing = new AbortController();
  private active = 0;
  /** Documents waiting for a page, urgent ones first. */
  private readonly waiting = new Waiting();

  private constructor(private readonly options: EngineOptions) {}

  static async launch(options: EngineOptions): Promise<PdfEngine> {
    await removeStaleProfiles();
    const engine = new PdfEngine(options);
    engine.current = engine.start();
    await engine.session();
    return engine;
  }

  private async start(): Promise<Session> {
    this.launches++;
    const session = await Session.start(this.options, this.closing.signal);
    this.sessions.push(session);
    this.latest = session;
    if (this.failure) await session.close(); // closed while it launched
    return session;
  }

  /** The running browser, replacing a dead one (or one that failed to start) while launches remain. */
  private async session(): Promise<Session> {
    for (;;) {
      if (this.failure) throw this.failure;
      const pending = this.current;
      const session = await pending.catch((error: Error) => error);
      if (session instanceof Session && session.reason === undefined) return session;
      if (this.current !== pending) continue; // another document already replaced it
      if (this.launches < MAX_LAUNCHES) {
        if (session instanceof Session) void session.close();
        this.current = this.start();
      } else if (session instanceof Session) {
        this.failure = new ChromiumStopped(session.reason ?? "it stopped");
      } else if (this.latest) {
        this.failure = new ChromiumStopped(`the new one did not start: ${session.message.split("\n")[0]}`);
      } else {
        this.failure = session; // it never started: the build reports that as a setup problem
      }
    }
  }

  private async slot(urgent: boolean): Promise<void> {
    while (this.active >= this.options.pages && !this.failure) {
      await new Promise<void>((resolve) => this.waiting.add(resolve, urgent));
    }
    this.active++;
  }

  private free(): void {
    this.active--;
    this.waiting.take()?.();
  }

  async render(job: PdfJob): Promise<PdfOutput> {
    await this.slot(Boolean(job.urgent));
    try {
      for (let attempt = 1; ; attempt++) {
        const session = await this.session();
        try {
          return await session.print(job);
        } catch (error) {
          // A browser gone with no launch left, not this document, is why it failed.
          const gone = session.reason;
          if (gone !== undefined && this.launches >= MAX_LAUNCHES) this.failure ??= new ChromiumStopped(gone);
          if (this.failure) throw this.failure;
          if (attempt === 2) throw error;
        }
      }
    } finally {
      this.free();
    }
  }

  /** The running browser's process id (tests kill it to check recovery). */
  get pid(): number | undefined {
    return this.latest?.pid;
  }

  /** Stops the browser: documents still printing fail at once. */
  async close(): Promise<void> {
    this.failure ??= new Error("PDF printing was stopped");
    this.closing.abort();
    for (const wake of this.waiting.takeAll()) wake();
    await this.current.catch(() => {});
    await Promise.all(this.sessions.map((session) => session.close()));
  }
}
