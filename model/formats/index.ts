/** The history formats the checker reads, each with its own sequential spec. */
import { Either } from "effect"
import { type CheckOptions, type CheckResult, checkOperations } from "../linearizability/check.ts"
import { parseJepsenEtcd, jepsenEtcdSpec } from "./jepsenEtcd.ts"
import type { HistoryFormat } from "./manifest.ts"
import type { HistoryParseError } from "./parseError.ts"
import { parsePorcupineKv, porcupineKvSpec } from "./porcupineKv.ts"

export * from "./jepsenEtcd.ts"
export * from "./manifest.ts"
export * from "./parseError.ts"
export * from "./porcupineKv.ts"

/** A parsed history ready to check: the check runs separately so that benchmarks can time it alone. */
export interface ParsedHistory {
  readonly operations: number
  readonly check: (options?: CheckOptions) => CheckResult
}

/**
 * The format of a history, from its first non-blank line: Porcupine's key-value histories are EDN maps
 * (`{:process 0, :type :invoke, …}`), Jepsen's etcd logs are log lines (`INFO  jepsen.util - 0\t:invoke\t:read\tnil`).
 * Undefined when the line looks like neither; the caller then asks for `--format`.
 */
export const detectHistoryFormat = (text: string): HistoryFormat | undefined => {
  const first = text
    .split(/\r?\n/)
    .find((line) => line.trim() !== "")
    ?.trim()
  if (first === undefined) return undefined
  if (/^\{\s*:process\s/.test(first)) return "porcupine-kv"
  if (/^INFO\s+jepsen\.util\s+-\s/.test(first)) return "jepsen-etcd"
  return undefined
}

export const parseHistory = (format: HistoryFormat, text: string): Either.Either<ParsedHistory, HistoryParseError> => {
  switch (format) {
    case "porcupine-kv":
      return Either.map(parsePorcupineKv(text), (operations) => ({
        operations: operations.length,
        check: (options) => checkOperations(porcupineKvSpec, operations, options)
      }))
    case "jepsen-etcd":
      return Either.map(parseJepsenEtcd(text), (operations) => ({
        operations: operations.length,
        check: (options) => checkOperations(jepsenEtcdSpec, operations, options)
      }))
  }
}
