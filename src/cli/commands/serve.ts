import { type Command, UsageError } from "../command.ts";

export const serve: Command = {
  name: "serve",
  summary: "preview the built packs in a browser, on 127.0.0.1 only",
  help: `policypack serve [--port N] [--out DIR]

  --port N              port to listen on (default: 8080; 0 picks any free port)
  --out DIR             folder to serve (default: output/)

Serves until Ctrl+C. Nothing outside DIR can be reached, not even through a symlink.`,
  options: {
    port: { type: "string", default: "8080" },
    out: { type: "string", default: "output" },
  },
  async run(context) {
    const { startServer } = await import("../../serve/server.ts");
    const portText = context.string("port") as string;
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      throw new UsageError(`--port takes a number from 0 to 65535, not "${portText}"`);
    }
    const out = context.string("out") as string;
    const { io } = context;
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer({ root: out, port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        io.stderr.write(
          `policypack: there is no folder ${out}/ to serve; run policypack build first, or pass --out DIR\n`,
        );
      } else if (code === "EADDRINUSE") {
        io.stderr.write(
          `policypack: port ${port} is already in use; choose another with --port N (0 = any free port)\n`,
        );
      } else if (code === "EACCES") {
        io.stderr.write(`policypack: not allowed to listen on port ${port}; choose one above 1023 with --port N\n`);
      } else throw error;
      return 2;
    }
    io.stdout.write(`Serving ${out}/ at ${server.url}  (Ctrl+C to stop)\n`);
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
