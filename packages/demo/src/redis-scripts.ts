/**
 * The Lua scripts of the Redis backend. Each runs atomically, so ids, history and delivery agree
 * across every server process: the id a message gets is the order in which subscribers see it.
 */

/**
 * KEYS: history stream, sender session (the stream again when there is no sender).
 * ARGV: channel, data, max messages, max age ms, seq ('' when none), session ttl ms, id channel.
 * Drops a re-sent message (returns nil); else appends it to the stream, trims the stream by count and
 * age, announces the id on the id channel and then publishes the raw payload on the channel itself,
 * exactly as Dallinger does. A subscriber of both gets the id immediately before its payload.
 */
export const PUBLISH_SCRIPT = `
if ARGV[5] ~= '' then
  local seen = tonumber(redis.call('GET', KEYS[2]) or '0')
  if tonumber(ARGV[5]) <= seen then
    redis.call('PEXPIRE', KEYS[2], ARGV[6])
    return false
  end
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], '*', 'd', ARGV[2])
local now = redis.call('TIME')
redis.call('XTRIM', KEYS[1], 'MINID', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[4]))
redis.call('PUBLISH', ARGV[7], id)
redis.call('PUBLISH', ARGV[1], ARGV[2])
return id
`

/**
 * KEYS: history stream. ARGV: since ('' for none), max age ms.
 * Returns { last id, newest dropped id, entries after since }. Streams are never deleted, so an
 * empty one still knows its last and dropped ids; a missing one never had a message.
 */
export const READ_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'0-0', '0-0', {}} end
local now = redis.call('TIME')
redis.call('XTRIM', KEYS[1], 'MINID', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[2]))
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last, dropped = '0-0', '0-0'
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then last = info[i + 1] end
  if info[i] == 'max-deleted-entry-id' then dropped = info[i + 1] end
end
local entries = {}
if ARGV[1] ~= '' then entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+') end
return {last, dropped, entries}
`
