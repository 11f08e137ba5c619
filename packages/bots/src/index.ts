// @switchboard/bots: every public export, by name.
export { Bot } from './bot.js'
export type { BotOptions, BotStats } from './bot.js'
export { Ledger } from './ledger.js'
export type { Sent } from './ledger.js'
export { buildReport, formatReport } from './report.js'
export type { BotReport } from './report.js'
export { runBots } from './run-bots.js'
export type { BotScript, Progress, RunOptions } from './run-bots.js'
