import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Channel } from '../src/channel.js'
import { UsageError } from '../src/errors.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, nextSocket, record } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('joinChatrooms', () => {
  async function setup() {
    const client = fakeClient()
    const broadcast = client.openChannel('broadcast_channel')
    const socket = await nextSocket()
    socket.open()
    const rooms = client.joinChatrooms(broadcast)
    const joined: string[] = []
    const left: string[] = []
    rooms.onJoin((room) => joined.push(room.name))
    rooms.onLeave((name) => left.push(name))
    return { client, broadcast, socket, rooms, joined, left }
  }

  it('opens a room listing this participant, once, and not a room without it', async () => {
    const { client, socket, rooms, joined } = await setup()
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_1","participant_ids":[3,"7"]}')
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_1","participant_ids":[3,7]}')
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_2","participant_ids":[3,4]}')
    expect(joined).toEqual(['room_1'])
    expect([...rooms.rooms.keys()]).toEqual(['room_1'])
    expect(client.channel('room_1')?.state).toBe('connecting')
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeWebSocket.instances.map((s) => new URL(s.url).searchParams.get('channel'))).toEqual(['broadcast_channel', 'room_1'])
  })

  it('ignores announcements of channels a room cannot be: a private channel, the control channel', async () => {
    const { socket, rooms, joined } = await setup()
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"participant_4_channel","participant_ids":[7]}')
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"dallinger_control","participant_ids":[7]}')
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_3","participant_ids":[7]}')
    expect(joined).toEqual(['room_3'])
    expect([...rooms.rooms.keys()]).toEqual(['room_3'])
  })

  it('closes a room on close_chatroom and can join it again later', async () => {
    const { rooms, socket, joined, left } = await setup()
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_1","participant_ids":[7]}')
    const room = rooms.rooms.get('room_1') as Channel
    socket.receive('broadcast_channel:{"type":"close_chatroom","chatroom":"room_1"}')
    expect(room.state).toBe('closed')
    expect(left).toEqual(['room_1'])
    expect(rooms.rooms.size).toBe(0)
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_1","participant_ids":[7]}')
    expect(joined).toEqual(['room_1', 'room_1'])
  })

  it('ignores malformed announcements and stops on request', async () => {
    const { rooms, socket, joined } = await setup()
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":5,"participant_ids":[7]}')
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"x","participant_ids":"7"}')
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_9","participant_ids":[7]}')
    rooms.stop({ closeRooms: true })
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_10","participant_ids":[7]}')
    expect(joined).toEqual(['room_9'])
    expect(rooms.rooms.size).toBe(0)
  })

  it('reports a throwing join listener on the broadcast channel and still calls the others', async () => {
    const { broadcast, rooms, socket, joined } = await setup()
    const { errors } = record(broadcast)
    rooms.onJoin(() => {
      throw new Error('page bug')
    })
    const after: string[] = []
    rooms.onJoin((room) => after.push(room.name))
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room_1","participant_ids":[7]}')
    expect(joined).toEqual(['room_1'])
    expect(after).toEqual(['room_1'])
    expect(errors.map((e) => e.code)).toEqual(['LISTENER_FAILED'])
  })

  it('needs a participant id', () => {
    const client = fakeClient({ identity: {} })
    expect(() => client.joinChatrooms(client.openChannel('b'))).toThrow(UsageError)
  })
})

describe('openPrivateChannel', () => {
  it("opens participant_<id>_channel for the own id", async () => {
    const inbox = fakeClient().openPrivateChannel()
    expect(inbox.name).toBe('participant_7_channel')
    expect((await nextSocket()).url).toContain('channel=participant_7_channel&')
  })

  it('throws a clear usage error without an id', () => {
    expect(() => fakeClient({ identity: { workerId: 'w' } }).openPrivateChannel()).toThrow(/needs identity.participantId/)
  })
})
