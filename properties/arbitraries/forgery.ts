/**
 * Forged peer messages for the byzantine scenarios, drawn through the simulator's adversary so that the
 * property suite and `faultline sim` attack with the same messages.
 */
import { forge, type AttackKind, type Forgery } from "../../src/sim/adversary.ts"
import { SimRandom } from "../../src/schedule/random.ts"

/** The replica's default bound on entries per message (src/protocol/config.ts). */
const maxEntriesPerMessage = 64

export const forgedMessage = (kind: AttackKind, variant: number, replicas: number, to: number): Forgery =>
  forge(kind, new SimRandom(variant, "forge"), to, replicas, maxEntriesPerMessage)
