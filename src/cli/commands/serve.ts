import { removeTemporaryFiles } from "../../pack/signals.ts";
import type { RunningServer, ServeOptions } from "../../serve/server.ts";
import { checkOutFolder } from "../../write/output-folder.ts";
import { type Command, type CommandContext, UsageError } from "../command.ts";

export const serve: Command = {
  name: "serve",
  summary: "preview the built packs in a browser, on 127.0.0.1 only",
  help: `policypack serve [--port N] [--out DIR] [--watch]

  --port N              port to listen on (default: 8080; 0 picks any free port)
  --out DIR             folder to serve (default: output/)
  --watch               build the web pages first, then rebuild them on every save in the
                        policies and orgs folders; open pages reload, and show the diagnostics.
                        PDF and Word files are built when first asked for

Serves until Ctrl+C. Nothing outside DIR can be reached, not even through a symlink.`,
  options: {
    port: { type: "string", default: "8080" },
    out: { type: "string", default: "output" },
    watch: { type: "boolean", default: false },
  },
  async run(context) {
    const portText = context.string("port") as string;
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      throw new UsageError(`--port takes a number from 0 to 65535, not "${portText}"`);
    }
    const out = context.string("out") as string;
    if (context.values.watch) return watchAndServe(context, out, port);
    const server = await listen(context, { root: out, port });
    if (!server) return 2;
    context.io.stdout.write(`Serving ${out}/ at ${server.url}  (Ctrl+C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await server.close();
    return 0;
  },
};

/** The server, or undefined after saying why it could not start. */
async function listen(context: CommandContext, options: ServeOptions): Promise<RunningServer | undefined> {
  const { startServer } = await import("../../serve/server.ts");
  const { io } = context;
  const { root: out, port } = options;
  try {
    return await startServer(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      io.stderr.write(
        `policypack: there is no folder ${out}/ to serve; run policypack build first, or pass --out DIR\n`,
      );
    } else if (code === "EADDRINUSE") {
      io.stderr.write(`policypack: port ${port} is already in use; choose another with --port N (0 = any free port)\n`);
    } else if (code === "EACCES") {
      io.stderr.write(`policypack: not allowed to listen on port ${port}; choose one above 1023 with --port N\n`);
    } else throw error;
    return undefined;
  }
}

/** serve --watch: build the web pages, serve them, rebuild on every save until Ctrl+C or SIGTERM. */
async function watchAndServe(context: CommandContext, out: string, port: number): Promise<number> {
  const { io } = context;
  const library = { policies: context.string("policies") as string, orgs: context.string("orgs") as string };
  const problem = await checkOutFolder(out, library, io.env);
  if (problem) {
    throw new UsageError(
      problem.forcible
        ? `${problem.message} (for serve --watch: run policypack build --force-out once)`
        : problem.message,
    );
  }
  void context.buildDate; // a bad --as-of is a usage error now, not at the first save
  const { LivePreview } = await import("../../serve/watch.ts");
  const preview = new LivePreview({
    folders: [library.policies, library.orgs],
    out,
    env: io.env,
    check: () => context.check(),
    buildDate: () => context.buildDate,
    report: (diagnostics) => context.report(diagnostics),
    log: (text) => io.stderr.write(text),
  });
  // Signals are handled from the start: a stop during the first build aborts it.
  let signalled = false;
  let wake = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const stop = () => {
    signalled = true;
    void preview.close();
    wake();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  let server: RunningServer | undefined;
  try {
    await preview.start();
    if (signalled) return 0;
    server = await listen(context, { root: out, port, live: preview });
    if (!server) return 2;
    preview.watch();
    io.stdout.write(
      `Serving ${out}/ at ${server.url}  (watching ${library.policies}/ and ${library.orgs}/; Ctrl+C to stop)\n`,
    );
    await stopped;
    return 0;
  } catch (error) {
    if (signalled) return 0;
    throw error;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await preview.close();
    await server?.close();
    removeTemporaryFiles(out);
  }
}
