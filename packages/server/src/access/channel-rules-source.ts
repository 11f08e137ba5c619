import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CHANNEL_PRESETS, ChannelRuleSet, ChannelRulesError } from './channel-rules.js'
import type { ChannelPreset } from './channel-rules.js'

/** A preset's name. */
export function isChannelPreset(name: string): name is ChannelPreset {
  return Object.hasOwn(CHANNEL_PRESETS, name)
}

/**
 * Channel rules from a preset's name (`standard`, `dallinger`) or a JSON file
 * `{ "channels": [ { "channel": "room_*", "subscribe": "members", "publish": "members" }, … ] }`.
 * Throws a `ChannelRulesError` that names the file and the bad entry.
 * @example loadChannelRules(process.env.CHANNEL_RULES ?? 'standard')
 */
export function loadChannelRules(spec: string, cwd = process.cwd()): ChannelRuleSet {
  if (isChannelPreset(spec)) return new ChannelRuleSet(CHANNEL_PRESETS[spec], `channel preset ${spec}`)
  const file = resolve(cwd, spec)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const presets = Object.keys(CHANNEL_PRESETS).join(', ')
    throw new ChannelRulesError(`channel rules ${spec}: neither a preset (${presets}) nor a readable file (${(error as Error).message})`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ChannelRulesError(`channel rules ${file}: not JSON (${(error as Error).message})`)
  }
  const channels = (parsed as { channels?: unknown } | null)?.channels
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(channels)) {
    throw new ChannelRulesError(`channel rules ${file}: expected { "channels": [ …rules ] }`)
  }
  return new ChannelRuleSet(channels, `channel rules ${file}`)
}
