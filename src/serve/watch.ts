import { randomBytes } from "node:crypto";
import { type FSWatcher, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { basename } from "node:path";
import type { CheckResult } from "../check/index.ts";
import { formatText } from "../diagnostics/report.ts";
import { buildPacks, FORMATS, type OrgBuild } from "../pack/build.ts";
import { cspHash } from "../render/html/page.ts";
import type { CalendarDate, Diagnostic } from "../types.ts";
import { HTML_CSP, type LiveHooks } from "./server.ts";

export const EVENTS_PATH = "/__policypack/events";

/**
 * Added to every page served by serve --watch, never written to the output folder. It reloads
 * the page when a build has changed files since the page was served (the server stamps the build
 * it served in data-generation, so a build missed while connecting still reloads), and shows the
 * diagnostics in a fixed box. textContent only: messages quote the user's own text. Styles are set
 * through the CSSOM, which the pages' CSP (hash-pinned styles) allows.
 */
export const LIVE_SCRIPT = `(() => {
  const served = document.currentScript.dataset.generation;
  const box = document.createElement("pre");
  box.id = "policypack-diagnostics";
  box.setAttribute("role", "status");
  Object.assign(box.style, {
    display: "none", position: "fixed", left: "1rem", right: "1rem", bottom: "1rem", zIndex: "2147483647",
    maxHeight: "45vh", overflow: "auto", margin: "0", padding: "0.75rem 1rem", whiteSpace: "pre-wrap",
    font: "13px/1.45 ui-monospace, monospace", color: "#1a1a1a", background: "#fff4e5",
    border: "2px solid #b3261e", borderRadius: "4px", boxShadow: "0 2px 12px rgba(0,0,0,.25)",
  });
  document.body.append(box);
  const events = new EventSource("${EVENTS_PATH}");
  events.onmessage = (event) => {
    const state = JSON.parse(event.data);
    if (state.generation !== served) return location.reload();
    box.textContent = state.diagnostics;
    box.style.display = state.diagnostics ? "block" : "none";
  };
})();`;

export const LIVE_SCRIPT_HASH = cspHash(LIVE_SCRIPT);

/** A page's CSP with the live script allowed by its hash and its event stream by connect-src 'self'. */
export function allowLiveScript(csp: string): string {
  const parts = csp
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith("connect-src"));
  const scripts = parts.findIndex((part) => part.startsWith("script-src"));
  if (scripts === -1) parts.push(`script-src ${LIVE_SCRIPT_HASH}`);
  else {
    const sources = (parts[scripts] as string).split(/\s+/).slice(1);
    parts[scripts] = ["script-src", ...sources.filter((s) => s !== "'none'"), LIVE_SCRIPT_HASH].join(" ");
  }
  return [...parts, "connect-src 'self'"].join("; ");
}

// The pages' own CSP is a meta element (src/render/html/page.ts), which the browser enforces as
// well as the header: it must allow the script too.
const CSP_META = /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/i;

/** The page as served in watch mode: CSP widened for the live script, which goes before </body>. */
export function livePage(html: string, generation: string): string {
  const withCsp = html.replace(CSP_META, (_, open: string, csp: string, close: string) => {
    // The serializer may write ' as &#x27; in attributes; the CSP sources need the quotes.
    const plain = csp.replaceAll("&#x27;", "'").replaceAll("&#39;", "'");
    return `${open}${allowLiveScript(plain)}${close}`;
  });
  const script = `<script data-generation="${generation}">${LIVE_SCRIPT}</script>`;
  const end = withCsp.lastIndexOf("</body>");
  return end === -1 ? withCsp + script : withCsp.slice(0, end) + script + withCsp.slice(end);
}

export interface WatchOptions {
  /** The folders whose changes rebuild: the policy library (with legislation.yaml) and the organisations. */
  folders: string[];
  out: string;
  env: NodeJS.ProcessEnv;
  check(): Promise<CheckResult>;
  /** Asked at each build, so a preview left running past midnight uses the new date. */
  buildDate(): CalendarDate;
  /** Prints diagnostics as the build command does. */
  report(diagnostics: readonly Diagnostic[]): void;
  log(text: string): void;
}

/** Editors' swap, backup and temporary files: saving them changes no input. */
const IGNORED = /^\.|~$|\.sw[a-p]$|\.tmp$|^4913$/;

/** Waits this long after the last change before building, so one save (often several events) builds once. */
const DEBOUNCE_MS = 150;

/** Files a page does not show: written by a build on request, they need no reload. */
const NOT_SHOWN = /\.(pdf|docx|zip)$/;

/** serve --watch: rebuilds on a save, one build at a time, and tells open pages over Server-Sent Events. */
export class LivePreview implements LiveHooks {
  readonly eventsPath = EVENTS_PATH;
  readonly pageCsp = allowLiveScript(HTML_CSP);
  /** Changes when a build changes what pages show; a new server starts a new series. */
  private generation = `${randomBytes(4).toString("hex")}-0`;
  private builds = 0;
  private diagnostics: Diagnostic[] = [];
  /** What the last build on request found (a PDF Chromium could not print), until the next rebuild. */
  private requested: Diagnostic[] = [];
  /** A problem that stopped the last build (an unreadable schema), shown like diagnostics. */
  private failure = "";
  private last: CheckResult | undefined;
  private readonly clients = new Set<ServerResponse>();
  private readonly watchers: FSWatcher[] = [];
  private readonly stopping = new AbortController();
  /** Every build runs after the one before: never two at once. */
  private queue: Promise<void> = Promise.resolve();
  /** A rebuild is queued and has not started: further saves join it. */
  private queued = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WatchOptions) {}

  /** The first build; an environment problem here (no schema) is thrown, so serve exits. */
  async start(): Promise<void> {
    await this.rebuild(true);
  }

  watch(): void {
    for (const folder of this.options.folders) {
      const watcher = watch(folder, { recursive: true }, (_event, name) => {
        if (name && IGNORED.test(basename(name))) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.schedule(), DEBOUNCE_MS);
      });
      watcher.on("error", (error) => this.options.log(`policypack: stopped watching ${folder}: ${error.message}\n`));
      this.watchers.push(watcher);
    }
  }

  /** Queues a rebuild unless one is already waiting to start; a save during a build gets one more run. */
  private schedule(): void {
    this.timer = undefined;
    if (this.queued || this.stopping.signal.aborted) return;
    this.queued = true;
    this.serially(() => {
      this.queued = false;
      return this.rebuild(false);
    }).catch(() => {}); // rebuild reports its own failures
  }

  private serially(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Check, then the web pages of every org without errors; an org with errors keeps its last good pages. */
  private async rebuild(first: boolean): Promise<void> {
    const started = performance.now();
    try {
      const check = await this.options.check();
      this.options.report(check.diagnostics);
      const result = await buildPacks(check, check.buildable, {
        out: this.options.out,
        formats: ["html"],
        // PDF and Word files are built when asked for (prepare): each save would otherwise start Chromium.
        linked: ["pdf", "docx"],
        buildDate: this.options.buildDate(),
        env: this.options.env,
        signal: this.stopping.signal,
      });
      this.options.report(result.diagnostics);
      this.last = check;
      this.diagnostics = [...check.diagnostics, ...result.diagnostics];
      this.requested = [];
      this.failure = "";
      const skipped = check.orgs.filter((org) => !check.buildable.includes(org)).map((org) => org.id);
      for (const id of skipped)
        this.options.log(`skipped ${id}: its inputs have errors (see above); its pages stay as they were\n`);
      this.options.log(
        `${first ? "built" : "rebuilt"} the web pages: ${summary(result.packs)} (${Math.round(performance.now() - started)} ms)\n`,
      );
      this.finished(result.packs);
    } catch (error) {
      if (first) throw error;
      if (this.stopping.signal.aborted) return;
      // A broken save must not stop the server: say why, keep the last good pages.
      this.failure = `policypack: ${(error as Error).message}`;
      this.options.log(`${this.failure}\n`);
      this.finished([]);
    }
  }

  /** PDF, Word and zip files of a pack are built when asked for, and only when missing or stale. */
  async prepare(path: string): Promise<void> {
    const match = /^\/([^/]+)\/[^/]+\.(pdf|docx|zip)$/.exec(path);
    const org = match && this.last?.buildable.find((o) => o.id === match[1]);
    if (!org || this.stopping.signal.aborted) return;
    // A save not yet built would make this build from the old check.
    if (this.timer) {
      clearTimeout(this.timer);
      this.schedule();
    }
    await this.serially(async () => {
      const check = this.last;
      if (!check?.buildable.some((o) => o.id === org.id)) return;
      const started = performance.now();
      try {
        const result = await buildPacks(check, [org], {
          out: this.options.out,
          formats: FORMATS,
          buildDate: this.options.buildDate(),
          env: this.options.env,
          signal: this.stopping.signal,
        });
        const idle = result.packs.every((pack) => pack.built.length === 0 && pack.removed.length === 0);
        if (idle && result.diagnostics.length === 0) return;
        this.options.report(result.diagnostics);
        this.requested = result.diagnostics;
        this.options.log(
          `built ${org.id}'s files on request: ${summary(result.packs)} (${Math.round(performance.now() - started)} ms)\n`,
        );
        this.finished(result.packs);
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.failure = `policypack: ${(error as Error).message}`;
        this.options.log(`${this.failure}\n`);
        this.finished([]);
      }
    });
  }

  /** Tells every open page the new state: a new generation reloads them, otherwise the overlay changes. */
  private finished(packs: OrgBuild[]): void {
    const shown = (names: string[]) => names.some((name) => !NOT_SHOWN.test(name));
    if (packs.some((pack) => shown(pack.built) || shown(pack.removed))) {
      this.generation = `${this.generation.split("-")[0]}-${++this.builds}`;
    }
    for (const client of this.clients) client.write(this.message());
  }

  private message(): string {
    const text = [formatText([...this.diagnostics, ...this.requested], false), this.failure]
      .filter(Boolean)
      .join("\n\n");
    return `data: ${JSON.stringify({ generation: this.generation, diagnostics: text })}\n\n`;
  }

  events(response: ServerResponse): void {
    response.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    response.write(this.message());
    this.clients.add(response);
    response.on("close", () => this.clients.delete(response));
  }

  async page(file: string): Promise<string> {
    // The generation first: a build finishing in between then costs one reload more, never one less.
    const generation = this.generation;
    return livePage(await readFile(file, "utf8"), generation);
  }

  /** Stops watching, ends the event streams and waits for a running build to stop (Chromium closes at once). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.stopping.abort();
    for (const watcher of this.watchers) watcher.close();
    for (const client of this.clients) client.end();
    this.clients.clear();
    await this.queue;
  }
}

function summary(packs: readonly OrgBuild[]): string {
  const total = (key: "built" | "skipped" | "removed") => packs.reduce((sum, pack) => sum + pack[key].length, 0);
  return `${total("built")} files built, ${total("skipped")} unchanged, ${total("removed")} removed`;
}
