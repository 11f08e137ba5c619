// The sockets and distinct channels of each participant, against its limits; the budget its sockets share.
import { describe, expect, it } from 'vitest'
import { SocketQuota } from '../src/access/socket-quota.js'

const limits = { connectionsPerParticipant: 3, channelsPerParticipant: 2, participantFramesPerSecond: 10, participantBytesPerSecond: 1000 }

describe('socket quota', () => {
  it('counts distinct channels, not sockets, and frees a channel only when its last socket goes', () => {
    const quota = new SocketQuota(limits)
    quota.enter('7', 'a')
    quota.enter('7', 'a')
    expect(quota.exceededBy('7', 'b')).toBeUndefined()
    quota.enter('7', 'b')
    expect(quota.exceededBy('7', 'a')).toBe('more than 3 sockets for one participant')
    quota.leave('7', 'a')
    expect(quota.exceededBy('7', 'a')).toBeUndefined()
    expect(quota.exceededBy('7', 'c')).toBe('more than 2 channels for one participant')
    quota.leave('7', 'a')
    expect(quota.exceededBy('7', 'c')).toBeUndefined()
    // Another participant's channels are its own.
    quota.enter('8', 'a')
    expect(quota.exceededBy('8', 'c')).toBeUndefined()
  })

  it('gives all of a participant\'s sockets one budget, made when first asked for, and none to a participant without sockets', () => {
    const quota = new SocketQuota(limits)
    expect(quota.budget('7')).toBeUndefined()
    expect(quota.budget(null)).toBeUndefined()
    quota.enter('7', 'a')
    quota.enter('7', 'b')
    const budget = quota.budget('7')
    expect(budget).toBeDefined()
    expect(quota.budget('7')).toBe(budget)
    quota.leave('7', 'a')
    quota.leave('7', 'b')
    expect(quota.budget('7')).toBeUndefined()
    quota.enter('7', 'a')
    expect(quota.budget('7')).not.toBe(budget)
  })
})
