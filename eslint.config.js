// ESLint checks the house rules that a type checker cannot: the direction data flows between the layers
// (properties → sim → host → protocol; containers → node → host → protocol), no import cycles, and the purity of
// the deterministic core (no clock, randomness, timers, process or I/O in src/protocol, src/app, model, src/sim,
// properties). Each rule's message says which house rule it enforces, so a failure reads as the rule broken.
import js from "@eslint/js"
import importX from "eslint-plugin-import-x"
import tseslint from "typescript-eslint"

// ---------------------------------------------------------------------------------------------------------------
// Layers. A zone forbids files under `target` to import anything under `from`.

const layers = {
  protocol: "./src/protocol",
  app: "./src/app",
  storage: "./src/storage",
  host: "./src/host",
  schedule: "./src/schedule",
  sim: "./src/sim",
  node: "./src/node",
  cli: "./src/cli",
  model: "./model",
  properties: "./properties",
  containers: "./containers",
  bench: "./bench"
}

/** `target` may import none of `forbidden`; the message names the direction that the import breaks. */
const zone = (target, forbidden, why) => ({
  target: layers[target],
  from: forbidden.map((name) => layers[name]),
  message: `${target} may not import ${forbidden.join("/")}: ${why}`
})

const architecture = [
  zone(
    "protocol",
    ["storage", "host", "schedule", "sim", "node", "cli", "model", "properties", "containers", "bench"],
    "the replica is a pure step function below every host (host → protocol)"
  ),
  zone(
    "app",
    ["protocol", "storage", "host", "schedule", "sim", "node", "cli", "model", "properties", "containers", "bench"],
    "the applications are pure state machines the protocol applies (protocol → app)"
  ),
  zone(
    "storage",
    ["host", "sim", "node", "cli", "properties", "containers", "bench"],
    "storage is an I/O service the hosts use (host → storage)"
  ),
  zone(
    "host",
    ["sim", "node", "cli", "properties", "containers", "bench"],
    "one host serves the simulator and the node (sim → host, node → host)"
  ),
  zone(
    "schedule",
    ["storage", "host", "sim", "node", "cli", "properties", "containers", "bench"],
    "one Schedule type read by two interpreters (the simulator, the Docker replay), depending on neither"
  ),
  zone(
    "model",
    ["protocol", "app", "storage", "host", "schedule", "sim", "node", "cli", "properties", "containers", "bench"],
    "the model is the reference the system is judged against and depends on none of it"
  ),
  zone("sim", ["node", "cli", "properties", "containers", "bench"], "data flows properties → sim → host → protocol"),
  zone("node", ["sim", "cli", "properties", "containers", "bench"], "data flows containers → node → host → protocol"),
  zone("properties", ["node", "cli", "containers", "bench"], "data flows properties → sim → host → protocol"),
  zone("containers", ["sim", "cli", "bench"], "data flows containers → node → host → protocol"),
  zone("cli", ["bench"], "benchmarks are entry points nothing imports")
]

// ---------------------------------------------------------------------------------------------------------------
// Purity. "pure" code (the replica, the applications, the model) touches no clock, randomness, timers, process
// or I/O; "deterministic" code (the simulator, the properties) may name files it writes but never reads the
// clock or draws randomness outside its seeded generator. Same seed, same trace.

const why = "the deterministic core reads no clock, randomness, process or global state (same seed, same trace)"

const clockAndTimers = [
  "Date",
  "performance",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
  "queueMicrotask",
  "crypto"
].map((name) => ({ name, message: `${name}: ${why}` }))

const processGlobal = { name: "process", message: `process: ${why}` }

const randomness = [
  { object: "Math", property: "random", message: `Math.random: ${why}` },
  { object: "process", property: "hrtime", message: `process.hrtime: ${why}` },
  { object: "process", property: "uptime", message: `process.uptime: ${why}` },
  { object: "process", property: "cpuUsage", message: `process.cpuUsage: ${why}` },
  { object: "process", property: "memoryUsage", message: `process.memoryUsage: ${why}` },
  { object: "globalThis", property: "Date", message: `globalThis.Date: ${why}` },
  { object: "globalThis", property: "performance", message: `globalThis.performance: ${why}` },
  { object: "globalThis", property: "process", message: `globalThis.process: ${why}` },
  { object: "globalThis", property: "crypto", message: `globalThis.crypto: ${why}` }
]

const nodeModules = (names) => names.flatMap((name) => [name, `node:${name}`])
const timeModules = nodeModules(["perf_hooks", "timers", "timers/promises", "process"])
const networkModules = nodeModules([
  "net",
  "http",
  "http2",
  "https",
  "dgram",
  "dns",
  "tls",
  "child_process",
  "worker_threads",
  "cluster",
  "os",
  "readline"
])
const fileModules = nodeModules(["fs", "fs/promises"])

const restrictedModules = (names, what) => ({ paths: names.map((name) => ({ name, message: `${what}: ${why}` })) })

/** Module-level `let`/`var` is state shared by every replica and every run in the process. */
const globalMutableState = [
  {
    selector: "Program > VariableDeclaration[kind!='const']",
    message: `a module-level ${"`let`/`var`"} is global mutable state: ${why}`
  },
  {
    selector: "Program > ExportNamedDeclaration > VariableDeclaration[kind!='const']",
    message: `a module-level ${"`let`/`var`"} is global mutable state: ${why}`
  }
]

const pureRules = {
  "no-restricted-globals": ["error", ...clockAndTimers, processGlobal],
  "no-restricted-properties": ["error", ...randomness],
  "no-restricted-imports": [
    "error",
    restrictedModules([...timeModules, ...networkModules, ...fileModules], "an I/O or clock module")
  ],
  "no-restricted-syntax": [
    "error",
    ...globalMutableState,
    { selector: "ImportExpression", message: `a dynamic import is I/O: ${why}` }
  ]
}

const deterministicRules = {
  "no-restricted-globals": ["error", ...clockAndTimers],
  "no-restricted-properties": ["error", ...randomness],
  "no-restricted-imports": [
    "error",
    restrictedModules([...timeModules, ...networkModules], "a clock or network module")
  ],
  "no-restricted-syntax": ["error", ...globalMutableState]
}

const without = (list, item) => list.filter((entry) => entry !== item)
const sources = (directories) => directories.map((directory) => `${directory}/**/*.ts`)
const tests = ["**/*.test.ts"]

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "counterexamples/", "artifacts/", ".scratch/", "tmp/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.js", "**/*.mjs"],
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    plugins: { "import-x": importX },
    settings: { "import-x/extensions": [".ts", ".js", ".mjs"], "import-x/resolver": { node: { extensions: [".ts"] } } },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-self-import": "error",
      "import-x/no-restricted-paths": ["error", { zones: architecture }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // A variable a callback reads before its one assignment (wiring that refers to itself) stays a `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }]
    }
  },
  {
    // The simulator's own tests drive it with the properties' schedule generator: a test sits above what it tests.
    files: ["src/sim/**/*.test.ts"],
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: architecture.map((rule) =>
            rule.target === layers.sim ? { ...rule, from: without(rule.from, layers.properties) } : rule
          )
        }
      ]
    }
  },
  {
    files: ["bin/**/*.mjs", "eslint.config.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } }
  },
  { files: sources(["src/protocol", "src/app", "model", "src/schedule"]), ignores: tests, rules: pureRules },
  // Storage does file I/O, which is its job, but the simulator runs its records, decoder and in-memory disk too;
  // the host reads no clock and starts no timer of its own: its world (src/host/world.ts) gives it both.
  { files: sources(["src/sim", "properties", "src/storage", "src/host"]), ignores: tests, rules: deterministicRules }
)
