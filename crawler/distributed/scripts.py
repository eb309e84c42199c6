"""The Lua scripts a worker runs on Redis; each runs atomically on the server, so a request is
never both queued and in flight, nor lost between the two."""

from __future__ import annotations

# --- Lua: each runs atomically on the server ----------------------------------------------

_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"


# Mark a request seen and queue it at once (KEYS: dupefilter set, queue; ARGV: fingerprint or ""
# for dont_filter, score, request). scrapy-redis makes two calls: a worker killed between them
# left the request seen but never queued, and whoever re-ran its parent then dropped it as seen.
ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""


# Per-site politeness (SitePoliteness): a site's leases (sorted set: token -> expiry ms) and the
# earliest start of its next request (ms). Acquire: 0 when the lease is taken (and the leases
# key recorded in the worker's set ``used``); -1 when the site is at its concurrency limit; else
# ms until its next start is allowed.
_ACQUIRE = """
local function acquire(leases, next_key, used, token, concurrency, lease_ms, now)
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  if redis.call('ZCARD', leases) >= concurrency then return -1 end
  local next_start = tonumber(redis.call('GET', next_key) or '0')
  if now < next_start then return next_start - now end
  redis.call('ZADD', leases, now + lease_ms, token)
  redis.call('PEXPIRE', leases, lease_ms)
  redis.call('SADD', used, leases)
  return 0
end
"""


# Take the best request: out of the queue and into this worker's in-flight hash at once. A
# queued request starts with its site and a newline (scheduler.InflightQueue); when ARGV[2] is
# a lease token, the site's politeness lease is tried in the same step (saving the worker a
# round trip per request): {id, request, 1} when taken, {id, request, 0} when the site must
# wait (SitePoliteness then waits as for any request). KEYS: queue, in-flight hash, the worker's
# lease keys set; ARGV: site keys' prefix, token or "", concurrency, lease ms.
POP = (
    _NOW
    + _ACQUIRE
    + """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local id = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], id, r[2] .. '|' .. r[1])
local leased = 0
local cut = string.find(r[1], '\\n', 1, true)  -- Lua's newline escape
if ARGV[2] ~= '' and cut then
  local slot = ARGV[1] .. string.sub(r[1], 1, cut - 1)
  local limit, lease_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
  if acquire(slot .. ':leases', slot .. ':next', KEYS[3], ARGV[2], limit, lease_ms, now) == 0 then
    leased = 1
  end
end
return {id, r[1], leased}
"""
)


# Take a seed URL the same way (it is in flight until its first requests are queued).
POP_SEED = """
local url = redis.call('LPOP', KEYS[1])
if not url then return false end
redis.call('HSET', KEYS[2], 'seed:' .. url, 'seed|' .. url)
return url
"""


BEAT = (
    _NOW
    + """
local alive = redis.call('HEXISTS', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], now)
return alive
"""
)


# Move in-flight requests of dead workers (silent for ARGV[2] ms; or exactly ARGV[3] when
# ARGV[2] is -1: a worker releasing its own) back to the queue, seeds back to the seeds list,
# held links it had taken (MAP_READ, DRAIN_HELD) back to their site's held list (KEYS[5]: the
# held-sites set; ARGV[5]: the held lists' key prefix).
REQUEUE = (
    _NOW
    + """
local workers = redis.call('HGETALL', KEYS[1])
local moved = 0
local gone = {}
for i = 1, #workers, 2 do
  local w = workers[i]
  local silent = now - tonumber(workers[i + 1])
  local release = tonumber(ARGV[2]) < 0 and w == ARGV[3]
  local dead = tonumber(ARGV[2]) >= 0 and w ~= ARGV[3] and silent > tonumber(ARGV[2])
  if release or dead then
    local key = ARGV[1] .. w
    local items = redis.call('HGETALL', key)
    for j = 1, #items, 2 do
      local v = items[j + 1]
      local bar = string.find(v, '|', 1, true)
      local score = string.sub(v, 1, bar - 1)
      if score == 'seed' then
        redis.call('RPUSH', KEYS[3], string.sub(v, bar + 1))
      elseif score == 'held' then  -- "held|site|link": held again, for the crawl's final drain
        local rest = string.sub(v, bar + 1)
        local bar2 = string.find(rest, '|', 1, true)
        local site = string.sub(rest, 1, bar2 - 1)
        redis.call('RPUSH', ARGV[5] .. site, string.sub(rest, bar2 + 1))
        redis.call('SADD', KEYS[5], site)
      else
        redis.call('ZADD', KEYS[2], score, string.sub(v, bar + 1))
      end
      moved = moved + 1
    end
    redis.call('DEL', key)
    redis.call('HDEL', KEYS[1], w)
    -- its politeness leases go too: the sites are free for the other workers at once
    local used = ARGV[4] .. w
    for _, lease_key in ipairs(redis.call('SMEMBERS', used)) do
      for _, token in ipairs(redis.call('ZRANGE', lease_key, 0, -1)) do
        if string.sub(token, 1, #w + 1) == w .. ':' then redis.call('ZREM', lease_key, token) end
      end
    end
    redis.call('DEL', used)
    if dead then
      table.insert(gone, w)
      redis.call('HINCRBY', KEYS[4], 'dead_workers', 1)
    end
    redis.call('HINCRBY', KEYS[4], 'requeued', #items / 2)
  end
end
table.insert(gone, 1, moved)
return gone
"""
)


# Done when no seed, no queued request and no in-flight request is left, at one instant. Then
# 2: links are still held (distributed/maps.py); 3: this worker (ARGV[2]) is to re-check the
# archived pages no worker reached, and the crawl waits until it says "done" in KEYS[6] (a
# worker taken for dead before saying so passes the re-check on to the next to ask);
# 1: done (the finished key is set); 0: not yet.
FINISH = """
if redis.call('EXISTS', KEYS[4]) == 1 then return 1 end
if redis.call('LLEN', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for _, w in ipairs(redis.call('HKEYS', KEYS[3])) do
  if redis.call('HLEN', ARGV[1] .. w) > 0 then return 0 end
end
if redis.call('SCARD', KEYS[5]) > 0 then return 2 end
local recheck = redis.call('GET', KEYS[6])
if not recheck then redis.call('SET', KEYS[6], ARGV[2]) return 3 end
if recheck ~= 'done' then
  if redis.call('HEXISTS', KEYS[3], recheck) == 1 then return 0 end
  redis.call('SET', KEYS[6], ARGV[2])  -- its worker died part-way: this one re-checks
  return 3
end
local t = redis.call('TIME')
redis.call('SET', KEYS[4], t[1])
return 1
"""


# Sitemaps and feeds read crawl-wide, and page links to archived posts held until a site's are
# (crawler/distributed/maps.py). A map URL asked for: once per crawl, pending for its site.
# KEYS: asked set, pending hash, started set; ARGV: url, site. 1 when this is the first ask.
MAP_ASKED = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('SADD', KEYS[3], ARGV[2])
return 1
"""

# Held links handed to a worker stay in its in-flight hash ("held:" + sha1 -> "held|site|link")
# until their requests are queued, so a worker killed in between loses none (REQUEUE).
_TAKE_HELD = """
local function take_held(inflight, site, held)
  for _, entry in ipairs(held) do
    redis.call('HSET', inflight, 'held:' .. redis.sha1hex(entry), 'held|' .. site .. '|' .. entry)
  end
end
"""

# A map URL answered (or failed), once: when it was its site's last pending one, the links held
# for the site are returned (and removed, into the worker's in-flight hash). KEYS: asked set,
# read set, pending hash, the site's held list, held-sites set, the worker's in-flight hash;
# ARGV: url, site.
MAP_READ = (
    _TAKE_HELD
    + """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 or redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return {}
end
if redis.call('HINCRBY', KEYS[3], ARGV[2], -1) > 0 then return {} end
redis.call('HDEL', KEYS[3], ARGV[2])
local held = redis.call('LRANGE', KEYS[4], 0, -1)
redis.call('DEL', KEYS[4])
redis.call('SREM', KEYS[5], ARGV[2])
take_held(KEYS[6], ARGV[2], held)
return held
"""
)

# A link to an archived post: 0 when its site's maps are all read (follow it now); else held
# (1). KEYS: started set, pending hash, the site's held list, held-sites set; ARGV: site, entry.
HOLD = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1
   and tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') <= 0 then
  return 0
end
redis.call('RPUSH', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[1])
return 1
"""

# Nothing else left in the crawl: every held link, taken at once (maps that never answered).
# KEYS[1]: held-sites set, KEYS[2]: the worker's in-flight hash; ARGV[1]: held lists' prefix.
DRAIN_HELD = (
    _TAKE_HELD
    + """
local out = {}
for _, site in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local held = redis.call('LRANGE', ARGV[1] .. site, 0, -1)
  take_held(KEYS[2], site, held)
  for _, entry in ipairs(held) do table.insert(out, entry) end
  redis.call('DEL', ARGV[1] .. site)
end
redis.call('DEL', KEYS[1])
return out
"""
)


# A site's lease (_ACQUIRE). KEYS: the site's leases, its next start, the worker's lease keys
# set; ARGV: token, concurrency, lease ms.
ACQUIRE_SITE = (
    _NOW
    + _ACQUIRE
    + """
return acquire(KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), now)
"""
)


# Release: the lease goes, and the next request may start ARGV[2] ms from now.
RELEASE_SITE = (
    _NOW
    + """
redis.call('ZREM', KEYS[1], ARGV[1])
local next_start = now + tonumber(ARGV[2])
if next_start > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], next_start, 'PX', tonumber(ARGV[2]) + 1000)
end
return 0
"""
)


# A page request's budget units (distributed/budgets.py), all or none. KEYS[1]: the crawl's
# budgets hash; ARGV: pairs of (field, cap). 0 when each was taken, else the (1-based) pair
# whose cap is reached.
TAKE_BUDGET = """
for i = 1, #ARGV, 2 do
  if tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0') >= tonumber(ARGV[i + 1]) then
    return (i + 1) / 2
  end
end
for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
return 0
"""
