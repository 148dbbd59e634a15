/* runner_migrate.c — deploy-time migration: when a new journey version names a
 * from_version and a node map, the contacts in flight on that version move to the mapped
 * nodes of the new one (node_entered_at kept) and get the new node's timers; their old
 * timers go stale. Contacts on unmapped nodes stay on the old version. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"

/* Tries of one migration whose transaction the broker aborted (each redoes it whole). */
#define RUNNER_MIGRATE_ATTEMPTS_MAX 3

typedef struct migrate_ctx {
    runner_t *runner;
    const journey_t *from;
    const journey_t *to;
    size_t moved;
    sy_err_t err;
    char *errbuf;
    size_t errbuf_size;
} migrate_ctx_t;

static bool watch_same(const journey_watch_t *a, const journey_watch_t *b) {
    if (a->count != b->count)
        return false;
    assert(a->count <= JOURNEY_WATCH_MAX);
    for (size_t i = 0; i < a->count; i++) {
        const journey_event_match_t *x = &a->events[i], *y = &b->events[i];
        if (x->channel != y->channel || x->type != y->type ||
            a->on_message[i] != b->on_message[i] || (x->name == NULL) != (y->name == NULL) ||
            (x->name && strcmp(x->name, y->name) != 0))
            return false;
        const char *fx = a->filter_texts[i], *fy = b->filter_texts[i];
        if ((fx == NULL) != (fy == NULL) || (fx && strcmp(fx, fy) != 0))
            return false;
    }
    return true;
}

/* The outcomes seen at the old node mean the same at the new one only when both watch
 * the same events in the same order (the bits index the watch list). */
static uint32_t seen_mask_carried(const journey_node_t *from, const journey_node_t *to,
                                  uint32_t seen_mask) {
    const journey_watch_t *a = NULL, *b = NULL;
    assert(from && to);
    if (from->kind == JOURNEY_NODE_BRANCH)
        a = &from->u.branch.watch;
    else if (from->kind == JOURNEY_NODE_WAIT)
        a = &from->u.wait.watch;
    if (to->kind == JOURNEY_NODE_BRANCH)
        b = &to->u.branch.watch;
    else if (to->kind == JOURNEY_NODE_WAIT)
        b = &to->u.wait.watch;
    return a && b && from->kind == to->kind && watch_same(a, b) ? seen_mask : 0;
}

/* The node of to that from's node index maps to, or -1 when it is not in the map. */
static int node_mapped(const journey_t *from, const journey_t *to, uint16_t node) {
    if (node >= from->nodes_count)
        return -1;
    const journey_migration_t *m = &to->migration;
    assert(from != to && (m->from_nodes || m->count == 0));
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->from_nodes[i], from->nodes[node].id) == 0)
            return m->to_nodes[i] < to->nodes_count ? m->to_nodes[i] : -1;
    return -1;
}

static int migrate_visit(void *opaque, int32_t partition, const char *contact_id,
                         const state_instance_t *instance) {
    migrate_ctx_t *c = opaque;
    if (instance->status != STATE_INSTANCE_ACTIVE ||
        instance->journey_version != c->from->version)
        return 0;
    int to = node_mapped(c->from, c->to, instance->node);
    if (to < 0)
        return 0;
    /* The contact moves: its target is a node of the new version. */
    assert((size_t)to < c->to->nodes_count && instance->node < c->from->nodes_count);
    assert(c->runner->txn_state == RUNNER_TXN_OPEN);
    state_instance_t moved = *instance;
    moved.journey_version = c->to->version;
    moved.looped_send = 0; /* a node of the old version: a branch on it matches by node */
    moved.node = (uint16_t)to;
    moved.seen_mask = seen_mask_carried(&c->from->nodes[instance->node], &c->to->nodes[to],
                                        instance->seen_mask);
    c->err = engine_schedule_node_timers(c->runner->engine, partition, contact_id, c->to,
                                         &moved);
    if (c->err == SY_OK)
        c->err = state_store_instance_put(c->runner->store, partition, contact_id, c->to->id,
                                          &moved);
    if (c->err == SY_OK)
        runner_counts_migrated(c->runner, partition, c->from, instance->node, c->to,
                               moved.node);
    if (c->err != SY_OK) {
        snprintf(c->errbuf, c->errbuf_size, "migrate %s in %s: %s", contact_id, c->to->id,
                 sy_err2str(c->err));
        return 1;
    }
    c->moved++;
    return 0;
}

/* The loaded version of id, or NULL. */
static const journey_t *version_find(const runner_t *r, const char *id, int32_t version) {
    assert(id);
    const journey_set_t *set = &r->journeys->set;
    for (size_t i = 0; i < set->count; i++)
        if (set->journeys[i]->version == version && strcmp(set->journeys[i]->id, id) == 0)
            return set->journeys[i];
    return NULL;
}

/* One transaction: scan the assigned partitions, move, commit. */
static sy_err_t migrate_all(runner_t *r, migrate_ctx_t *c, char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_IDLE); /* a migration is a transaction of its own */
    sy_err_t err = runner_txn_begin(r, errbuf, errbuf_size);
    for (int i = 0; err == SY_OK && i < r->assigned->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &r->assigned->elems[i];
        if (strcmp(tp->topic, r->config->topic_events) != 0)
            continue; /* the profiles topic's partitions are the same numbers */
        err = state_store_instances_scan(r->store, tp->partition, c->to->id, migrate_visit, c,
                                         errbuf, errbuf_size);
        if (err == SY_OK)
            err = c->err;
    }
    return err == SY_OK ? runner_txn_commit(r, errbuf, errbuf_size) : err;
}

sy_err_t runner_migrate(runner_t *r, const journey_t *to, char *errbuf, size_t errbuf_size) {
    migrate_ctx_t c = {.runner = r, .to = to, .errbuf = errbuf, .errbuf_size = errbuf_size,
                       .from = version_find(r, to->id, to->migration.from_version)};
    assert(to->migration.from_version > 0 && to->migration.from_version < to->version);
    if (!c.from) {
        log_warn("journeys: '%s' version %d migrates from version %d, which is not loaded: "
                 "nothing to migrate", to->id, (int)to->version, (int)to->migration.from_version);
        return SY_OK;
    }
    sy_err_t err = SY_OK;
    for (int attempt = 1; err == SY_OK; attempt++) {
        uint64_t committed = atomic_load(&r->total_transactions);
        c.moved = 0;
        err = migrate_all(r, &c, errbuf, errbuf_size);
        if (err != SY_OK || atomic_load(&r->total_transactions) != committed)
            break;
        /* The transaction was aborted (and its state dropped): do it again. */
        if (attempt == RUNNER_MIGRATE_ATTEMPTS_MAX) {
            snprintf(errbuf, errbuf_size, "migration of %s to v%d aborted %d times", to->id,
                     (int)to->version, attempt);
            err = SY_ERR_KAFKA_FATAL;
        }
    }
    if (err != SY_OK)
        return err;
    log_info("journeys: migrated %zu contacts of %s from v%d to v%d", c.moved, to->id,
             (int)c.from->version, (int)to->version);
    return SY_OK;
}
