/* config.h — the service's one config file: `key = value` lines, `#` comments.
 * One table of options (name, type, default, min, max, doc) drives parsing, validation,
 * --help and docs/config.md. Keys starting with `kafka.` pass through to librdkafka. */
#ifndef SY_CONFIG_H
#define SY_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "log.h"
#include "records.h"
#include "sy_error.h"

typedef enum config_time_mode {
    CONFIG_TIME_WALLCLOCK, /* live: a timer fires when the clock passes it */
    CONFIG_TIME_EVENT,     /* replay: a partition's time is the highest event time seen */
} config_time_mode_t;

typedef enum config_guarantee {
    CONFIG_EXACTLY_ONCE,  /* one Kafka transaction per batch: outputs, changelog, offsets */
    CONFIG_AT_LEAST_ONCE, /* no transactions: flush, then commit offsets; may duplicate */
} config_guarantee_t;

/* A parsed, validated config. Every string is owned by the config. Paths are absolute:
 * a relative path in the file is resolved against the file's directory. */
typedef struct sy_config {
    char *source;           /* file the config came from, or the name given to parse */
    char *journeys_dir;     /* journeys.dir */
    int64_t journeys_loop_period_min_ms; /* journeys.loop.period.min.ms */
    int64_t journeys_reload_interval_ms; /* journeys.reload.interval.ms */
    int64_t journeys_scan_rate;          /* journeys.scan.rate: contacts/s per partition */
    char *state_dir;        /* state.dir */
    char *group_id;         /* group.id */
    char *transactional_id; /* transactional.id; when empty, derived at load (see doc) */
    char *group_instance_id; /* group.instance.id; empty: derived by the runner, none: off */
    char *topic_events;     /* topic.events */
    char *topic_profiles;   /* topic.profiles */
    char *topic_decisions;  /* topic.decisions */
    char *topic_actions_prefix;  /* topic.actions.prefix: actions go to <prefix><channel> */
    char *topic_contact_updates; /* topic.contact_updates */
    char *topic_dlq;             /* topic.dlq */
    char *topic_conversions;     /* topic.conversions */
    char *topic_changelog;       /* topic.changelog: every state change, compacted */
    /* topic.prefix: already prepended to every topic_* field above (topic_actions_prefix
     * included), so those hold the names switchyard uses on the cluster. */
    char *topic_prefix;
    int64_t topics_partitions;   /* topics.partitions: 0 = the events topic's, else 6 */
    int64_t topics_replication_factor; /* topics.replication.factor: -1 = broker default */
    char *schema_registry_url;   /* schema.registry.url; "": the embedded ids */
    char *schema_registry_basic_auth_user_info; /* user:password, or "" */
    char *schema_registry_bearer_token;         /* or "" */
    int64_t schema_registry_request_timeout_ms; /* schema.registry.request.timeout.ms */
    int64_t commit_interval_ms;  /* commit.interval.ms */
    int64_t batch_records_max;   /* batch.records.max */
    int64_t state_cache_bytes;   /* state.cache.bytes */
    int64_t state_cache_warm_bytes; /* state.cache.warm.bytes */
    int64_t state_checkpoint_batches; /* state.checkpoint.batches */
    config_time_mode_t time_mode; /* time.mode */
    int64_t events_future_skew_max_ms; /* events.future.skew.max.ms */
    int64_t events_future_gap_max_ms;  /* events.future.gap.max.ms */
    int64_t events_dedup_window_ms;    /* events.dedup.window.ms */
    int64_t events_dedup_ids_max;      /* events.dedup.ids.max */
    /* Consent and suppression (docs/safety.md): comma-separated lists. */
    char *consent_opt_out_events;        /* consent.opt_out.events */
    char *consent_opt_out_all_events;    /* consent.opt_out_all.events */
    char *consent_sms_stop_keywords;     /* consent.sms.stop.keywords */
    char *consent_sms_stop_all_keywords; /* consent.sms.stop_all.keywords */
    char *consent_sms_start_keywords;    /* consent.sms.start.keywords */
    int64_t consent_bounce_hard_suppress; /* consent.bounce.hard.suppress: 0 or 1 */
    char *safety_suppression_lists;      /* safety.suppression.lists */
    char *safety_caps;                   /* safety.caps: cap rules */
    char *calls_file;   /* calls.file: number pools and conversion rules, "" for none */
    char *calls_inline; /* calls.inline: the same document in one line, "" for none */
    /* safety.quiet_hours.<channel>, by sy_channel_t: HH:MM-HH:MM or ""; NULL for the
     * channels nothing is sent on (call, custom). */
    char *safety_quiet_hours[SY_CHANNEL__COUNT];
    int64_t safety_quiet_hours_spread_ms;         /* safety.quiet_hours.spread.ms */
    /* safety.fatigue.<channel> and safety.address.<channel>, by sy_channel_t; NULL for
     * channels without the option. */
    char *safety_fatigue[SY_CHANNEL__COUNT];
    char *safety_address[SY_CHANNEL__COUNT];
    char *safety_quiet_hours_timezone_attribute;  /* safety.quiet_hours.timezone.attribute */
    char *safety_quiet_hours_timezone_default;    /* safety.quiet_hours.timezone.default */
    config_guarantee_t processing_guarantee; /* processing.guarantee */
    log_level_t log_level;        /* log.level */
    log_format_t log_format;      /* log.format */
    int64_t log_progress_interval_ms; /* log.progress.interval.ms; 0: no progress lines */
    char *admin_listen;           /* admin.listen: HOST:PORT of the admin server; "": off */
    int64_t admin_health_stall_ms; /* admin.health.stall.ms */
    /* `switchyard ingest` (docs/connectors.md). */
    char *ingest_listen;           /* ingest.listen: HOST:PORT */
    char *ingest_public_url;       /* ingest.public.url: what providers call; "": Host */
    char *ingest_tls_cert_file;    /* ingest.tls.cert.file: PEM; "": plain HTTP */
    char *ingest_tls_key_file;     /* ingest.tls.key.file: PEM */
    int64_t ingest_body_bytes_max; /* ingest.body.bytes.max */
    int64_t ingest_ack_timeout_ms; /* ingest.ack.timeout.ms */
    int64_t ingest_retry_after_s;  /* ingest.retry.after.s */
    char *ingest_sendgrid_public_key; /* ingest.sendgrid.public.key: base64 DER; "": unsigned */
    char *ingest_twilio_auth_token;   /* ingest.twilio.auth.token; "": unsigned */
    char *ingest_api_token;           /* ingest.api.token; "": /events refused */
    char *ingest_calls_forward;       /* ingest.calls.forward: E.164; "": calls not forwarded */
    char *ingest_profiles_email_attribute; /* ingest.profiles.email.attribute */
    char *ingest_profiles_phone_attribute; /* ingest.profiles.phone.attribute */
    int64_t state_standby_replicas; /* state.standby.replicas */
    size_t kafka_count;           /* kafka.* pass-through properties, in file order */
    char **kafka_names;           /* without the `kafka.` prefix */
    char **kafka_values;
} sy_config_t;

/* Read and validate the config file at path. On error, errbuf names the file, the line
 * and the problem ("cfg.conf:7: commit.interval.ms: 'ten' is not an integer"), and *out
 * is untouched. Errors: SY_ERR_IO, SY_ERR_CONFIG, SY_ERR_NOMEM. */
sy_err_t config_load(sy_config_t **out, const char *path, char *errbuf, size_t errbuf_size);

/* As config_load, over text held in memory; source_name stands for the file name in
 * messages and base_dir resolves relative paths. text is borrowed for the call. */
sy_err_t config_parse(sy_config_t **out, const char *text, const char *source_name,
                      const char *base_dir, char *errbuf, size_t errbuf_size);

/* Set one option by name, as a line of the file would (used for command-line overrides
 * and by the embedded demo). Validates the value; SY_ERR_CONFIG on a bad one. */
sy_err_t config_set(sy_config_t *config, const char *name, const char *value, char *errbuf,
                    size_t errbuf_size);

/* Free a config; config_free(NULL) is a no-op. */
void config_free(sy_config_t *config);

/* A new librdkafka conf whose log lines go through switchyard's logger (log.h) in its
 * format, librdkafka's syslog levels 0-7 mapped to error, warn, info and debug. Every
 * client switchyard makes starts from one; the caller owns it (rd_kafka_new takes it). */
rd_kafka_conf_t *config_kafka_conf_new(void);

/* Apply the kafka.* pass-through properties to a librdkafka conf. SY_ERR_CONFIG when
 * librdkafka refuses one; errbuf then names the property and librdkafka's reason. */
sy_err_t config_apply_kafka(const sy_config_t *config, rd_kafka_conf_t *conf, char *errbuf,
                            size_t errbuf_size);

/* The action topic of channel: topic.actions.prefix + the channel's name
 * ("actions.email"), newly allocated: the caller frees it. NULL when out of memory. */
char *config_action_topic(const sy_config_t *config, sy_channel_t channel);

/* Look up a kafka.* pass-through property (name without the prefix); NULL when unset. */
const char *config_kafka_get(const sy_config_t *config, const char *name);

/* Print the option table for `switchyard run --help`: name, type, default, range, doc. */
void config_print_help(FILE *out);

/* Print the option table as Markdown, for docs/config.md. */
void config_print_markdown(FILE *out);

#endif
