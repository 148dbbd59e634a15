/* send_config.h — the config of `switchyard send`: a file of `key = value` lines and `#`
 * comments, like the service's, read against its own table of options (send_config.c);
 * `kafka.*` keys pass through to librdkafka. Not the service's config: a sender is its own
 * process with its own file (docs/connectors.md, "Sending"). */
#ifndef SY_SEND_CONFIG_H
#define SY_SEND_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "records.h"
#include "sy_error.h"

/* The channels a sender delivers; the others are not consumed. */
#define SEND_CHANNELS_MAX 4

/* A parsed, validated send config. Every string is owned; "" when unset. */
typedef struct send_config {
    char *source;            /* the file it came from */
    char *group_id;          /* group.id */
    char *topic_prefix;      /* topic.prefix, already in front of the two below */
    char *topic_actions_prefix; /* topic.actions.prefix */
    char *topic_events;      /* topic.events: where permanent failures go */
    char *channels;          /* send.channels: comma-separated */
    char *state_dir;         /* send.state.dir: the delivered-ids store */
    char *templates_dir;     /* send.templates.dir */
    int64_t request_timeout_ms; /* send.request.timeout.ms */
    int64_t retry_initial_ms;   /* send.retry.initial.ms */
    int64_t retry_max_ms;       /* send.retry.max.ms */
    int64_t rate_per_s[SY_CHANNEL__COUNT]; /* send.rate.<channel>.per_s; 0: no limit */
    char *smtp_url;          /* smtp.url: smtp://host:port or smtps:// */
    char *smtp_from;         /* smtp.from */
    int64_t smtp_starttls;   /* smtp.starttls: 0 or 1 */
    char *smtp_username;     /* smtp.username */
    char *smtp_password;     /* smtp.password */
    char *twilio_url;        /* twilio.url: base URL */
    char *twilio_account_sid; /* twilio.account_sid */
    char *twilio_auth_token; /* twilio.auth_token */
    char *twilio_from;       /* twilio.from: the sending number */
    char *twilio_status_callback; /* twilio.status_callback: URL, or "" */
    char *twilio_voice_status_callback; /* twilio.voice_status_callback: URL of calls, or ""
                                         * (then twilio_status_callback) */
    char *fcm_url;           /* fcm.url: base URL */
    char *fcm_project;       /* fcm.project */
    char *fcm_token;         /* fcm.token: OAuth 2 bearer token */
    size_t kafka_count;      /* kafka.* properties in file order, without the prefix */
    char **kafka_names;
    char **kafka_values;
    bool channel_on[SY_CHANNEL__COUNT]; /* from send.channels */
} send_config_t;

/* Read and check the file at path. On error errbuf names the file, line and option
 * ("send.conf:4: smtp.starttls: 'yes' is not 0 or 1") and *out is untouched; a channel
 * in send.channels without its provider's options is an error too. Errors: SY_ERR_IO,
 * SY_ERR_CONFIG, SY_ERR_NOMEM. */
sy_err_t send_config_load(send_config_t **out, const char *path, char *errbuf,
                          size_t errbuf_size);

/* Free a config; NULL is a no-op. */
void send_config_free(send_config_t *config);

/* Print the option table (name, default, doc) for `switchyard send --help`. */
void send_config_print_help(FILE *out);

#endif
