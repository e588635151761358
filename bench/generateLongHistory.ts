/**
 * Writes a long linearizable single-register history in the jepsen-etcd format, for measuring the checker's time
 * and memory budgets: 8 clients, read/write/cas over values 0–4, each operation taking effect at one instant
 * between its call and return, and a share of writes and cas ending with an unknown outcome (half of those took
 * effect). Deterministic for a seed. With --unique, reads and writes only, each write of a new value (as the
 * simulator's clients can write): the history the polynomial-time unique-writes check decides.
 * Usage: npx tsx bench/generateLongHistory.ts --out FILE [--operations 100000] [--unknown 0.05] [--seed 1] [--unique]
 */
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    operations: { type: "string", default: "100000" },
    unknown: { type: "string", default: "0.05" },
    seed: { type: "string", default: "1" },
    unique: { type: "boolean", default: false }
  }
})
if (values.out === undefined) throw new Error("--out FILE is required")
let seed = Number(values.seed) >>> 0
const random = (): number => {
  seed = (seed + 0x6d2b79f5) >>> 0
  let value = seed
  value = Math.imul(value ^ (value >>> 15), value | 1)
  value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
  return ((value ^ (value >>> 14)) >>> 0) / 4294967296
}
const total = Number(values.operations)
const unknownShare = Number(values.unknown)
type Pending = { process: number; f: string; args: string; applied: boolean; result: string; unknown: boolean }
const lines: Array<string> = []
const pending = new Map<number, Pending>()
let register: number | null = null
let started = 0
let nextProcess = 8
let nextUniqueValue = 0
const idle = Array.from({ length: 8 }, (_, index) => index)
while (started < total || pending.size > 0) {
  const draw = random()
  if (idle.length > 0 && started < total && (draw < 0.4 || pending.size === 0)) {
    const process = idle.splice(Math.floor(random() * idle.length), 1)[0]!
    const kind = random()
    const value = values.unique ? nextUniqueValue++ : Math.floor(random() * 5)
    const from = Math.floor(random() * 5)
    const op: Pending =
      kind < 0.4
        ? { process, f: "read", args: "nil", applied: false, result: "", unknown: false }
        : values.unique || kind < 0.7
          ? { process, f: "write", args: String(value), applied: false, result: "", unknown: false }
          : { process, f: "cas", args: `[${from} ${value}]`, applied: false, result: "", unknown: false }
    op.unknown = op.f !== "read" && random() < unknownShare
    lines.push(`INFO jepsen.util - ${process} :invoke :${op.f} ${op.args}`)
    pending.set(process, op)
    started++
    continue
  }
  const ops = [...pending.values()]
  const op = ops[Math.floor(random() * ops.length)]!
  if (!op.applied) {
    op.applied = true
    if (op.unknown && random() < 0.5) continue
    if (op.f === "read") op.result = register === null ? "nil" : String(register)
    else if (op.f === "write") register = Number(op.args)
    else {
      const [from, to] = op.args.slice(1, -1).split(" ").map(Number)
      op.result = register === from ? "ok" : "fail"
      if (register === from) register = to!
    }
    continue
  }
  pending.delete(op.process)
  if (op.unknown) {
    lines.push(`INFO jepsen.util - ${op.process} :info :${op.f} ${op.args}`)
    idle.push(nextProcess++)
  } else {
    const type = op.f === "cas" ? op.result : "ok"
    const shown = op.f === "read" ? op.result : op.args
    lines.push(`INFO jepsen.util - ${op.process} :${type} :${op.f} ${shown}`)
    idle.push(op.process)
  }
}
writeFileSync(values.out, lines.join("\n") + "\n")
console.log(`${total} operations → ${values.out}`)
