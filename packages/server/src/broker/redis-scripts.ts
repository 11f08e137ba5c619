/**
 * The Lua scripts of the Redis backend. Each runs atomically, so ids, history and delivery agree
 * across every server process: the id a message gets is the order in which subscribers see it.
 * Streams and their "dropped" marks are never deleted, only trimmed, so an empty history still knows
 * what it lost.
 */

// Trims KEYS[1] to ARGV[3] entries and ARGV[4] ms of age, recording the newest trimmed id in KEYS[3].
// (Redis's own max-deleted-entry-id counts XDEL only, not trimming.) And the epoch, KEYS[4]: when this
// Redis's history began, in ms. Ids from before it are unknown here (Redis lost its data).
const TRIM = `
local function epoch()
  local started = redis.call('GET', KEYS[4])
  if started then return started end
  local now = redis.call('TIME')
  started = tostring(tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
  redis.call('SET', KEYS[4], started)
  return started
end

local function trim(maxlen, maxage)
  local cut = nil
  local excess = redis.call('XLEN', KEYS[1]) - maxlen
  if excess > 0 then
    local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
    cut = gone[#gone][1]
    redis.call('XTRIM', KEYS[1], 'MAXLEN', maxlen)
  end
  local now = redis.call('TIME')
  local oldest = (tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - maxage) .. '-0'
  local old = redis.call('XREVRANGE', KEYS[1], '(' .. oldest, '-', 'COUNT', 1)
  if #old > 0 then
    cut = old[1][1]
    redis.call('XTRIM', KEYS[1], 'MINID', oldest)
  end
  if cut then redis.call('SET', KEYS[3], cut) end
end
`

/**
 * KEYS: history stream, sender session (the stream again when there is no sender), dropped mark, epoch.
 * ARGV: channel, data, max messages, max age ms, seq ('' when none), session ttl ms, id channel.
 * Drops a re-sent message (returns nil); else appends it to the stream, trims the stream, announces
 * the id on the id channel and then publishes the raw payload on the channel itself, exactly as
 * Dallinger does. A subscriber of both channels gets the id immediately before its payload.
 */
export const PUBLISH_SCRIPT = `${TRIM}
if ARGV[5] ~= '' then
  local seen = tonumber(redis.call('GET', KEYS[2]) or '0')
  if tonumber(ARGV[5]) <= seen then
    redis.call('PEXPIRE', KEYS[2], ARGV[6])
    return false
  end
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
end
epoch()
local id = redis.call('XADD', KEYS[1], '*', 'd', ARGV[2])
trim(tonumber(ARGV[3]), tonumber(ARGV[4]))
redis.call('PUBLISH', ARGV[7], id)
redis.call('PUBLISH', ARGV[1], ARGV[2])
return id
`

/**
 * KEYS: history stream, (unused), dropped mark, epoch. ARGV: since ('' for none), (unused), max messages, max age ms.
 * Returns { last id, newest dropped id, entries after since, epoch }.
 */
export const READ_SCRIPT = `${TRIM}
local started = epoch()
if redis.call('EXISTS', KEYS[1]) == 0 then return {'0-0', redis.call('GET', KEYS[3]) or '0-0', {}, started} end
trim(tonumber(ARGV[3]), tonumber(ARGV[4]))
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last = '0-0'
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then last = info[i + 1] end
end
local entries = {}
if ARGV[1] ~= '' then entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+') end
return {last, redis.call('GET', KEYS[3]) or '0-0', entries, started}
`
