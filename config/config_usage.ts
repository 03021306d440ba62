/**
 * natter's flags as the user sees them: the environment variable twin of
 * each flag, and the `--help` text.
 *
 * @module
 */

/** The environment variables natter reads, each the twin of a flag. */
export const ENV_VARS = [
  "NATTER_ADDR",
  "NATTER_HOSTNAME",
  "NATTER_PORT",
  "NATTER_ALLOW_ORIGIN",
  "NATTER_MAX_MESSAGE_SIZE",
  "NATTER_QUEUE_SIZE",
  "NATTER_IDLE_TIMEOUT",
  "NATTER_WRITE_WAIT",
  "NATTER_REQUEST_TIMEOUT",
  "NATTER_MAX_CONNECTIONS",
  "NATTER_WORKERS",
  "NATTER_MAX_ROOMS",
  "NATTER_MAX_MEMBERS",
  "NATTER_ROOMS_PER_CLIENT",
  "NATTER_HISTORY_SIZE",
  "NATTER_HISTORY_BYTES",
  "NATTER_HISTORY_TTL",
  "NATTER_JWT_SECRET",
  "NATTER_JWT_PUBLIC_KEY",
  "NATTER_JWT_ISSUER",
  "NATTER_JWT_AUDIENCE",
  "NATTER_MAX_CONNECTIONS_PER_IP",
  "NATTER_RATE_LIMIT",
  "NATTER_RATE_BURST",
  "NATTER_JOIN_RATE",
  "NATTER_HISTORY_RATE",
  "NATTER_CREATE_RATE",
  "NATTER_MEMBER_PAGE",
  "NATTER_QUEUE_BYTES",
  "NATTER_FIRST_FRAME_TIMEOUT",
  "NATTER_METRICS_TOKEN",
  "NATTER_ADMIN_TOKEN",
  "NATTER_CERT",
  "NATTER_KEY",
  "NATTER_LOG_FORMAT",
  "NATTER_LOG_LEVEL",
  "NATTER_DRAIN_DELAY",
  "NATTER_REDIS",
  "NATTER_PRESENCE_EXPIRY",
] as const;

/** The flag of a variable: `NATTER_MAX_ROOMS` is `--max-rooms`. */
export function flagOf(name: string): string {
  return name.slice(7).toLowerCase().replaceAll("_", "-");
}

/** The `--help` text. */
export const USAGE = `Usage: natter [flags]

A WebSocket chat server: open http://localhost:8080/ in two tabs and chat.

Flags (each also read from the environment variable in brackets; flags win):
  --addr ADDR            listen address, ":8080" or "host:port" [NATTER_ADDR]
  --hostname HOST        interface to listen on (default 0.0.0.0) [NATTER_HOSTNAME]
  --port PORT            port to listen on, 0 for any free one (default 8080) [NATTER_PORT]
  --allow-origin ORIGIN  also allow this Origin, e.g. https://chat.example.com,
                         or * for any; repeatable [NATTER_ALLOW_ORIGIN, comma-separated]
  --max-message-size N   largest inbound message in bytes (default 512) [NATTER_MAX_MESSAGE_SIZE]
  --queue-size N         outbound messages queued per client (default 256) [NATTER_QUEUE_SIZE]
  --queue-bytes N        UTF-16 code units of outbound frames queued per client, at
                         least queue-size x (max-message-size + 1) (default 1048576)
                         [NATTER_QUEUE_BYTES]
  --idle-timeout S       drop a peer silent for S seconds; pings at S/2 (default 60) [NATTER_IDLE_TIMEOUT]
  --write-wait S         drop a peer whose socket does not drain for S seconds (default 10) [NATTER_WRITE_WAIT]
  --request-timeout S    close a connection that has not sent a complete request
                         within S seconds (default 10) [NATTER_REQUEST_TIMEOUT]
  --max-connections N    the most WebSocket clients at once; more get 503 (default:
                         what the file descriptor limit allows) [NATTER_MAX_CONNECTIONS]
  --workers N            serve from N threads sharing the port, one message order
                         per room for all (default 1) [NATTER_WORKERS]
  --max-rooms N          rooms the server holds at once (default 4096) [NATTER_MAX_ROOMS]
  --max-members N        members one room admits (default 10000) [NATTER_MAX_MEMBERS]
  --rooms-per-client N   rooms one natter.v1 connection may join (default 32)
                         [NATTER_ROOMS_PER_CLIENT]
  --history-size N       messages a room's history keeps (default 500) [NATTER_HISTORY_SIZE]
  --history-bytes N      bytes a room's history may take (default 131072)
                         [NATTER_HISTORY_BYTES]
  --history-ttl S        seconds an empty room keeps its history (default 300)
                         [NATTER_HISTORY_TTL]
  --jwt-secret SECRET    every upgrade needs an HS256 token (?token= or
                         Authorization: Bearer) [NATTER_JWT_SECRET]
  --jwt-public-key FILE  every upgrade needs an RS256 or ES256 token verified
                         with this PEM key [NATTER_JWT_PUBLIC_KEY]
  --jwt-issuer ISS       with a token key: tokens must have this "iss"
                         [NATTER_JWT_ISSUER]
  --jwt-audience AUD     with a token key: tokens must name this "aud"
                         [NATTER_JWT_AUDIENCE]
  --max-connections-per-ip N  open connections from one address; 429 beyond
                         (default 0: no limit) [NATTER_MAX_CONNECTIONS_PER_IP]
  --rate-limit R         messages a second per connection (default 0: no limit)
                         [NATTER_RATE_LIMIT]
  --rate-burst N         with --rate-limit: messages at once within the rate
                         (default: the rate) [NATTER_RATE_BURST]
  --join-rate N          joins and leaves a second per natter.v1 connection
                         (default 10; 0: no limit) [NATTER_JOIN_RATE]
  --history-rate N       history and members commands a second per natter.v1
                         connection (default 10; 0: no limit) [NATTER_HISTORY_RATE]
  --create-rate N        new rooms a second one connection may create (default 1;
                         0: no limit) [NATTER_CREATE_RATE]
  --member-page N        members one joined or members reply lists, 1 to 1000
                         (default 100) [NATTER_MEMBER_PAGE]
  --first-frame-timeout S  close a connection that sends nothing for S seconds
                         after opening (default 0: never) [NATTER_FIRST_FRAME_TIMEOUT]
  --metrics-token TOKEN  /metrics needs Authorization: Bearer TOKEN [NATTER_METRICS_TOKEN]
  --admin-token TOKEN    enables the server API under /api/ [NATTER_ADMIN_TOKEN]
  --cert FILE, --key FILE  serve https and wss with this PEM certificate and key
                         [NATTER_CERT, NATTER_KEY]
  --log-format FORMAT    text or json (default text) [NATTER_LOG_FORMAT]
  --log-level LEVEL      debug, info, warning or error (default info) [NATTER_LOG_LEVEL]
  --drain-delay S        on SIGTERM, seconds /readyz answers 503 before clients
                         are closed with 1012 (default 0) [NATTER_DRAIN_DELAY]
  --redis URL            keep rooms in this Redis, shared with other natter nodes,
                         e.g. redis://127.0.0.1:6379 (default: in memory) [NATTER_REDIS]
  --presence-expiry S    with --redis: seconds within which the members of a node
                         that died leave presence (default 45) [NATTER_PRESENCE_EXPIRY]
  -h, --help             show this help
`;
