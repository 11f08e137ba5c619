import { afterEach, describe, expect, it } from 'vitest'
import { buildChatUrl, defaultEndpoint } from '../src/chat-url.js'
import { UsageError } from '../src/errors.js'
import { resolveIdentity, sameId } from '../src/identity.js'

describe('buildChatUrl', () => {
  it('puts channel, worker_id and participant_id in that order', () => {
    expect(buildChatUrl('ws://h/chat', 'broadcast_channel', { workerId: 'w1', participantId: 3 })).toBe(
      'ws://h/chat?channel=broadcast_channel&worker_id=w1&participant_id=3',
    )
  })

  it('URL-encodes every value', () => {
    const url = buildChatUrl('ws://h/chat', 'room a&b=c', { workerId: 'A+B/ü 1', participantId: '#7' })
    expect(url).toBe('ws://h/chat?channel=room%20a%26b%3Dc&worker_id=A%2BB%2F%C3%BC%201&participant_id=%237')
    const parsed = new URL(url)
    expect(parsed.searchParams.get('channel')).toBe('room a&b=c')
    expect(parsed.searchParams.get('worker_id')).toBe('A+B/ü 1')
    expect(parsed.searchParams.get('participant_id')).toBe('#7')
  })

  it('leaves missing ids out, never writing "undefined"', () => {
    for (const identity of [{}, { workerId: null, participantId: undefined }, { workerId: '', participantId: 'undefined' }, { participantId: 'null' }]) {
      const url = buildChatUrl('ws://h/chat', 'c', identity)
      expect(url).toBe('ws://h/chat?channel=c')
    }
  })

  it('appends extra parameters and keeps an existing query', () => {
    expect(buildChatUrl('ws://h/chat?tolerance=0.05', 'c', { participantId: 1 }, { token: 'x y', skip: undefined })).toBe(
      'ws://h/chat?tolerance=0.05&channel=c&participant_id=1&token=x%20y',
    )
  })
})

describe('defaultEndpoint', () => {
  it('follows the page protocol and host', () => {
    expect(defaultEndpoint({ protocol: 'http:', host: 'localhost:5000' })).toBe('ws://localhost:5000/chat')
    expect(defaultEndpoint({ protocol: 'https:', host: 'example.org' })).toBe('wss://example.org/chat')
  })

  it('asks for a url where there is no page', () => {
    expect(() => defaultEndpoint(undefined)).toThrow(UsageError)
  })
})

describe('identity', () => {
  afterEach(() => {
    delete (globalThis as { dallinger?: unknown }).dallinger
  })

  it('prefers explicit ids and normalises them to strings', () => {
    expect(resolveIdentity({ workerId: 'w', participantId: 4 })).toEqual({ workerId: 'w', participantId: '4' })
  })

  it('falls back to window.dallinger.identity, read at call time', () => {
    expect(resolveIdentity()).toEqual({ workerId: undefined, participantId: undefined })
    ;(globalThis as { dallinger?: unknown }).dallinger = { identity: { workerId: 'W9', participantId: 9, hitId: 'h' } }
    expect(resolveIdentity()).toEqual({ workerId: 'W9', participantId: '9' })
  })

  it('compares ids as strings or numbers', () => {
    expect(sameId(7, '7')).toBe(true)
    expect(sameId('7', 7)).toBe(true)
    expect(sameId(7, 8)).toBe(false)
    expect(sameId(undefined, undefined)).toBe(false)
  })
})
