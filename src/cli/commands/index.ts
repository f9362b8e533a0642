import type { Command } from "../command.ts";
import { build } from "./build.ts";
import { check } from "./check.ts";
import { diff } from "./diff.ts";
import { importCommand } from "./import.ts";
import { review } from "./review.ts";
import { reviews } from "./reviews.ts";
import { serve } from "./serve.ts";
import { translate } from "./translate.ts";
import { xref } from "./xref.ts";

/** Every command, in the order --help lists them. */
export const COMMANDS: Command[] = [check, build, diff, xref, reviews, review, serve, importCommand, translate];
