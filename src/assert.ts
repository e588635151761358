/**
 * The one way code in this repository fails on a broken internal invariant: `assert(condition, what)`. A failed
 * assertion is a bug report, never a refusal of bad input (bad input gets a typed value or a `Data.TaggedError`
 * with a reason a person can act on). The message names what broke; the simulator adds the seed.
 *
 * A leaf module with no imports beyond Effect, so that every layer — protocol, storage, model, simulator, node —
 * may use it without an import pointing the wrong way.
 */
import { Data } from "effect"

/** An internal invariant does not hold: a bug in the code that asserted it. */
export class AssertionFailure extends Data.TaggedError("AssertionFailure")<{ readonly message: string }> {}

/**
 * Throws an AssertionFailure naming what broke. `what` is a sentence stating the invariant ("the commit index never
 * decreases"); pass a function when building the text costs something, so that a passing assertion costs nothing.
 * Where an assertion runs once per record or entry of a whole WAL, even that function is an allocation per call
 * (thousands on a restart): there, test the condition first and call `assert(false, text)` only when it fails.
 */
export function assert(condition: boolean, what: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionFailure({ message: typeof what === "string" ? what : what() })
}
