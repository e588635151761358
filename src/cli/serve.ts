/** `faultline serve` is the node's own entry point (src/node/serve.ts); the CLI only dispatches to it. */
export { run } from "../node/serve.ts"
