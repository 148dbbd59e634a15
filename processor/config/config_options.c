/* config_options.c — the table of config options: name, type, default, range and doc of
 * each, and name lookup with typo suggestions. Parsing, validation, --help and
 * docs/config.md all read this table; values are checked in config_value.c. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "config_int.h"

#define CONFIG_FIELD(f) offsetof(sy_config_t, f)

/* Longest option name we compute edit distances for; longer names get no suggestion. */
#define CONFIG_SUGGEST_NAME_MAX 64

static const char *const config_time_mode_words[] = {
    [CONFIG_TIME_WALLCLOCK] = "wallclock",
    [CONFIG_TIME_EVENT] = "event",
    NULL,
};

static const char *const config_guarantee_words[] = {
    [CONFIG_EXACTLY_ONCE] = "exactly_once",
    [CONFIG_AT_LEAST_ONCE] = "at_least_once",
    NULL,
};

static const char *const config_log_level_words[] = {
    [LOG_ERROR] = "error", [LOG_WARN] = "warn", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
    NULL,
};

static const char *const config_log_format_words[] = {
    [LOG_FORMAT_TEXT] = "text",
    [LOG_FORMAT_JSON] = "json",
    NULL,
};

#define CONFIG_TOPIC(name_, field_, default_, doc_)                                       \
    {name_, CONFIG_TYPE_STRING, default_, NULL, 1, CONFIG_TOPIC_BYTES_MAX, NULL,           \
     CONFIG_CHECK_TOPIC, CONFIG_FIELD(field_), doc_}

#define CONFIG_QUIET(name_, channel_)                                                    \
    {name_, CONFIG_TYPE_STRING, "", "none", 0, 11, NULL, CONFIG_CHECK_NONE,              \
     CONFIG_FIELD(safety_quiet_hours[channel_]),                                         \
     "Quiet hours of the channel, HH:MM-HH:MM in the contact's local time (start "        \
     "inclusive, end exclusive; 21:00-08:00 wraps midnight): a marketing send inside "   \
     "them is held until they end (docs/safety.md). Empty: none."}

#define CONFIG_FATIGUE(name_, channel_)                                                  \
    {name_, CONFIG_TYPE_STRING, "", "none", 0, 127, NULL, CONFIG_CHECK_NONE,              \
     CONFIG_FIELD(safety_fatigue[channel_]),                                             \
     "Fatigue rule of the channel, ignored:N,engaged_elsewhere:D: a marketing send on it "  \
     "is skipped (fatigued:<channel>) when the contact ignored its last N sends there and " \
     "engaged on another channel within D (docs/safety.md). Empty: none."}

#define CONFIG_ADDRESS(name_, channel_, default_, shown_)                                \
    {name_, CONFIG_TYPE_STRING, default_, shown_, 0, 128, NULL,                           \
     CONFIG_CHECK_NONE, CONFIG_FIELD(safety_address[channel_]),                          \
     "Profile attribute holding the contact's address on the channel: a best-channel "    \
     "send picks the channel only when it holds text (docs/journeys.md). Empty: every "   \
     "contact has one."}

const config_option_t config_options[] = {
    {"journeys.dir", CONFIG_TYPE_PATH, NULL, NULL, 1, 4096, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(journeys_dir),
     "Directory of journey files (*.yaml, *.yml, *.json). They are loaded all or nothing: "
     "one invalid file stops the load."},
    /* The default is JOURNEY_LOOP_PERIOD_MIN_MS_DEFAULT (journey.h); the maximum, a year. */
    {"journeys.loop.period.min.ms", CONFIG_TYPE_INT, "3600000", NULL, 1,
     INT64_C(31536000000), NULL, CONFIG_CHECK_NONE, CONFIG_FIELD(journeys_loop_period_min_ms),
     "Least time, in milliseconds, a contact can take round a loop of journey nodes that "
     "sends a message, counting a wait's duration, a branch path's `after` and nothing for "
     "a time-of-day wait or an event. A journey with a shorter loop is refused at load, so "
     "that no contact is messaged faster than this without end."},
    /* At least 100 ms: a look is a stat of each entry of the directory. At most an hour. */
    {"journeys.reload.interval.ms", CONFIG_TYPE_INT, "2000", NULL, 100, INT64_C(3600000),
     NULL, CONFIG_CHECK_NONE, CONFIG_FIELD(journeys_reload_interval_ms),
     "How often, in milliseconds, the service looks at journeys.dir (the names, sizes and "
     "modification times of its entries) and loads it again when anything changed: a "
     "journey file added there enters its first contacts about this long after it is "
     "written, at most. SIGHUP loads it at once whatever this says."},
    /* One slice a partition holds at most a second's worth: at the maximum, a slice of a
     * million contacts is still one transaction the broker takes. */
    {"journeys.scan.rate", CONFIG_TYPE_INT, "10000", NULL, 1, INT64_C(1000000), NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(journeys_scan_rate),
     "Stored contacts per second per partition that the deploy-time scan of a journey "
     "with `entry: {when: ..., on_deploy: scan}` visits (each visit reads the profile and "
     "enters the contact when it matches). The scan runs in slices between batches, each "
     "in a transaction of its own with its cursor, so input keeps flowing; a larger rate "
     "enters an audience sooner and slows input more while it runs."},
    /* Defaults: engine_admit.h; the skew's and gap's maximum is 10 years, the window's
     * 30 days. */
    {"events.future.skew.max.ms", CONFIG_TYPE_INT, "86400000", NULL, 0,
     INT64_C(315360000000), NULL, CONFIG_CHECK_NONE, CONFIG_FIELD(events_future_skew_max_ms),
     "In time.mode = wallclock, how far, in milliseconds, an event's time may be ahead of "
     "the wall clock. A later event, or one outside the years 0000-9999, goes to the "
     "dead-letter topic as implausible_time and is not processed."},
    {"events.future.gap.max.ms", CONFIG_TYPE_INT, "7776000000", NULL, 0,
     INT64_C(315360000000), NULL, CONFIG_CHECK_NONE, CONFIG_FIELD(events_future_gap_max_ms),
     "In time.mode = event (and in simulate and replay, which read no clock), how far, in "
     "milliseconds, an event's time may be ahead of its partition's event time, once the "
     "partition has one. A later event goes to the dead-letter topic as implausible_time "
     "and moves no time, so one bad record cannot fire the partition's timers early."},
    {"events.dedup.window.ms", CONFIG_TYPE_INT, "86400000", NULL, 0, INT64_C(2592000000),
     NULL, CONFIG_CHECK_NONE, CONFIG_FIELD(events_dedup_window_ms),
     "How long, in event time, a contact's input event ids are remembered: an event whose "
     "event_id the contact had within this window before its newest event is a duplicate "
     "and is dropped before the journeys see it. Kept in state with the contact. 0 turns "
     "deduplication off."},
    {"events.dedup.ids.max", CONFIG_TYPE_INT, "64", NULL, 1, 1024, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(events_dedup_ids_max),
     "Most event ids remembered per contact (16 bytes each in state); beyond it the oldest "
     "are forgotten, even within events.dedup.window.ms."},
    /* Defaults: engine_safety.h's (ENGINE_SAFETY_*_DEFAULT). */
    {"consent.opt_out.events", CONFIG_TYPE_STRING,
     "email.unsubscribed,email.spam_report,sms.opted_out,voice.blocked", "four, safety.md", 0,
     1024, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(consent_opt_out_events),
     "Event types (channel.type, comma-separated) that opt the contact out of marketing on "
     "the event's channel from the event's time on; by default email.unsubscribed, "
     "email.spam_report, sms.opted_out and voice.blocked (docs/safety.md)."},
    {"consent.opt_out_all.events", CONFIG_TYPE_STRING, "", "none", 0, 1024, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(consent_opt_out_all_events),
     "Event types (comma-separated) that opt the contact out of every message on every "
     "channel, transactional ones too: a global unsubscribe."},
    {"consent.sms.stop.keywords", CONFIG_TYPE_STRING,
     "STOP,UNSUBSCRIBE,CANCEL,END,QUIT,REVOKE,OPTOUT", "STOP and 6 more", 0, 1024, NULL,
     CONFIG_CHECK_NONE,
     CONFIG_FIELD(consent_sms_stop_keywords),
     "SMS replies (the whole text, trimmed, any case) that opt the contact out of SMS "
     "marketing; the reply also counts as sms.opted_out for journeys' rules. By default STOP, "
     "UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE and OPTOUT."},
    {"consent.sms.stop_all.keywords", CONFIG_TYPE_STRING, "STOPALL", NULL, 0, 1024, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(consent_sms_stop_all_keywords),
     "SMS replies that opt the contact out of every message on every channel."},
    {"consent.sms.start.keywords", CONFIG_TYPE_STRING, "START,UNSTOP,YES", NULL, 0, 1024, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(consent_sms_start_keywords),
     "SMS replies that opt the contact back in to SMS (and undo a keyword's opt-out of "
     "everything)."},
    {"consent.bounce.hard.suppress", CONFIG_TYPE_INT, "1", NULL, 0, 1, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(consent_bounce_hard_suppress),
     "1: an email.bounced event with bounce hard stops every later email to the contact, "
     "transactional too; 0: bounces change nothing."},
    {"safety.suppression.lists", CONFIG_TYPE_STRING, "", "none", 0, 4096, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(safety_suppression_lists),
     "Suppression lists, comma-separated, each LIST (every channel) or LIST:CHANNEL: a "
     "member of one gets no message on its channels. Journeys' add_to_list and "
     "remove_from_list keep the members (at most 16 lists)."},
    /* engine_calls_conf.c reads the document (docs/call_tracking.md). */
    {"calls.file", CONFIG_TYPE_PATH, "", "none", 0, 4096, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(calls_file),
     "Call tracking: a YAML file of number pools (E.164 numbers, lease, fallback, "
     "area_code_attribute) and conversion rules that sends' tracking: leases from "
     "(docs/call_tracking.md). Not with calls.inline."},
    {"calls.inline", CONFIG_TYPE_STRING, "", "none", 0, 65536, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(calls_inline),
     "Call tracking: the document of calls.file written inline, in YAML flow style on one "
     "line: {pools: [{name: sales, numbers: [...], lease: 30d, fallback: ...}]}."},
    /* Rules: engine_safety_conf.c reads them (16 of about 100 bytes at most). */
    {"safety.caps", CONFIG_TYPE_STRING, "", "none", 0, 4096, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(safety_caps),
     "Frequency caps, comma-separated, each NAME:CHANNEL:CATEGORY:N/WINDOW: at most N (1 to "
     "50) sends on CHANNEL (a channel, or all) of CATEGORY (marketing, transactional or "
     "any) per contact in any WINDOW (24h, 7d, 30d) of event time, across all journeys; "
     "e.g. email_daily:email:marketing:2/24h. A send node's on_capped says what a capped "
     "send does (docs/safety.md). At most 16 rules."},
    CONFIG_QUIET("safety.quiet_hours.email", SY_CHANNEL_EMAIL),
    CONFIG_QUIET("safety.quiet_hours.sms", SY_CHANNEL_SMS),
    CONFIG_QUIET("safety.quiet_hours.push", SY_CHANNEL_PUSH),
    CONFIG_QUIET("safety.quiet_hours.voice", SY_CHANNEL_VOICE),
    CONFIG_QUIET("safety.quiet_hours.in_app", SY_CHANNEL_IN_APP),
    CONFIG_QUIET("safety.quiet_hours.web", SY_CHANNEL_WEB),
    CONFIG_QUIET("safety.quiet_hours.task", SY_CHANNEL_TASK),
    CONFIG_FATIGUE("safety.fatigue.email", SY_CHANNEL_EMAIL),
    CONFIG_FATIGUE("safety.fatigue.sms", SY_CHANNEL_SMS),
    CONFIG_FATIGUE("safety.fatigue.push", SY_CHANNEL_PUSH),
    CONFIG_FATIGUE("safety.fatigue.voice", SY_CHANNEL_VOICE),
    CONFIG_FATIGUE("safety.fatigue.in_app", SY_CHANNEL_IN_APP),
    CONFIG_FATIGUE("safety.fatigue.web", SY_CHANNEL_WEB),
    /* Defaults ENGINE_SAFETY_ADDRESS_*. */
    CONFIG_ADDRESS("safety.address.email", SY_CHANNEL_EMAIL, "email", NULL),
    CONFIG_ADDRESS("safety.address.sms", SY_CHANNEL_SMS, "phone", NULL),
    CONFIG_ADDRESS("safety.address.push", SY_CHANNEL_PUSH, "push_token", NULL),
    CONFIG_ADDRESS("safety.address.voice", SY_CHANNEL_VOICE, "phone", NULL),
    CONFIG_ADDRESS("safety.address.in_app", SY_CHANNEL_IN_APP, "", "none"),
    CONFIG_ADDRESS("safety.address.web", SY_CHANNEL_WEB, "", "none"),
    /* Default ENGINE_SAFETY_QUIET_SPREAD_MS_DEFAULT; at most a day. */
    {"safety.quiet_hours.spread.ms", CONFIG_TYPE_INT, "3600000", NULL, 0, 86400000, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(safety_quiet_hours_spread_ms),
     "A send held by quiet hours leaves when they end plus a stable offset of the contact "
     "(a hash of its id modulo this many milliseconds), so held sends do not leave in one "
     "burst. Must fit outside every channel's quiet hours; 0: all at the end."},
    {"safety.quiet_hours.timezone.attribute", CONFIG_TYPE_STRING, "timezone", NULL, 1, 255,
     NULL, CONFIG_CHECK_NONE, CONFIG_FIELD(safety_quiet_hours_timezone_attribute),
     "Profile attribute holding the contact's IANA time zone (Europe/Berlin), in which "
     "quiet hours are read."},
    {"safety.quiet_hours.timezone.default", CONFIG_TYPE_STRING, "UTC", NULL, 1, 64, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(safety_quiet_hours_timezone_default),
     "IANA time zone of contacts whose profile names none."},
    {"state.dir", CONFIG_TYPE_PATH, NULL, NULL, 1, 4096, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(state_dir),
     "RocksDB data directory of this instance; created if missing. Every instance needs "
     "its own."},
    /* The default is STATE_CACHE_BYTES_DEFAULT (state_store.h); the maximum is 64 GiB. */
    {"state.cache.bytes", CONFIG_TYPE_INT, "268435456", NULL, 0, INT64_C(68719476736), NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(state_cache_bytes),
     "Memory budget, in bytes, of the cache of committed state in front of RocksDB: one "
     "entry per hot contact with its journey instances (or that it has none), profile, "
     "recent event ids, consent and engagement memory. Counts the cache's index too; the "
     "least recently used contacts go first (CLOCK). While it holds all the state (a new "
     "state directory's, or one it took at start: state.cache.warm.bytes) a contact it "
     "lacks has none and RocksDB is not asked, until its first eviction or a restore that "
     "writes contacts' records. 0 turns the cache off."},
    {"state.cache.warm.bytes", CONFIG_TYPE_INT, "33554432", NULL, 0, INT64_C(68719476736),
     NULL, CONFIG_CHECK_NONE, CONFIG_FIELD(state_cache_warm_bytes),
     "At start, the cache reads the contacts' state on disk, up to this many bytes and half "
     "of state.cache.bytes. When that is all of it, a restarted service answers contacts "
     "it has never seen without reading RocksDB, as a new one does. Reading takes a while "
     "at start (about a second for 32 MiB). 0: never."},
    /* The default is STATE_CHECKPOINT_BATCHES_DEFAULT (state_store.h). */
    {"state.checkpoint.batches", CONFIG_TYPE_INT, "16", NULL, 1, 1000000, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(state_checkpoint_batches),
     "Committed batches between two writes of the state to RocksDB (and whenever the "
     "input is idle). Until written, committed state is in memory and in the changelog: "
     "after a crash the restore reads those batches back from the changelog. 1 writes "
     "at every commit. More batches write a key changed in several of them once."},
    {"group.id", CONFIG_TYPE_STRING, "switchyard", NULL, 1, 255, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(group_id), "Kafka consumer group of all instances of this service."},
    {"transactional.id", CONFIG_TYPE_STRING, "", "derived", 0, 255, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(transactional_id),
     "Kafka transactional id of this instance. When empty, it is derived at load as "
     "<group.id>-<hostname>-<8 hex digits of a 32-bit FNV-1a hash of the absolute "
     "state.dir>, so that an instance restarted with the same state directory fences its "
     "previous incarnation."},
    {"group.instance.id", CONFIG_TYPE_STRING, "", "derived", 0, 249, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(group_instance_id),
     "Static membership of this instance in the consumer group: an instance that restarts "
     "within the session timeout (kafka.session.timeout.ms, 6 s by default; the broker "
     "counts it from the last heartbeat, up to kafka.heartbeat.interval.ms (2 s) before a "
     "stop) gets its partitions back "
     "without a rebalance. When empty it is derived as <hostname>-<8 hex "
     "digits of a 32-bit FNV-1a hash of the absolute state.dir>, so several instances on "
     "one host differ; every instance of a group needs its own. none: dynamic membership "
     "(an instance that stops leaves the group at once). See docs/scaling.md."},
    {"state.standby.replicas", CONFIG_TYPE_INT, "0", NULL, 0, 8, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(state_standby_replicas),
     "Warm copies of every partition's state kept by other instances of the group, which "
     "tail its changelog, so that a new owner restores only the tail "
     "(docs/scaling.md)."},
    CONFIG_TOPIC("topic.events", topic_events, "events", "Input topic of engagement events."),
    CONFIG_TOPIC("topic.profiles", topic_profiles, "profiles",
                 "Input topic of contact profile updates. Must be co-partitioned with "
                 "topic.events: the same partition count, keyed by contact id."),
    CONFIG_TOPIC("topic.decisions", topic_decisions, "decisions",
                 "Output topic of routing decisions."),
    {"topic.actions.prefix", CONFIG_TYPE_STRING, "actions.", NULL, 0,
     CONFIG_TOPIC_BYTES_MAX - 1, NULL, CONFIG_CHECK_TOPIC, CONFIG_FIELD(topic_actions_prefix),
     "Prefix of the action command topics: a command for a channel goes to "
     "<prefix><channel>, e.g. actions.email."},
    CONFIG_TOPIC("topic.contact_updates", topic_contact_updates, "contact-updates",
                 "Output topic of contact updates (attributes, lists, opt-outs)."),
    CONFIG_TOPIC("topic.conversions", topic_conversions, "conversions",
                 "Output topic of conversions: attributed inbound calls that met a "
                 "conversion rule (docs/call_tracking.md)."),
    CONFIG_TOPIC("topic.dlq", topic_dlq, "dlq",
                 "Dead-letter topic: input records that cannot be processed, with headers "
                 "saying why."),
    CONFIG_TOPIC("topic.changelog", topic_changelog, "changelog",
                 "Compacted topic holding every state change, partitioned like "
                 "topic.events: cleanup.policy=compact and the same partition count "
                 "(`switchyard topics create` makes it so). Instances restore their "
                 "partitions' state from it."),
    {"topic.prefix", CONFIG_TYPE_STRING, "", "empty", 0, CONFIG_TOPIC_PREFIX_BYTES_MAX, NULL,
     CONFIG_CHECK_TOPIC, CONFIG_FIELD(topic_prefix),
     "Prepended to every topic name above (topic.actions.prefix too), for a cluster "
     "shared by several deployments: with team1. the events topic is team1.events."},
    /* Kafka's own limit on partitions per topic is far higher; 10000 catches a typo. */
    {"topics.partitions", CONFIG_TYPE_INT, "0", NULL, 0, 10000, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(topics_partitions),
     "Partitions of each topic `switchyard topics create` creates. 0: the events "
     "topic's count when it exists, else 6. The profiles and changelog topics always get "
     "the events topic's count when it exists (they must be co-partitioned with it)."},
    {"topics.replication.factor", CONFIG_TYPE_INT, "-1", NULL, -1, 32767, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(topics_replication_factor),
     "Replication factor of each topic `switchyard topics create` creates. -1: the "
     "broker's default.replication.factor."},
    {"schema.registry.url", CONFIG_TYPE_STRING, "", "none", 0, 2048,
     NULL, CONFIG_CHECK_NONE, CONFIG_FIELD(schema_registry_url),
     "Base URL of a Confluent-compatible schema registry (http://host:8081). When set, "
     "the output schemas are registered under <topic>-value (TopicNameStrategy) at start "
     "and outputs framed with the registry's ids; input records of other ids are read "
     "through the writer's schema by Avro schema resolution (docs/schema-registry.md). "
     "Empty: the embedded fixed ids 1 to 8 (docs/records.md)."},
    {"schema.registry.basic.auth.user.info", CONFIG_TYPE_STRING, "", "none", 0, 1024, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(schema_registry_basic_auth_user_info),
     "user:password for HTTP basic authentication to the schema registry; empty: none."},
    {"schema.registry.bearer.token", CONFIG_TYPE_STRING, "", "none", 0, 8192, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(schema_registry_bearer_token),
     "Token sent as `Authorization: Bearer <token>` to the schema registry; empty: none. "
     "Not together with basic authentication."},
    {"schema.registry.request.timeout.ms", CONFIG_TYPE_INT, "10000", NULL, 100, 300000, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(schema_registry_request_timeout_ms),
     "Longest time one request to the schema registry may take; a failed request is "
     "retried with backoff (docs/schema-registry.md)."},
    {"commit.interval.ms", CONFIG_TYPE_INT, "100", NULL, 1, 60000, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(commit_interval_ms),
     "How long a batch takes records before it commits, in milliseconds; while the "
     "commit before it is still on its way it takes records on and commits right after "
     "(docs/service.md). A batch also commits when it is full or the input is idle."},
    {"batch.records.max", CONFIG_TYPE_INT, "10000", NULL, 1, 1000000, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(batch_records_max),
     "Most input records in one transaction."},
    {"time.mode", CONFIG_TYPE_ENUM, "wallclock", NULL, 0, 0, config_time_mode_words,
     CONFIG_CHECK_NONE, CONFIG_FIELD(time_mode),
     "wallclock: timers fire when the clock passes them (live). event: a partition's time "
     "is the highest event time seen on it and timers fire as it passes them (replay; the "
     "output is a pure function of the input)."},
    {"processing.guarantee", CONFIG_TYPE_ENUM, "exactly_once", NULL, 0, 0,
     config_guarantee_words, CONFIG_CHECK_NONE, CONFIG_FIELD(processing_guarantee),
     "exactly_once: outputs, changelog records and consumed offsets commit in one Kafka "
     "transaction per batch; read outputs with read_committed. at_least_once: no "
     "transactions; outputs and changelog records are flushed, then offsets committed: "
     "after a crash some outputs may appear twice, none is lost."},
    {"log.level", CONFIG_TYPE_ENUM, "info", NULL, 0, 0, config_log_level_words,
     CONFIG_CHECK_NONE, CONFIG_FIELD(log_level),
     "Least severe log lines written to stderr: error, warn, info or debug. librdkafka's "
     "lines go through the same filter (its syslog levels mapped: 0-3 error, 4 warn, 5-6 "
     "info, 7 debug; its debug contexts still need kafka.debug). Reloaded on SIGHUP."},
    {"log.format", CONFIG_TYPE_ENUM, "text", NULL, 0, 0, config_log_format_words,
     CONFIG_CHECK_NONE, CONFIG_FIELD(log_format),
     "text: `TIME switchyard LEVEL: message` lines. json: one JSON object per line with "
     "ts (UTC, ISO-8601), level, msg and, for librdkafka's lines, component (kafka). "
     "Reloaded on SIGHUP."},
    /* The maximum, a day: a longer gap says nothing an operator can act on. */
    {"log.progress.interval.ms", CONFIG_TYPE_INT, "10000", NULL, 0, 86400000, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(log_progress_interval_ms),
     "Interval, in milliseconds, of the progress line `run` logs at info level: records "
     "per second, consumer lag, commits and dead letters since the last line. 0: none."},
    {"admin.listen", CONFIG_TYPE_STRING, "", "off", 0, 300, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(admin_listen),
     "Address of the admin HTTP server of `run`, HOST:PORT (an IPv4 address or [IPv6 "
     "address]; port 0 picks a free one, logged): /metrics (Prometheus), /healthz, /readyz, "
     "/journeys, /journeys/<id>/map.svg and /journeys/<id> (live journey maps). Empty: no "
     "server. See docs/observability.md."},
    /* The minimum, a second: the loop turns at least every 100 ms; the maximum, an hour. */
    {"admin.health.stall.ms", CONFIG_TYPE_INT, "30000", NULL, 1000, 3600000, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(admin_health_stall_ms),
     "/healthz answers 503 when the service loop (or a retry wait or a restore) has made "
     "no progress for this many milliseconds."},
    {"ingest.listen", CONFIG_TYPE_STRING, "127.0.0.1:8088", NULL, 1, 300, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(ingest_listen),
     "Address `switchyard ingest` serves the provider webhooks on, HOST:PORT (an IPv4 "
     "address or [IPv6 address]; port 0 picks a free one, logged). See "
     "docs/connectors.md."},
    {"ingest.public.url", CONFIG_TYPE_STRING, "", "the Host header", 0, 1024, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(ingest_public_url),
     "The scheme, host and port the providers call ingest at (https://hooks.example.com), "
     "when a proxy stands between: Twilio signs the URL it called. Empty: http:// (https:// "
     "with TLS) and the request's Host header."},
    {"ingest.tls.cert.file", CONFIG_TYPE_PATH, "", "none", 0, 4096, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(ingest_tls_cert_file),
     "PEM certificate (chain) ingest serves HTTPS with, together with ingest.tls.key.file. "
     "Empty: plain HTTP."},
    {"ingest.tls.key.file", CONFIG_TYPE_PATH, "", "none", 0, 4096, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(ingest_tls_key_file),
     "PEM private key of ingest.tls.cert.file (unencrypted)."},
    /* The minimum holds one small webhook; the maximum, 64 MiB, is far above any batch a
     * provider sends. */
    {"ingest.body.bytes.max", CONFIG_TYPE_INT, "1048576", NULL, 1024, 67108864, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(ingest_body_bytes_max),
     "Largest request body ingest reads, in bytes; a longer one is refused with 413."},
    {"ingest.ack.timeout.ms", CONFIG_TYPE_INT, "10000", NULL, 100, 300000, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(ingest_ack_timeout_ms),
     "Longest wait, in milliseconds, for the broker to acknowledge every event of a "
     "request; without the acknowledgement the request gets 503 and the provider retries."},
    {"ingest.retry.after.s", CONFIG_TYPE_INT, "10", NULL, 1, 3600, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(ingest_retry_after_s),
     "Seconds a 503 of ingest asks the caller to wait (Retry-After)."},
    {"ingest.sendgrid.public.key", CONFIG_TYPE_STRING, "", "none", 0, 4096, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(ingest_sendgrid_public_key),
     "The Signed Event Webhook's verification key as SendGrid shows it (base64 DER, ECDSA "
     "P-256): every request to /sendgrid/events must then carry a valid signature. Empty: "
     "requests are not verified (logged at start)."},
    {"ingest.twilio.auth.token", CONFIG_TYPE_STRING, "", "none", 0, 256, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(ingest_twilio_auth_token),
     "Twilio auth token: every request to /twilio/... must then carry a valid "
     "X-Twilio-Signature. Empty: requests are not verified (logged at start)."},
    {"ingest.api.token", CONFIG_TYPE_STRING, "", "none", 0, 1024, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(ingest_api_token),
     "Bearer token the JSON endpoint /events requires (Authorization: Bearer TOKEN). "
     "Empty: /events refuses every request."},
    {"ingest.calls.forward", CONFIG_TYPE_STRING, "", "none", 0, 16, NULL, CONFIG_CHECK_NONE,
     CONFIG_FIELD(ingest_calls_forward),
     "E.164 number (+12125550100) an inbound call to a tracking number is forwarded to: "
     "/twilio/calls/inbound answers with TwiML that dials it. Empty: the TwiML is an empty "
     "<Response/>, which ends the call (docs/call_tracking.md)."},
    {"ingest.profiles.email.attribute", CONFIG_TYPE_STRING, "email", NULL, 0, 256, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(ingest_profiles_email_attribute),
     "Profile attribute holding a contact's email address: ingest finds the contact of a "
     "SendGrid event without contact_id by it. Empty: not looked up."},
    {"ingest.profiles.phone.attribute", CONFIG_TYPE_STRING, "phone", NULL, 0, 256, NULL,
     CONFIG_CHECK_NONE, CONFIG_FIELD(ingest_profiles_phone_attribute),
     "Profile attribute holding a contact's phone number (E.164, as Twilio writes it): "
     "ingest finds the contact of an inbound SMS by it. Empty: not looked up."},
};

const size_t config_options_count = sizeof config_options / sizeof config_options[0];

const config_option_t *config_option_find(const char *name) {
    for (size_t i = 0; i < config_options_count; i++) {
        if (strcmp(config_options[i].name, name) == 0)
            return &config_options[i];
    }
    return NULL;
}

/* Levenshtein distance of a and b, both at most CONFIG_SUGGEST_NAME_MAX bytes. */
static size_t config_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    size_t row[CONFIG_SUGGEST_NAME_MAX + 1];

    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* True when librdkafka knows name as a client property. conf_get cannot tell: it says
 * "unknown" for known properties that are unset, so ask conf_set on a throwaway conf. */
static int config_is_kafka_property(const char *name) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char reason[512];
    int known;

    if (!conf)
        return 0;
    known = rd_kafka_conf_set(conf, name, "", reason, sizeof reason) != RD_KAFKA_CONF_UNKNOWN;
    rd_kafka_conf_destroy(conf);
    return known;
}

const char *config_option_suggest(const char *name, char *buf, size_t buf_size) {
    const char *best = NULL;
    size_t best_distance = 0;
    size_t len = strlen(name);

    if (len > 0 && len <= CONFIG_SUGGEST_NAME_MAX) {
        for (size_t i = 0; i < config_options_count; i++) {
            size_t d = config_edit_distance(name, config_options[i].name);
            if (!best || d < best_distance) {
                best = config_options[i].name;
                best_distance = d;
            }
        }
        /* Close: a couple of typos, or a third of a long name. */
        if (best && (best_distance <= 2 || best_distance * 3 <= len)) {
            snprintf(buf, buf_size, "%s", best);
            return buf;
        }
    }
    if (len > 0 && config_is_kafka_property(name)) {
        snprintf(buf, buf_size, "%s%s", CONFIG_KAFKA_PREFIX, name);
        return buf;
    }
    return NULL;
}
