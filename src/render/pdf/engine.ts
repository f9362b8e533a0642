import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page, type PDFOptions } from "puppeteer-core";
import { FONT_DIRECTORY } from "../fonts.ts";

export interface PdfJob {
  html: string;
  options: PDFOptions;
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
  /** Milliseconds one document may take before Chromium counts as hung. */
  timeoutMs: number;
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

// Chromium sees only the project's own fonts: the header and footer templates cannot use web
// fonts, and output must not depend on what fonts the machine has.
const fontsConf = (cacheDir: string) => `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>${FONT_DIRECTORY}</dir><cachedir>${cacheDir}</cachedir></fontconfig>
`;

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One Chromium per build and a pool of pages. A document that fails or hangs restarts the
 * browser and is tried once more; a second failure is the caller's to report.
 */
export class PdfEngine {
  private browser!: Browser;
  private profile = "";
  private generation = 0;
  private idle: Page[] = [];
  private open = 0;
  private waiting: (() => void)[] = [];
  private restarting: Promise<void> | undefined;
  private readonly blocked = new WeakMap<Page, string[]>();

  private constructor(private readonly options: EngineOptions) {}

  static async launch(options: EngineOptions): Promise<PdfEngine> {
    const engine = new PdfEngine(options);
    await engine.start();
    return engine;
  }

  private async start(): Promise<void> {
    this.profile = await mkdtemp(join(tmpdir(), "policypack-chromium-"));
    await writeFile(join(this.profile, "fonts.conf"), fontsConf(join(this.profile, "fontconfig-cache")));
    this.browser = await puppeteer.launch({
      executablePath: this.options.executablePath,
      headless: "shell",
      args: ARGS,
      userDataDir: join(this.profile, "user-data"),
      env: { ...process.env, FONTCONFIG_FILE: join(this.profile, "fonts.conf") },
      protocolTimeout: this.options.timeoutMs * 2,
    });
    this.idle = [];
    this.open = 0;
  }

  private async newPage(): Promise<Page> {
    // A context of its own gives each page its own renderer process: pages in one context
    // share a renderer and print one at a time.
    const page = await (await this.browser.createBrowserContext()).newPage();
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

  private async acquire(): Promise<Page> {
    for (;;) {
      const page = this.idle.pop();
      if (page) return page;
      if (this.open < this.options.pages) {
        this.open++;
        try {
          return await this.newPage();
        } catch (error) {
          this.open--;
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(page: Page, generation: number, healthy: boolean): void {
    if (generation === this.generation && healthy) this.idle.push(page);
    else if (generation === this.generation) this.open--;
    this.waiting.shift()?.();
  }

  private async renderOnce(job: PdfJob): Promise<PdfOutput> {
    const generation = this.generation;
    const page = await this.acquire();
    const blocked: string[] = [];
    this.blocked.set(page, blocked);
    let healthy = false;
    try {
      const print = async () => {
        await page.setContent(job.html, { waitUntil: "load", timeout: this.options.timeoutMs });
        return page.pdf({ ...job.options, timeout: this.options.timeoutMs });
      };
      const data = await withTimeout(print(), this.options.timeoutMs, "printing");
      healthy = true;
      return { data, blocked };
    } finally {
      this.release(page, generation, healthy);
    }
  }

  /** Replaces the browser, once per failure, however many documents saw that failure. */
  private restart(failedGeneration: number): Promise<void> {
    if (failedGeneration !== this.generation) return this.restarting ?? Promise.resolve();
    this.generation++;
    const old = { browser: this.browser, profile: this.profile };
    this.restarting = (async () => {
      old.browser.process()?.kill("SIGKILL");
      await old.browser.close().catch(() => {});
      await rm(old.profile, { recursive: true, force: true });
      await this.start();
      for (const wake of this.waiting.splice(0)) wake();
    })();
    return this.restarting;
  }

  async render(job: PdfJob): Promise<PdfOutput> {
    const generation = this.generation;
    try {
      return await this.renderOnce(job);
    } catch {
      await this.restart(generation);
      return this.renderOnce(job);
    }
  }

  /** The running browser's process id (tests kill it to check recovery). */
  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  async close(): Promise<void> {
    await this.restarting;
    await this.browser.close().catch(() => {});
    await rm(this.profile, { recursive: true, force: true });
  }
}
