import { type ParseArgsConfig, parseArgs } from "node:util";
import { hasErrors } from "../diagnostics/report.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { COMMON_HELP, COMMON_OPTIONS, CommandContext, type Io, type OptionValues, UsageError } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { systemErrorMessage } from "./errors.ts";

export type { Io } from "./command.ts";

const usage = () => `Usage: policypack <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(22)}${c.summary}`).join("\n")}

Options (every command):
${COMMON_HELP}

Run policypack <command> --help for a command's own options.
Exit codes: 0 clean (warnings allowed), 1 errors in the inputs, 2 usage or environment problem.`;

async function run(argv: string[], io: Io): Promise<number> {
  const at = argv.findIndex((arg) => !arg.startsWith("-"));
  const name = at === -1 ? undefined : argv[at];
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    if (name === undefined || name === "help") {
      io.stdout.write(`${usage()}\n`);
      return argv.includes("--help") || argv.includes("-h") || name === "help" ? 0 : 2;
    }
    const suggestion = didYouMean(
      name,
      COMMANDS.map((c) => c.name),
    );
    throw new UsageError(`unknown command "${name}"${suggestion ? ` (did you mean ${suggestion}?)` : ""}`);
  }
  const options: NonNullable<ParseArgsConfig["options"]> = { ...COMMON_OPTIONS, ...command.options };
  const { values, positionals, tokens } = parseArgs({
    args: argv.filter((_, i) => i !== at),
    allowPositionals: true,
    options,
    tokens: true,
  });
  if (values.help) {
    io.stdout.write(`Usage: ${command.help}\n\nOptions (every command):\n${COMMON_HELP}\n`);
    return 0;
  }
  if (!command.positionals && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  // The configuration file gives defaults; what is typed on the command line wins.
  // Loaded only now: --help, above, needs none of the library's loaders.
  const { loadConfig } = await import("../load/config.ts");
  const config = await loadConfig(values.config as string | undefined, process.cwd(), command.name);
  const context = new CommandContext(io, values as OptionValues, positionals);
  if (values.json && config.diagnostics.length > 0) context.reportJson(config.diagnostics);
  else if (config.diagnostics.length > 0) context.report(config.diagnostics);
  if (hasErrors(config.diagnostics)) return 2;
  const typed = new Set(tokens.flatMap((token) => (token.kind === "option" ? [token.name] : [])));
  for (const [name, value] of Object.entries(config.defaults)) {
    if (Object.hasOwn(options, name) && !typed.has(name)) context.values[name] = value;
  }
  context.validateCommon();
  return command.run(context);
}

/** Runs the CLI and returns its exit code; never throws, so no stack trace reaches the user. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`policypack: ${message}\nRun policypack --help for usage.\n`);
    } else if (error instanceof (await import("../check/index.ts")).EnvironmentError) {
      io.stderr.write(`policypack: ${message}\n`);
    } else if (systemErrorMessage(error)) {
      io.stderr.write(`policypack: ${systemErrorMessage(error)}\n`);
    } else {
      io.stderr.write(`policypack: internal error: ${message}\nPlease report this with the command you ran.\n`);
    }
    return 2;
  }
}
