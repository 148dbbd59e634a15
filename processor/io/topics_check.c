/* topics_check.c — the rules the config's topics must keep: each present, the events,
 * profiles and changelog topics co-partitioned, the changelog compacted. Each problem
 * names the topic and the command that fixes it. Reading the cluster is
 * topics_describe.c; nothing here talks to Kafka. */
#include <stdarg.h>
#include <string.h>

#include "topics_admin_int.h"

/* Room for one problem's message: two topic names, a path and a command. */
#define TOPICS_MESSAGE_BYTES_MAX 2048

typedef struct topics_report {
    const topics_admin_t *admin;
    topics_problem_cb *problem;
    void *ctx;
    size_t count;
    const char *path;      /* the config file, for the fixing command */
    const char *bootstrap; /* for the Kafka tools' fixing commands */
} topics_report_t;

__attribute__((format(printf, 3, 4)))
static void topics_problem(topics_report_t *r, const topics_entry_t *e, const char *fmt,
                           ...) {
    char message[TOPICS_MESSAGE_BYTES_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    r->count++;
    if (r->problem)
        r->problem(r->ctx, e->name, message);
}

/* The entry's problems; returns its status word for the line. */
static const char *topics_entry_check(topics_report_t *r, const topics_entry_t *e) {
    const topics_entry_t *events = topics_events_entry(r->admin);
    const char *status = "ok";
    if (e->partitions < 0) {
        topics_problem(r, e, "topic %s (%s) is missing: create it with `switchyard topics "
                       "create --config %s`", e->name, e->option, r->path);
        return "missing";
    }
    if (e->copartitioned && e != events && events->partitions >= 0 &&
        e->partitions != events->partitions) {
        topics_problem(r, e, "topic %s (%s) has %d partitions and %s (topic.events) %d: they "
                       "must be co-partitioned; delete it (`kafka-topics.sh "
                       "--bootstrap-server %s --delete --topic %s`) and create it again with "
                       "`switchyard topics create --config %s`", e->name, e->option,
                       e->partitions, events->name, events->partitions, r->bootstrap,
                       e->name, r->path);
        status = "wrong";
    }
    if (e->compacted && strcmp(e->cleanup_policy, "compact") != 0) {
        topics_problem(r, e, "topic %s (%s) has cleanup.policy=%s; it must be compact, or "
                       "state is lost after retention: `kafka-configs.sh --bootstrap-server "
                       "%s --alter --entity-type topics --entity-name %s --add-config "
                       "cleanup.policy=compact`", e->name, e->option,
                       e->cleanup_policy[0] ? e->cleanup_policy : "(unknown)", r->bootstrap,
                       e->name);
        status = "wrong";
    }
    return status;
}

size_t topics_admin_check(const topics_admin_t *a, FILE *out, topics_problem_cb *problem,
                          void *ctx) {
    const char *bootstrap = config_kafka_get(a->config, "bootstrap.servers");
    topics_report_t r = {
        .admin = a, .problem = problem, .ctx = ctx,
        .path = a->config->source ? a->config->source : "FILE",
        .bootstrap = bootstrap ? bootstrap : "BROKERS",
    };
    for (size_t i = 0; i < a->count; i++) {
        const topics_entry_t *e = &a->entries[i];
        bool repeat = false;
        for (size_t j = 0; j < i; j++)
            repeat = repeat || strcmp(a->entries[j].name, e->name) == 0;
        if (repeat)
            continue;
        const char *status = topics_entry_check(&r, e);
        if (!out)
            continue;
        if (e->partitions < 0)
            fprintf(out, "%-8s %s (%s)\n", status, e->name, e->option);
        else
            fprintf(out, "%-8s %s (%s): %d partitions%s%s\n", status, e->name, e->option,
                    e->partitions, e->compacted ? ", cleanup.policy=" : "",
                    e->compacted ? e->cleanup_policy : "");
    }
    return r.count;
}

sy_err_t topics_admin_verify(const sy_config_t *config, const atomic_int *stop,
                             int timeout_ms, FILE *out, topics_problem_cb *problem, void *ctx,
                             size_t *problems, char *errbuf, size_t errbuf_size) {
    topics_admin_t *admin = NULL;
    sy_err_t err = topics_admin_open(&admin, config, stop, timeout_ms, errbuf, errbuf_size);
    if (err == SY_OK)
        err = topics_admin_describe(admin, errbuf, errbuf_size);
    if (err == SY_OK)
        *problems = topics_admin_check(admin, out, problem, ctx);
    topics_admin_close(admin);
    return err;
}
