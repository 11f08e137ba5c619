/**
 * The Lua scripts of the Redis backend. Each runs atomically, so ids, history and delivery agree
 * across every server process: the id a message gets is the order in which subscribers see it.
 * A channel's stream and its "dropped" mark are trimmed, never deleted, so an empty history still
 * knows what it lost; only the server-wide bounds forget a channel whole, and then its newest id
 * raises the "forgotten" mark, which counts as dropped for every channel that has no stream.
 *
 * Both scripts take the same KEYS: 1 history stream, 2 sender session (the stream again when there is
 * none), 3 dropped mark, 4 epoch, 5 channels by last write (sorted set, ms), 6 bytes per channel
 * (hash), 7 bytes in all, 8 forgotten mark. And the same ARGV: 1 channel, 2 data (PUBLISH) or since
 * ('' for none, READ), 3 max messages, 4 max age ms, 5 seq ('' when none), 6 session ttl ms, 7 id
 * channel, 8 max bytes in all, 9 max channels, 10 key prefix, 11 overhead bytes per message, 12 max
 * messages replayed, 13 max bytes replayed, 14 the participant bound to the sending socket (PUBLISH; '' for none),
 * 15 '1' to adopt (PUBLISH): the payload was published raw by another program and every subscriber
 * has it already; it gets its id and its place in history, and ARGV[7] (then the adopted channel)
 * carries "<id> <payload>", with no raw publish; 16 the adopter's lease key and 17 this holder (adopt:
 * nothing is stored unless the lease is still this holder's).
 *
 * Eviction reaches the keys of other channels, named from the prefix: fine on one Redis (what the
 * backend supports), not on a Redis Cluster.
 */
const COMMON = `
local channel = ARGV[1]
local prefix = ARGV[10]
local overhead = tonumber(ARGV[11])

local function nowMs()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
end

-- When this Redis's history began, in ms. Ids from before it are unknown here (Redis lost its data).
local function epoch()
  local started = redis.call('GET', KEYS[4])
  if started then return started end
  started = string.format('%.0f', nowMs())
  redis.call('SET', KEYS[4], started)
  return started
end

local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end

-- The later of two ids, either of which may be false (a missing key).
local function later(a, b)
  if not a then return b end
  if not b then return a end
  local am, as = parse(a)
  local bm, bs = parse(b)
  if am > bm or (am == bm and as >= bs) then return a end
  return b
end

local function account(name, delta)
  if delta == 0 then return end
  redis.call('HINCRBY', KEYS[6], name, delta)
  redis.call('INCRBY', KEYS[7], delta)
end

-- The cost of KEYS[1]'s oldest entries, up to 'stop' and at most 'count' of them, read in batches so
-- that a long stretch of 64 KB messages never sits in memory at once. Returns it and the newest id.
local function stretch(stop, count)
  local sum, newest, start = 0, nil, '-'
  while count > 0 do
    local batch = redis.call('XRANGE', KEYS[1], start, stop, 'COUNT', math.min(count, 64))
    if #batch == 0 then break end
    for _, entry in ipairs(batch) do sum = sum + #entry[2][2] + overhead end
    newest = batch[#batch][1]
    start = '(' .. newest
    count = count - #batch
  end
  return sum, newest
end

-- Trims KEYS[1] to maxlen entries and maxage ms of age, recording the newest trimmed id in KEYS[3].
-- (Redis's own max-deleted-entry-id counts XDEL only, not trimming.)
local function trim(maxlen, maxage)
  local cut = nil
  local excess = redis.call('XLEN', KEYS[1]) - maxlen
  if excess > 0 then
    local cost, newest = stretch('+', excess)
    account(channel, -cost)
    cut = newest
    redis.call('XTRIM', KEYS[1], 'MAXLEN', maxlen)
  end
  local oldest = string.format('%.0f', nowMs() - maxage) .. '-0'
  local cost, newest = stretch('(' .. oldest, math.huge)
  if newest then
    account(channel, -cost)
    cut = newest
    redis.call('XTRIM', KEYS[1], 'MINID', oldest)
  end
  if cut then redis.call('SET', KEYS[3], cut) end
end

-- Forgets a channel whole: its stream, mark and counts go, and its newest id raises the forgotten mark.
local function forget(name)
  local stream, dropped = prefix .. 'history:' .. name, prefix .. 'dropped:' .. name
  local last = redis.call('GET', dropped)
  if redis.call('EXISTS', stream) == 1 then
    local info = redis.call('XINFO', 'STREAM', stream)
    for i = 1, #info, 2 do
      if info[i] == 'last-generated-id' then last = info[i + 1] end
    end
  end
  if last then redis.call('SET', KEYS[8], later(redis.call('GET', KEYS[8]), last)) end
  account(name, -tonumber(redis.call('HGET', KEYS[6], name) or '0'))
  redis.call('HDEL', KEYS[6], name)
  redis.call('ZREM', KEYS[5], name)
  redis.call('DEL', stream, dropped)
end

-- The channel written least recently; the current one only when it is the only one.
local function leastRecent()
  local two = redis.call('ZRANGE', KEYS[5], 0, 1)
  if two[1] ~= channel then return two[1] end
  return two[2] or two[1]
end

-- Back under the server-wide bounds: the channel written least recently loses its oldest messages,
-- and is forgotten once it has none (or at once, past max channels); the current one gives way last.
local function evict(maxbytes, maxchannels)
  while redis.call('ZCARD', KEYS[5]) > maxchannels do forget(leastRecent()) end
  while tonumber(redis.call('GET', KEYS[7]) or '0') > maxbytes do
    local name = leastRecent()
    if not name then break end
    local stream = prefix .. 'history:' .. name
    local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
    if #oldest == 0 then
      if name == channel then break end
      forget(name)
    else
      redis.call('XDEL', stream, oldest[1][1])
      redis.call('SET', prefix .. 'dropped:' .. name, oldest[1][1])
      account(name, -(#oldest[1][2][2] + overhead))
      if name ~= channel and redis.call('XLEN', stream) == 0 then forget(name) end
    end
  end
end
`

/**
 * Drops a re-sent message (returns nil); else appends it to the stream, trims the stream, keeps the
 * server-wide bounds, announces the id on the id channel and then publishes the raw payload on the
 * channel itself, exactly as Dallinger does. A subscriber of both channels gets the id immediately
 * before its payload.
 */
export const PUBLISH_SCRIPT = `${COMMON}
if ARGV[5] ~= '' then
  local seen = tonumber(redis.call('GET', KEYS[2]) or '0')
  if tonumber(ARGV[5]) <= seen then
    redis.call('PEXPIRE', KEYS[2], ARGV[6])
    return false
  end
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
end
-- Adopting only while this process still holds the adopter's lease (ARGV[16] the key, ARGV[17] the
-- holder): one that stalled past its lease stores nothing its successor may store too.
if ARGV[15] == '1' and redis.call('GET', ARGV[16]) ~= ARGV[17] then return false end
epoch()
local id = '*'
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- A new stream (or one deleted behind our back): nothing of it is counted any more.
  account(channel, -tonumber(redis.call('HGET', KEYS[6], channel) or '0'))
  local forgotten = redis.call('GET', KEYS[8])
  if forgotten then
    -- Its ids up to the forgotten mark are unknown, not free: they count as dropped, and new ones come after.
    redis.call('SET', KEYS[3], later(redis.call('GET', KEYS[3]), forgotten))
    local ms, seq = parse(forgotten)
    if nowMs() <= ms then id = string.format('%.0f-%.0f', ms, seq + 1) end
  end
end
-- The sending participant is kept with the message, for a reader that catches up (the experiment after a restart).
if ARGV[14] and ARGV[14] ~= '' then id = redis.call('XADD', KEYS[1], id, 'd', ARGV[2], 'f', ARGV[14]) else id = redis.call('XADD', KEYS[1], id, 'd', ARGV[2]) end
account(channel, #ARGV[2] + overhead)
redis.call('ZADD', KEYS[5], nowMs(), channel)
trim(tonumber(ARGV[3]), tonumber(ARGV[4]))
evict(tonumber(ARGV[8]), tonumber(ARGV[9]))
if ARGV[15] == '1' then
  redis.call('PUBLISH', ARGV[7], id .. ' ' .. ARGV[2])
  return id
end
-- The id, and the participant bound to the sending socket when there is one (ARGV[14]).
if ARGV[14] and ARGV[14] ~= '' then redis.call('PUBLISH', ARGV[7], id .. ' ' .. ARGV[14]) else redis.call('PUBLISH', ARGV[7], id) end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return id
`

/**
 * Returns { last id, newest dropped id, entries after since (oldest first), epoch, cut }. The entries
 * are the newest that fit the replay bounds, read newest first in batches; cut is the newest id left
 * out ('' when none), which the reader counts as dropped.
 */
export const READ_SCRIPT = `${COMMON}
local started = epoch()
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'0-0', later(redis.call('GET', KEYS[3]), redis.call('GET', KEYS[8])) or '0-0', {}, started, ''}
end
trim(tonumber(ARGV[3]), tonumber(ARGV[4]))
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last = '0-0'
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then last = info[i + 1] end
end
local entries, cut = {}, ''
if ARGV[2] ~= '' then
  local maxn, maxb = tonumber(ARGV[12]), tonumber(ARGV[13])
  local newest, bytes, start = {}, 0, '+'
  while cut == '' do
    local batch = redis.call('XREVRANGE', KEYS[1], start, '(' .. ARGV[2], 'COUNT', 64)
    if #batch == 0 then break end
    for _, entry in ipairs(batch) do
      bytes = bytes + #entry[2][2]
      if #newest >= maxn or bytes > maxb then
        cut = entry[1]
        break
      end
      newest[#newest + 1] = entry
    end
    start = '(' .. batch[#batch][1]
  end
  for i = #newest, 1, -1 do entries[#entries + 1] = newest[i] end
end
return {last, redis.call('GET', KEYS[3]) or '0-0', entries, started, cut}
`

/**
 * KEYS: the sender session. ARGV: seq, session ttl ms. Raises the session's high-water mark to seq, as
 * a publish would, without publishing: the frame was refused and must never be published later.
 */
export const FORGO_SCRIPT = `
local seen = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > seen then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
`

/**
 * ARGV: 1 the mark's channel (switchboard:id:<channel>), 2 the channel, 3 the payload. A relay without
 * history, marked ('-', no id) so that no process takes it for another program's raw publish.
 */
export const RELAY_SCRIPT = `
redis.call('PUBLISH', ARGV[1], '-')
return redis.call('PUBLISH', ARGV[2], ARGV[3])
`
