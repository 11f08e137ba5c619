/**
 * Every message of the coordination game, as zod schemas. The experiment validates what players send
 * with them; the Node bot and the test hand them to the client, which then types its handlers.
 */
import { z } from 'zod'

export const COLOURS = ['red', 'green', 'blue'] as const
export const ROUNDS = 3

const colour = z.enum(COLOURS)
const id = z.union([z.string().min(1), z.number().int()])

// A player to the experiment, on experiment_channel.
/** My pick for this round. */
export const PickSchema = z.object({ type: z.literal('pick'), round: z.number().int().min(1).max(ROUNDS), colour, sender: id })

// The experiment to one player, on participant_<id>_channel.
/** You have a partner: the game begins at round 1. */
export const StartSchema = z.object({ type: z.literal('start'), partner: z.string(), rounds: z.number().int(), colours: z.array(colour) })
/** Your pick is in; your partner's is not shown until theirs is in too. */
export const PickedSchema = z.object({ type: z.literal('picked'), round: z.number().int(), colour })
/** Both picks are in: yours, your partner's, and whether they match. */
export const RevealSchema = z.object({ type: z.literal('reveal'), round: z.number().int(), yours: colour, theirs: colour, match: z.boolean() })
/** The next round begins. */
export const RoundSchema = z.object({ type: z.literal('round'), round: z.number().int() })
/** The game is over: how many rounds matched. */
export const FinishedSchema = z.object({ type: z.literal('finished'), matches: z.number().int(), rounds: z.number().int() })
/** Your partner left before the end. */
export const PartnerLeftSchema = z.object({ type: z.literal('partner_left') })

/** Everything a player receives or sends, by type, for `createClient({ schemas })`. */
export const gameSchemas = {
  pick: PickSchema,
  start: StartSchema,
  picked: PickedSchema,
  reveal: RevealSchema,
  round: RoundSchema,
  finished: FinishedSchema,
  partner_left: PartnerLeftSchema,
}

export type Colour = z.infer<typeof colour>
export type PickMessage = z.infer<typeof PickSchema>
export type ToPlayer =
  | z.infer<typeof StartSchema>
  | z.infer<typeof PickedSchema>
  | z.infer<typeof RevealSchema>
  | z.infer<typeof RoundSchema>
  | z.infer<typeof FinishedSchema>
  | z.infer<typeof PartnerLeftSchema>
