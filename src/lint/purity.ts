/**
 * The purity rule as code: the replica and the applications may not touch the clock, randomness, timers,
 * the process or any I/O module; the simulator, the model and the properties may not touch the clock or
 * randomness (they may write files, e.g. counterexamples). Comments and strings are ignored.
 */
export interface PurityFinding {
  readonly line: number
  readonly rule: string
  readonly text: string
}

const deterministicRules: ReadonlyArray<readonly [string, RegExp]> = [
  ["the wall clock (Date)", /\bDate\b/],
  ["Math.random", /\bMath\.random\b/],
  ["performance timers", /\bperformance\b/],
  ["process.hrtime", /\bprocess\.hrtime\b/],
  ["timers", /\b(setTimeout|setInterval|setImmediate)\b/]
]

const pureRules: ReadonlyArray<readonly [string, RegExp]> = [
  ...deterministicRules,
  ["the process object", /\bprocess\b/],
  [
    "an I/O module",
    /\bfrom\s+["'](node:)?(fs|fs\/promises|net|http|http2|https|dgram|child_process|worker_threads|os|crypto|dns|tls|readline)["']/
  ],
  ["dynamic import", /\bimport\s*\(/],
  ["require", /\brequire\s*\(/]
]

/** Blanks out comments and string contents so that prose never trips a rule, keeping line numbers. */
const codeOnly = (source: string): string =>
  source
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
    .replace(/\/\/[^\n]*/g, "")
    .replace(/`(?:\\.|[^`\\])*`/g, (text) => text.replace(/[^\n]/g, " "))
    // Module specifiers stay (the I/O rule reads them); every other string is emptied.
    .replace(/(\bfrom\s*)?("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')/g, (text, from: string | undefined) =>
      from === undefined ? '""' : text
    )

/**
 * A line may opt out of one rule with a comment `purity: allow <rule word> — <reason>`, for what cannot
 * change a result (e.g. yielding to the event loop between property runs). The reason is required.
 */
const allowance = /purity: allow (\w+) — \S/

export const scanSource = (source: string, strictness: "pure" | "deterministic"): ReadonlyArray<PurityFinding> => {
  const rules = strictness === "pure" ? pureRules : deterministicRules
  const findings: Array<PurityFinding> = []
  const originalLines = source.split("\n")
  codeOnly(source)
    .split("\n")
    .forEach((text, position) => {
      const allowed = allowance.exec(originalLines[position] ?? "")?.[1]
      if (allowed !== undefined && rules.some(([, pattern]) => pattern.test(allowed) && pattern.test(text))) return
      for (const [rule, pattern] of rules) {
        if (pattern.test(text)) findings.push({ line: position + 1, rule, text: text.trim() })
      }
    })
  return findings
}
