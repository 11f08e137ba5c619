import type { Broker } from '../broker/broker.js'

/** What a channel's plain sockets share: one broker subscription, ready or on its way. */
interface Group<T> {
  /** The channel's name, one string that every member's connection can share. */
  channel: string
  members: Set<T>
  subscribed: Promise<void>
  /** Bytes written to every member since their backlogs were last checked. */
  unchecked: number
  /** Set once the broker subscription is made; called when the last member leaves. */
  unsubscribe: (() => void) | undefined
  /** The last member left before the subscription was made: it is undone as soon as it is. */
  abandoned: boolean
}

/**
 * The plain sockets of each channel behind a single broker subscription: a message is framed once for
 * the channel (`channel:payload`, as UTF-8 bytes) and handed to `write` for each socket, so the work per
 * socket is the write alone. A member receives from the moment it joins, as a broker listener would.
 * Every member gets every frame, so their backlogs need looking at only once `checkEveryBytes` more
 * have gone to each: a slow reader is seen at most that many bytes late.
 */
export class PlainFanout<T> {
  private readonly groups = new Map<string, Group<T>>()

  constructor(
    private readonly broker: Broker,
    /** Writes a frame to one member, looking at its backlog first when `check`; it must not throw. */
    private readonly write: (member: T, frame: Buffer, check: boolean) => void,
    /** The broker lost messages of `channel` that history no longer held, for `sockets` plain sockets. */
    private readonly onGap: (sockets: number) => void,
    private readonly checkEveryBytes = 0,
  ) {}

  /** Adds `member` to `channel`'s sockets; resolves once the channel's subscription is made. */
  async join(channel: string, member: T): Promise<void> {
    const group = this.groups.get(channel) ?? this.open(channel)
    group.members.add(member)
    try {
      await group.subscribed
    } catch (error) {
      group.members.delete(member)
      throw error
    }
  }

  /**
   * `channel` as the string its group already holds, if it has one: equal, but one copy for all of the
   * channel's sockets instead of one each (query strings are parsed anew for every socket).
   */
  shared(channel: string): string {
    return this.groups.get(channel)?.channel ?? channel
  }

  /** Takes `member` off `channel`; the last one out ends the subscription. */
  leave(channel: string, member: T): void {
    const group = this.groups.get(channel)
    if (!group?.members.delete(member) || group.members.size > 0) return
    this.groups.delete(channel)
    if (group.unsubscribe) group.unsubscribe()
    else group.abandoned = true
  }

  private open(channel: string): Group<T> {
    const members = new Set<T>()
    const group: Group<T> = { channel, members, unchecked: 0, subscribed: Promise.resolve(), unsubscribe: undefined, abandoned: false }
    const deliver = (data: string): void => {
      const frame = Buffer.from(`${channel}:${data}`)
      group.unchecked += frame.length
      const check = group.unchecked > this.checkEveryBytes
      if (check) group.unchecked = 0
      for (const member of members) this.write(member, frame, check)
    }
    group.subscribed = this.broker.subscribe(channel, deliver, () => this.onGap(members.size)).then(
      (unsubscribe) => {
        if (group.abandoned) return unsubscribe()
        group.unsubscribe = unsubscribe
      },
      (error: unknown) => {
        if (this.groups.get(channel) === group) this.groups.delete(channel)
        throw error
      },
    )
    // Its joiners handle a failure; the group itself only forgets it.
    group.subscribed.catch(() => {})
    this.groups.set(channel, group)
    return group
  }
}
