/**
 * The Redis store's keys and Lua scripts: every change to a room is one
 * script, run atomically by Redis in one round trip.
 *
 * A room `R` is five keys that share the hash tag `{R}`, so that a script
 * touches one slot:
 *
 * - `natter:{R}:meta`, a hash: `epoch`, `offset` (the latest given out) and
 *   `bytes` (the history's size);
 * - `natter:{R}:log`, a list: the history, oldest first, one entry a message
 *   (see `redis_codec.ts`); the oldest kept has offset
 *   `offset - LLEN + 1`;
 * - `natter:{R}:members`, a hash: connection id to the member as JSON with
 *   the id of the node serving it;
 * - `natter:{R}:nodes`, a hash: node id to the time (Redis's clock, ms)
 *   after which the node counts as dead unless it has checked in again;
 * - `natter:{R}:keys`, a sorted set: the scoped send key (C7, see
 *   `send_key.ts`) of each kept message that had one, scored by its
 *   offset; the append script drops a message's key as it drops the
 *   message, so the set holds at most one key a kept message.
 *
 * and one pub/sub channel, `natter:{R}`, which carries each appended batch
 * and each presence change to every node serving the room.
 *
 * @module
 */

/** The keys of a room, in the order every script takes them. */
export function roomKeys(
  room: string,
): [string, string, string, string, string] {
  const tag = `natter:{${room}}`;
  return [
    `${tag}:meta`,
    `${tag}:log`,
    `${tag}:members`,
    `${tag}:nodes`,
    `${tag}:keys`,
  ];
}

/** The pub/sub channel of a room. */
export function roomChannel(room: string): string {
  return `natter:{${room}}`;
}

/** The room a channel from {@linkcode roomChannel} belongs to. */
export function channelRoom(channel: string): string {
  return channel.slice("natter:{".length, -1);
}

/**
 * Creates the room's stream, with a new epoch, when it does not exist (and
 * drops what an old stream may have left); returns the epoch, and whether
 * it created it.
 */
const ENSURE = `
local function ensure(meta, log, keyed, candidate)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then return epoch, false end
  redis.call('DEL', log, keyed)
  redis.call('HSET', meta, 'epoch', candidate, 'offset', 0, 'bytes', 0)
  return candidate, true
end
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function refresh(ttl)
  if ttl > 0 then
    for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ttl) end
  end
end
`;

/**
 * Appends a turn's messages: skips each repeat (C7: its scoped key belongs
 * to a kept message, or to a message before it in the turn), gives the
 * others the next offsets, adds them to the history and their keys to the
 * room's key set, drops the oldest beyond the count and byte budgets (and
 * their keys), publishes the batch, and returns what the caller had not
 * seen yet before it.
 *
 * ARGV: channel, the caller's epoch, a new epoch should the room have none,
 * the caller's latest offset, max count, max bytes, the room's time to
 * live (ms), then each message's entry without its offset, then each
 * message's scoped key ("" for none).
 *
 * Returns `{epoch, first offset, entries after the caller's offset and
 * before the first, each message's offset}`, where a repeat's offset is
 * the first message's, negated.
 */
export const APPEND = ENSURE + `
local meta, log, keyed = KEYS[1], KEYS[2], KEYS[5]
local epoch = ensure(meta, log, keyed, ARGV[3])
local n = (#ARGV - 7) / 2
local last = tonumber(redis.call('HGET', meta, 'offset'))
local entries, offsets, added = {}, {}, 0
for i = 1, n do
  local key = ARGV[7 + n + i]
  local seen = key ~= '' and redis.call('ZSCORE', keyed, key)
  if seen then
    offsets[i] = -tonumber(seen)
  else
    last = last + 1
    local entry = '{"o":' .. last .. ',' .. ARGV[7 + i]
    entries[#entries + 1] = entry
    added = added + #entry
    offsets[i] = last
    if key ~= '' then redis.call('ZADD', keyed, last, key) end
  end
end
local m = #entries
local first = last - m + 1
local length = redis.call('LLEN', log)
if m > 0 then
  redis.call('HSET', meta, 'offset', last)
  for i = 1, m, 1000 do
    redis.call('RPUSH', log, unpack(entries, i, math.min(i + 999, m)))
  end
  local bytes = redis.call('HINCRBY', meta, 'bytes', added)
  length = length + m
  local maxCount, maxBytes = tonumber(ARGV[5]), tonumber(ARGV[6])
  local trimmed = false
  while length > 0 and (length > maxCount or bytes > maxBytes) do
    bytes = bytes - #redis.call('LPOP', log)
    length = length - 1
    trimmed = true
  end
  if trimmed then
    redis.call('HSET', meta, 'bytes', bytes)
    redis.call('ZREMRANGEBYSCORE', keyed, '-inf', '(' .. (last - length + 1))
  end
  redis.call('PUBLISH', ARGV[1],
    '{"e":"' .. epoch .. '","m":[' .. table.concat(entries, ',') .. ']}')
end
refresh(tonumber(ARGV[7]))
local since = tonumber(ARGV[4])
if epoch ~= ARGV[2] then since = 0 end
local kept = last - length + 1
local from = math.max(since + 1, kept)
local gap = {}
if from <= first - 1 then
  gap = redis.call('LRANGE', log, from - kept, first - 1 - kept)
end
return {epoch, first, gap, offsets}
`;

/**
 * Opens, and keeps alive, a room for a node: creates the stream when it is
 * new (to live for the room's time to live, like one that a node used and
 * left); checks the node in and adds back any of its members that are
 * missing (after Redis lost them); with sweeping on, removes the members of
 * nodes that did not check in in time and publishes that they left.
 *
 * ARGV: channel, a new epoch should the room have none, node id, how long
 * a check-in lasts (ms), "1" to sweep, the room's time to live (ms), then
 * the node's members as pairs of connection id and member JSON.
 *
 * Returns `{epoch, latest offset}`.
 */
export const TOUCH = ENSURE + `
local meta, log, members, nodes = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local node = ARGV[3]
local epoch, created = ensure(meta, log, KEYS[5], ARGV[2])
local offset = tonumber(redis.call('HGET', meta, 'offset'))
local clock = now()
if ARGV[5] == '1' then
  local left = {}
  local alive = {}
  local deadlines = redis.call('HGETALL', nodes)
  for i = 1, #deadlines, 2 do
    if tonumber(deadlines[i + 1]) < clock then
      redis.call('HDEL', nodes, deadlines[i])
    else
      alive[deadlines[i]] = true
    end
  end
  local all = redis.call('HGETALL', members)
  for i = 1, #all, 2 do
    local member = cjson.decode(all[i + 1])
    if not alive[member.node] and member.node ~= node then
      redis.call('HDEL', members, all[i])
      left[#left + 1] = all[i + 1]
    end
  end
  if #left > 0 then
    redis.call('PUBLISH', ARGV[1],
      '{"o":"","j":[],"l":[' .. table.concat(left, ',') .. ']}')
  end
end
if #ARGV > 6 then
  redis.call('HSET', nodes, node, clock + tonumber(ARGV[4]))
  local joined = {}
  for i = 7, #ARGV, 2 do
    if redis.call('HSETNX', members, ARGV[i], ARGV[i + 1]) == 1 then
      joined[#joined + 1] = ARGV[i + 1]
    end
  end
  if #joined > 0 then
    redis.call('PUBLISH', ARGV[1], '{"o":"' .. node .. '","j":[' ..
      table.concat(joined, ',') .. '],"l":[]}')
  end
end
if created or #ARGV > 6 then refresh(tonumber(ARGV[6])) end
return {epoch, offset}
`;

/**
 * Records a turn's leaves, then joins, of one node's members (so that a
 * member in both is present), checks the node in, and publishes the change
 * for the other nodes.
 *
 * ARGV: channel, node id, how long a check-in lasts (ms), the room's time
 * to live (ms), the number of joins, then joins and leaves as pairs of
 * connection id and member JSON.
 */
export const PRESENCE = ENSURE + `
local members, nodes = KEYS[3], KEYS[4]
local node = ARGV[2]
redis.call('HSET', nodes, node, now() + tonumber(ARGV[3]))
local joins = tonumber(ARGV[5])
local joined, left = {}, {}
for i = 6 + 2 * joins, #ARGV, 2 do
  if redis.call('HDEL', members, ARGV[i]) == 1 then
    left[#left + 1] = ARGV[i + 1]
  end
end
for i = 6, 5 + 2 * joins, 2 do
  redis.call('HSET', members, ARGV[i], ARGV[i + 1])
  joined[#joined + 1] = ARGV[i + 1]
end
refresh(tonumber(ARGV[4]))
if #joined + #left > 0 then
  redis.call('PUBLISH', ARGV[1], '{"o":"' .. node .. '","j":[' ..
    table.concat(joined, ',') .. '],"l":[' .. table.concat(left, ',') .. ']}')
end
return 0
`;

/**
 * Reads the history, as `{epoch, latest offset, offset of the first entry
 * returned, entries}`.
 *
 * ARGV: the mode, then its arguments:
 * - `range FROM TO`: the entries kept with offsets FROM..TO;
 * - `replay UPTO EPOCH SINCE LIMIT`: with EPOCH the room's and every
 *   message after SINCE still kept, those up to UPTO (the first element is
 *   then `1`: recovered); otherwise the latest LIMIT up to UPTO (`0`);
 * - `before BEFORE LIMIT`: the latest LIMIT kept before BEFORE (the latest
 *   LIMIT when BEFORE is past the latest offset).
 */
export const READ = `
local meta, log = KEYS[1], KEYS[2]
local epoch = redis.call('HGET', meta, 'epoch') or ''
local last = tonumber(redis.call('HGET', meta, 'offset') or '0')
local kept = last - redis.call('LLEN', log) + 1
local function range(from, to)
  from = math.max(from, kept, 1)
  to = math.min(to, last)
  if from > to then return from, {} end
  return from, redis.call('LRANGE', log, from - kept, to - kept)
end
local mode = ARGV[1]
if mode == 'range' then
  local from, entries = range(tonumber(ARGV[2]), tonumber(ARGV[3]))
  return {epoch, last, from, entries}
end
if mode == 'replay' then
  local upTo = math.min(tonumber(ARGV[2]), last)
  local since = tonumber(ARGV[4])
  if ARGV[3] ~= '' and ARGV[3] == epoch and since <= upTo and
      since >= kept - 1 then
    local from, entries = range(since + 1, upTo)
    return {epoch, 1, from, entries}
  end
  local limit = tonumber(ARGV[5])
  if limit <= 0 then return {epoch, 0, 0, {}} end
  local from, entries = range(upTo - limit + 1, upTo)
  return {epoch, 0, from, entries}
end
local limit = tonumber(ARGV[3])
if limit <= 0 then return {epoch, last, 0, {}} end
local to = math.min(tonumber(ARGV[2]) - 1, last)
local from, entries = range(to - limit + 1, to)
return {epoch, last, from, entries}
`;
