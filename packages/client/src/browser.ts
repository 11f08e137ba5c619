// The <script> tag entry: the IIFE build assigns these exports to `window.Switchboard`.
export * from './index.js'
export { createServerClock, ServerClock } from './clock.js'
export { ChannelPresence, watchPresence } from './presence.js'
