export { Client, createClient, openChannel, privateChannelName } from './client.js'
export type { ChannelOptions, ClientOptions } from './client.js'
export { Chatrooms } from './rooms.js'
export type { ChatroomOptions } from './rooms.js'
export type {
  InferInput,
  InferOutput,
  MessageOf,
  MessageType,
  NoSchemas,
  OutgoingMessage,
  SchemaMap,
  StandardIssue,
  StandardResult,
  StandardSchemaV1,
} from './schema.js'
export { Channel } from './channel.js'
export type { ErrorListener, MessageHandler, MessageMeta, StateListener, Unsubscribe } from './handlers.js'
export type { ConnectionState, StateChange, StateReason } from './connection-state.js'
export { Receipt } from './receipt.js'
export type { SendStatus } from './receipt.js'
export type { Gap } from './resume.js'
export type { PongSample } from './heartbeat.js'
export type { OutboxStorage } from './outbox-store.js'
export type { CloseInfo, ConnectionOptions, LifecycleTarget, WebSocketConstructor } from './options.js'
export { CONNECTION_DEFAULTS, TERMINAL_CLOSE_CODES, defaultShouldReconnect } from './options.js'
export type { MessageFilter } from './filter.js'
export type { Identity } from './identity.js'
export type { Logger } from './logger.js'
export type { QueryParams } from './chat-url.js'
export { buildChatUrl } from './chat-url.js'
export { decodeFrame, encodeFrame } from './frame.js'
export type { DecodedFrame, Payload } from './frame.js'
export {
  ConnectionError,
  ListenerError,
  ProtocolError,
  SchemaError,
  SendError,
  SwitchboardError,
  UsageError,
  isSwitchboardError,
} from './errors.js'
export type { ErrorCode, SchemaIssue } from './errors.js'
export { compareMessageIds } from './message-id.js'
export type { MessageId } from './message-id.js'
