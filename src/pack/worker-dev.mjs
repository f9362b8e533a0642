// The worker's entry when policypack runs from its TypeScript sources (the repository, tests):
// a worker thread does not inherit the main thread's tsx hooks, so it registers its own.
import { register } from "tsx/esm/api";

register();
const { renderFiles, joinManual, writeZip } = await import("./worker.ts");

export { joinManual, writeZip };
export default renderFiles;
