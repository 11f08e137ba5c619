// Identities are never reused: ids come from a clock-based counter, credentials carry their state's epoch.
import { describe, expect, it } from 'vitest'
import { Credentials, ID_ORIGIN_MS, MemoryState, silentLog, startServer } from '../src/index.js'
import { nextUniqueId } from '../src/state/unique-ids.js'
import { newParticipant, peer } from './ws-peer.js'

describe('unique ids', () => {
  it('start above the clock at the state’s birth, count up, and wait rather than run ahead of the clock', () => {
    const epoch = ID_ORIGIN_MS + 5000
    expect(nextUniqueId(undefined, epoch, epoch)).toEqual({ waitMs: 1 })
    expect(nextUniqueId(undefined, epoch, epoch + 1)).toEqual({ id: 5001 })
    expect(nextUniqueId(5001, epoch, epoch + 1)).toEqual({ waitMs: 1 })
    expect(nextUniqueId(5001, epoch, epoch + 10)).toEqual({ id: 5002 })
    // A later state starts above every id the earlier one could have given out by then.
    expect(nextUniqueId(undefined, epoch + 10, epoch + 11)).toEqual({ id: 5011 })
  })

  it('are never given out twice, by one state in a burst or by a state begun after another was lost', async () => {
    const first = new MemoryState()
    const burst = await Promise.all(Array.from({ length: 50 }, () => first.uniqueId('participant_ids')))
    expect(new Set(burst).size).toBe(50)
    // The first state is lost (its process killed); the next one begins at once.
    const second = new MemoryState()
    const after = await Promise.all(Array.from({ length: 50 }, () => second.uniqueId('participant_ids')))
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...burst))
  })
})

describe('credentials', () => {
  it('carry their epoch: valid in it, lost in a later state whatever its secret, ahead of a process behind, invalid when forged', async () => {
    const state = new MemoryState()
    const credentials = await Credentials.load(state, 'the secret')
    const token = credentials.issue(7)
    expect(token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/)
    expect(credentials.check('7', token)).toBe('valid')
    expect(credentials.check('8', token)).toBe('invalid')
    expect(credentials.check('7', `${token}=`)).toBe('invalid')
    expect(credentials.check('7', token.slice(token.indexOf('.') + 1))).toBe('invalid')
    // The same secret after a restart that lost the state: the old token is recognised as lost, not valid.
    const later = Credentials.of('the secret', credentials.epochMs + 1000)
    expect(later.check('7', token)).toBe('lost')
    expect(Credentials.of('another secret', credentials.epochMs + 1000).check('7', token)).toBe('lost')
    // A token from a newer epoch than this process knows: the process is behind (it checks the state again).
    expect(Credentials.of('the secret', credentials.epochMs - 1000).check('7', token)).toBe('ahead')
  })

  it('after a restart in memory mode with the same SWITCHBOARD_SECRET, nobody becomes an earlier participant', async () => {
    process.env.SWITCHBOARD_SECRET = 'kept across the restart'
    const before = await startServer({ log: silentLog })
    const a = await newParticipant(before.url)
    const port = before.port
    await before.close()
    const after = await startServer({ log: silentLog, port })
    try {
      const refused = await peer(after.url, a.query('broadcast_channel'))
      expect(await refused.closed).toEqual({ code: 4410, reason: expect.stringContaining('start again as a new participant') })
      const newcomer = await newParticipant(after.url)
      expect(Number(newcomer.id)).toBeGreaterThan(Number(a.id))
      // The newcomer's own credential does not open the earlier participant's channel either.
      const intruder = await peer(after.url, { channel: `participant_${a.id}_channel`, participant_id: newcomer.id, token: newcomer.token })
      expect((await intruder.closed).code).toBe(4403)
    } finally {
      delete process.env.SWITCHBOARD_SECRET
      await after.close()
    }
  })
})
