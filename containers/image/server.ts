/**
 * The entry point bundled into the node image: `faultline serve` and nothing else, so that the image carries no
 * simulator, model or CLI code. Arguments are the container's command line.
 */
import "../../src/node/serveProcess.ts"
