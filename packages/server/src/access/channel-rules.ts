import { CONTROL_CHANNEL } from '../protocol/control.js'

/** Who may subscribe to, or publish on, a channel. */
export const AUDIENCES = ['everyone', 'members', 'owner', 'experiment'] as const
/**
 * - `everyone`: every admitted socket;
 * - `members`: the members the experiment recorded for this channel (`api.setMembers`); a channel
 *   without recorded members does not exist (4404);
 * - `owner`: the participant whose id the pattern's `{id}` captures, e.g. `participant_{id}_channel`;
 * - `experiment`: nobody but the server side. Subscribe `experiment` with publish `everyone` is a
 *   write-only inbox, such as the experiment channel where whispers pass.
 */
export type Audience = (typeof AUDIENCES)[number]

/** The rule of one channel, or of every channel a pattern matches. */
export interface ChannelRule {
  /**
   * An exact channel name, or a pattern: `*` stands for one or more characters, `{id}` for the id of
   * the participant that owns the channel (once at most, and required by `owner`).
   * @example 'broadcast_channel', 'room_*', 'participant_{id}_channel'
   */
  channel: string
  subscribe: Audience
  publish: Audience
  /**
   * Message types only the experiment may publish here, whoever else may publish: a participant's
   * JSON payload with one of these `type`s is refused with 4403, so nobody can forge a room
   * announcement or a roster.
   * @default none
   * @example ['roster', 'create_chatroom', 'close_chatroom']
   */
  experimentOnly?: readonly string[]
}

/** Channel rules in order: the first rule that matches a channel decides; a channel none matches is refused with 4404. */
export type ChannelRules = readonly ChannelRule[]

/**
 * Ready-made rules. `dallinger_control` stays the server's under every set of rules.
 * - `standard`: the channels Dallinger's documentation recommends, each for whom it is meant: a
 *   broadcast channel for all, the experiment's write-only inbox, private channels for their owner, and
 *   any other channel for the members the experiment gave it.
 * - `dallinger`: as Dallinger itself, for an unchanged Dallinger experiment's pages: anyone may
 *   subscribe and publish to any channel, including another participant's private channel.
 */
export const CHANNEL_PRESETS = {
  standard: [
    { channel: 'broadcast_channel', subscribe: 'everyone', publish: 'everyone' },
    { channel: 'experiment_channel', subscribe: 'experiment', publish: 'everyone' },
    { channel: 'participant_{id}_channel', subscribe: 'owner', publish: 'owner' },
    { channel: '*', subscribe: 'members', publish: 'members' },
  ],
  dallinger: [{ channel: '*', subscribe: 'everyone', publish: 'everyone' }],
} as const satisfies Record<string, ChannelRules>

export type ChannelPreset = keyof typeof CHANNEL_PRESETS

/** The rule that decides a channel, and the owner its `{id}` captured. */
export interface MatchedRule {
  rule: ChannelRule
  owner: string | undefined
}

/** Rules that cannot work: the message names the source, the entry (counted from 0) and what is wrong. */
export class ChannelRulesError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ChannelRulesError'
  }
}

interface Compiled {
  rule: ChannelRule
  exact: string | undefined
  pattern: RegExp | undefined
}

/** Channel rules checked once and compiled, then matched against every channel a socket names. */
export class ChannelRuleSet {
  readonly rules: ChannelRules
  /** Where the rules came from, e.g. `channel preset standard` or a file's path. */
  readonly source: string
  readonly #compiled: Compiled[]

  /** Throws a `ChannelRulesError` naming the first rule that cannot work. */
  constructor(rules: ChannelRules, source = 'channel rules') {
    if (!Array.isArray(rules)) throw new ChannelRulesError(`${source}: expected a list of rules, got ${JSON.stringify(rules)}`)
    this.rules = rules
    this.source = source
    this.#compiled = rules.map((rule: unknown, entry) => {
      const problem = problemOf(rule)
      if (problem) throw new ChannelRulesError(`${source}: entry ${entry} (${JSON.stringify(rule)}): ${problem}`)
      return compile(rule as ChannelRule)
    })
  }

  /** The rules as a table, for the server's start-up banner. */
  describe(): string {
    const width = Math.max(7, ...this.rules.map((r) => r.channel.length))
    const lines = this.rules.map((r) => {
      const only = r.experimentOnly?.length ? `  (types only the experiment sends: ${r.experimentOnly.join(', ')})` : ''
      return `  ${r.channel.padEnd(width)}  subscribe: ${r.subscribe.padEnd(10)}  publish: ${r.publish.padEnd(10)}${only}`.trimEnd()
    })
    return [`Channel rules (${this.source}), first match wins; any other channel is refused (4404):`, ...lines].join('\n')
  }

  /** The first rule for `channel`, or undefined when none matches. */
  match(channel: string): MatchedRule | undefined {
    for (const { rule, exact, pattern } of this.#compiled) {
      if (exact !== undefined) {
        if (exact === channel) return { rule, owner: undefined }
        continue
      }
      const found = pattern?.exec(channel)
      if (found) return { rule, owner: found[1] }
    }
    return undefined
  }

  /** The channels only `participantId` may read: the `owner` patterns without `*`, named for it (e.g. its private channel). */
  ownedBy(participantId: string | number): string[] {
    const named = this.rules.filter((r) => r.subscribe === 'owner' && !r.channel.includes('*')).map((r) => r.channel.replace('{id}', String(participantId)))
    return named.filter((channel) => this.match(channel)?.rule.subscribe === 'owner')
  }
}

const KEYS = ['channel', 'subscribe', 'publish', 'experimentOnly']

// Rules also come from files and JavaScript, so their shape is checked here, not only by the types.
function problemOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a rule is an object { channel, subscribe, publish }'
  const unknownKey = Object.keys(value).find((key) => !KEYS.includes(key))
  if (unknownKey !== undefined) return `unknown field "${unknownKey}" (a rule has ${KEYS.join(', ')})`
  const rule = value as Partial<Record<keyof ChannelRule, unknown>>
  const only = rule.experimentOnly
  if (only !== undefined && !(Array.isArray(only) && only.every((type) => typeof type === 'string' && type !== ''))) return 'experimentOnly must be a list of message types'
  const { channel } = rule
  if (typeof channel !== 'string') return 'channel must be a string'
  for (const verb of ['subscribe', 'publish'] as const) {
    if (!AUDIENCES.includes(rule[verb] as Audience)) return `${verb} must be one of ${AUDIENCES.join(', ')} (got ${JSON.stringify(rule[verb])})`
  }
  if (channel === '') return 'the channel is empty'
  if (channel.includes(':')) return 'a channel name cannot contain ":" (frames are split at the first colon)'
  if (channel === CONTROL_CHANNEL) return `${CONTROL_CHANNEL} is the server's own channel; no rule can open it`
  const placeholders = channel.match(/\{[^}]*\}?/g) ?? []
  const unknown = placeholders.find((p) => p !== '{id}')
  if (unknown) return `unknown placeholder ${unknown} (only {id} is known)`
  if (placeholders.length > 1) return '{id} can appear only once'
  if ((rule.subscribe === 'owner' || rule.publish === 'owner') && placeholders.length === 0) return '"owner" needs a pattern with {id}, such as participant_{id}_channel'
  return undefined
}

function compile(rule: ChannelRule): Compiled {
  if (!/[*{]/.test(rule.channel)) return { rule, exact: rule.channel, pattern: undefined }
  const source = rule.channel
    .split(/(\*|\{id\})/)
    .map((part) => (part === '*' ? '(?:.+)' : part === '{id}' ? '(.+)' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return { rule, exact: undefined, pattern: new RegExp(`^${source}$`, 's') }
}
