/**
 * The channels a participant opened sockets on: most open one only, and that one is kept as the string
 * itself (shared with its sockets) rather than in an array of its own, which would cost every participant
 * an array and its backing store.
 */
export type OpenedOn = string | readonly string[]
export const NONE_OPENED: OpenedOn = []
export const openedOn = (channels: OpenedOn, channel: string): boolean => (typeof channels === 'string' ? channels === channel : channels.includes(channel))
export const channelCount = (channels: OpenedOn): number => (typeof channels === 'string' ? 1 : channels.length)
export const withChannel = (channels: OpenedOn, channel: string): OpenedOn => (typeof channels === 'string' ? [channels, channel] : channels.length === 0 ? channel : [...channels, channel])
