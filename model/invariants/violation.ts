/** A broken invariant, with the evidence a person needs to see why. */
import type { InvariantName } from "./names.ts"

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

export interface Violation {
  /** One of the closed set of names, for example "election_safety". */
  readonly invariant: InvariantName
  /** A sentence a person can read. */
  readonly message: string
  readonly atMs: number
  readonly evidence: JsonValue
}

/**
 * Where monitors send violations. `key` identifies the fact violated (for example the term with two leaders),
 * so that a condition seen at many observations is reported once.
 */
export type Report = (key: string, violation: Violation) => void

/** Collects violations, each fact once, in the order found. */
export class ViolationLog {
  private readonly seen = new Set<string>()
  readonly violations: Array<Violation> = []

  readonly report: Report = (key, violation) => {
    const fullKey = `${violation.invariant}\u0000${key}`
    if (this.seen.has(fullKey)) return
    this.seen.add(fullKey)
    this.violations.push(violation)
  }
}

/** Runs a monitor over data and returns what it reported: the pure-function face of every invariant. */
export const collect = (feed: (report: Report) => void): ReadonlyArray<Violation> => {
  const log = new ViolationLog()
  feed(log.report)
  return log.violations
}
