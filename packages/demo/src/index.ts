// @switchboard/demo: the demo chat experiment, its messages and its server, by name.
export { startDemoServer } from './demo-server.js'
export type { DemoServer, DemoServerOptions } from './demo-server.js'
export { ChatExperiment } from './chat-experiment.js'
export {
  AssignmentSchema,
  BROADCAST_CHANNEL,
  ChatSchema,
  CloseChatroomSchema,
  CreateChatroomSchema,
  EXPERIMENT_CHANNEL,
  RosterSchema,
  WhisperSchema,
  demoSchemas,
  privateChannel,
} from './messages.js'
export type { AssignmentMessage, ChatMessage, CloseChatroomMessage, CreateChatroomMessage, RosterMessage, WhisperMessage } from './messages.js'
