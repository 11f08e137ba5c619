import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CHANNEL_PRESETS, ChannelAccess, ChannelRuleSet, ChannelRulesError, MemoryState, RoomMembership, loadChannelRules } from '../src/index.js'
import type { ChannelRules } from '../src/index.js'

const access = (rules: ChannelRules) => {
  const rooms = new RoomMembership(new MemoryState())
  return { rooms, access: new ChannelAccess(new ChannelRuleSet(rules), rooms) }
}

describe('channel rules', () => {
  it('matches exact names and patterns, first match first, and captures the owner of {id}', () => {
    const rules = new ChannelRuleSet([
      { channel: 'room_lobby', subscribe: 'everyone', publish: 'experiment' },
      { channel: 'room_*', subscribe: 'members', publish: 'members' },
      { channel: 'player.{id}.inbox', subscribe: 'owner', publish: 'everyone' },
    ])
    expect(rules.match('room_lobby')?.rule.publish).toBe('experiment')
    expect(rules.match('room_7')?.rule.subscribe).toBe('members')
    // `*` stands for one or more characters; `.` in a pattern is a dot, not "any character".
    expect(rules.match('room_')).toBeUndefined()
    expect(rules.match('player.12.inbox')).toMatchObject({ owner: '12' })
    expect(rules.match('playerX12Xinbox')).toBeUndefined()
    expect(rules.match('chatroom')).toBeUndefined()
  })

  it('decides by audience: everyone, owner, members, experiment (an inbox is write-only), and unknown channels', async () => {
    const { access: standard, rooms } = access(CHANNEL_PRESETS.standard)
    expect(await standard.subscribe('1', 'broadcast_channel')).toEqual({ ok: true })
    expect(await standard.subscribe('1', 'experiment_channel')).toEqual({ ok: false, code: 4403, reason: 'experiment_channel is write-only' })
    expect(await standard.publish('1', 'experiment_channel', '{}')).toEqual({ ok: true })
    expect(await standard.subscribe('1', 'participant_1_channel')).toEqual({ ok: true })
    expect(await standard.publish('2', 'participant_1_channel', '{}')).toEqual({ ok: false, code: 4403, reason: 'only participant 1 may write to participant_1_channel' })
    expect(await standard.subscribe('1', 'chatroom')).toEqual({ ok: false, code: 4404, reason: 'no channel chatroom' })
    await rooms.set('chatroom', [1, '2'])
    expect(await standard.subscribe('2', 'chatroom')).toEqual({ ok: true })
    expect(await standard.publish('3', 'chatroom', '{}')).toEqual({ ok: false, code: 4403, reason: 'only members may write to chatroom' })
    expect(await standard.publish(null, 'chatroom', '{}')).toMatchObject({ ok: false, code: 4403 })
    const { access: closed } = access([{ channel: 'results', subscribe: 'experiment', publish: 'experiment' }])
    expect(await closed.subscribe('1', 'results')).toEqual({ ok: false, code: 4403, reason: 'only the experiment may read results' })
    expect(await closed.publish('1', 'results', '{}')).toEqual({ ok: false, code: 4403, reason: 'only the experiment may write to results' })
  })

  it('refuses the experiment-only message types of a channel from participants, whatever else they may send', async () => {
    const { access: guarded } = access([{ channel: 'broadcast_channel', subscribe: 'everyone', publish: 'everyone', experimentOnly: ['roster', 'create_chatroom'] }])
    expect(await guarded.publish('6', 'broadcast_channel', '{"type":"roster","participants":["6"]}')).toEqual({ ok: false, code: 4403, reason: 'only the experiment may send roster on broadcast_channel' })
    expect(await guarded.publish('6', 'broadcast_channel', '{"type":"chat","text":"roster"}')).toEqual({ ok: true })
    // Not JSON, or no type: relayed, as Dallinger relays anything.
    expect(await guarded.publish('6', 'broadcast_channel', 'create_chatroom')).toEqual({ ok: true })
    expect(() => new ChannelRuleSet([{ channel: 'a', subscribe: 'everyone', publish: 'everyone', experimentOnly: 'roster' }] as unknown as ChannelRules)).toThrow(/experimentOnly must be a list of message types/)
  })

  it('refuses a payload that names another participant as its sender or participant_id', async () => {
    const { access: standard } = access(CHANNEL_PRESETS.standard)
    expect(await standard.publish('6', 'experiment_channel', '{"type":"whisper","text":"hi","sender":"2","recipient":"3"}')).toEqual({ ok: false, code: 4403, reason: 'sender 2 is not you (participant 6)' })
    expect(await standard.publish('6', 'broadcast_channel', '{"type":"chat","text":"hi","participant_id":1}')).toEqual({ ok: false, code: 4403, reason: 'participant_id 1 is not you (participant 6)' })
    expect(await standard.publish(null, 'broadcast_channel', '{"sender":"1"}')).toMatchObject({ ok: false, code: 4403 })
    // Your own id, as a string or a number, or no claim at all: relayed.
    expect(await standard.publish('6', 'experiment_channel', '{"type":"whisper","text":"hi","sender":6,"recipient":"3"}')).toEqual({ ok: true })
    expect(await standard.publish('6', 'broadcast_channel', '{"type":"chat","text":"\\"sender\\": 2"}')).toEqual({ ok: true })
    // A key spelled with escapes is the same key; a payload only Python parses (NaN) is read as Python would.
    expect(await standard.publish('6', 'broadcast_channel', '{"type":"chat","text":"hi","s\\u0065nder":"8"}')).toMatchObject({ ok: false, code: 4403 })
    expect(await standard.publish('6', 'broadcast_channel', '{"type":"chat","sender":"8","x":NaN}')).toMatchObject({ ok: false, code: 4403 })
    expect(await standard.subscribe('6', 'switchboard:id:broadcast_channel')).toMatchObject({ ok: false, code: 4404 })
  })

  it('keeps dallinger_control the server’s under every preset, the dallinger one included', async () => {
    const { access: dallinger } = access(CHANNEL_PRESETS.dallinger)
    expect(await dallinger.subscribe(null, 'chatroom')).toEqual({ ok: true })
    expect(await dallinger.subscribe('2', 'participant_1_channel')).toEqual({ ok: true })
    expect(await dallinger.subscribe(null, 'dallinger_control')).toMatchObject({ ok: false, code: 4403 })
    expect(await dallinger.publish(null, 'dallinger_control', '{}')).toMatchObject({ ok: false, code: 4403 })
    expect(() => new ChannelRuleSet([{ channel: 'dallinger_control', subscribe: 'everyone', publish: 'everyone' }])).toThrow(/server's own channel/)
  })

  it('names the entry and what is wrong with it for rules that cannot work', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ channel: 'a', subscribe: 'all', publish: 'everyone' }, /entry 1 .*subscribe must be one of everyone, members, owner, experiment \(got "all"\)/],
      [{ channel: 'a', subscribe: 'everyone', publish: 'everyone', extra: 1 }, /entry 1 .*unknown field "extra"/],
      [{ channel: 'mine', subscribe: 'owner', publish: 'owner' }, /entry 1 .*"owner" needs a pattern with \{id\}/],
      [{ channel: 'p_{name}', subscribe: 'everyone', publish: 'everyone' }, /entry 1 .*unknown placeholder \{name\}/],
      [{ channel: '{id}_{id}', subscribe: 'owner', publish: 'owner' }, /entry 1 .*\{id\} can appear only once/],
      [{ channel: 'a:b', subscribe: 'everyone', publish: 'everyone' }, /entry 1 .*cannot contain ":"/],
      [{ channel: '', subscribe: 'everyone', publish: 'everyone' }, /entry 1 .*the channel is empty/],
      ['room_*', /entry 1 .*a rule is an object/],
    ]
    for (const [rule, message] of bad) {
      const rules = [{ channel: 'ok', subscribe: 'everyone', publish: 'everyone' }, rule] as unknown as ChannelRules
      expect(() => new ChannelRuleSet(rules, 'test rules')).toThrow(ChannelRulesError)
      expect(() => new ChannelRuleSet(rules, 'test rules')).toThrow(message)
    }
  })

  it('loads a preset by name or a JSON file, and says which file and entry is wrong', () => {
    expect(loadChannelRules('dallinger').rules).toEqual(CHANNEL_PRESETS.dallinger)
    const dir = mkdtempSync(join(tmpdir(), 'rules-'))
    const good = join(dir, 'good.json')
    writeFileSync(good, JSON.stringify({ channels: [{ channel: 'game_*', subscribe: 'everyone', publish: 'everyone' }] }))
    expect(loadChannelRules(good).match('game_1')).toBeDefined()
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ channels: [{ channel: 'game_*', subscribe: 'everyone', pubish: 'everyone' }] }))
    expect(() => loadChannelRules('typo.json', dir)).toThrow(/typo\.json: entry 0 .*unknown field "pubish"/)
    writeFileSync(join(dir, 'broken.json'), '{"channels": [')
    expect(() => loadChannelRules('broken.json', dir)).toThrow(/broken\.json: not JSON/)
    writeFileSync(join(dir, 'list.json'), '[]')
    expect(() => loadChannelRules('list.json', dir)).toThrow(/expected \{ "channels": \[ …rules \] \}/)
    expect(() => loadChannelRules('nowhere.json', dir)).toThrow(/neither a preset \(standard, dallinger\) nor a readable file/)
  })
})
