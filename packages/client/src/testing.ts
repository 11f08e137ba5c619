// @switchboard/client/testing: what a page's or bot's own tests need to run the SDK without a server.
export { FakeWebSocket } from './fake-web-socket.js'
export { FakeServer } from './fake-server.js'
export type { FakeServerOptions } from './fake-server.js'
