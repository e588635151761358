/**
 * `faultline serve`: one node of a cluster, until SIGINT or SIGTERM (see src/node/serveProcess.ts).
 */
export { serveProcess as run } from "../node/serveProcess.ts"
