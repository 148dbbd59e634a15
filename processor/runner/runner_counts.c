/* runner_counts.c — the live counts: contacts now at each journey node and contacts that
 * took each path since the version was deployed, and the campaign metrics (campaign.h),
 * per partition in state (state_counts.c), from the decisions the engine emits, the moves
 * a migration makes and what campaign.c counts. A batch's deltas
 * are kept beside it, written to the store when it commits (so they are changelogged and
 * restored with the rest of its state) and dropped when it aborts; the sums over the
 * assigned partitions are the gauges the admin server shows. The series a move between
 * nodes or a campaign count adds to are remembered by the loaded journey's own pointers
 * (r->moves, r->campaign_counts), not found by their labels for every decision. */
#include <stdio.h>
#include <string.h>

#include "runner_int.h"
#include "sy_hash.h"

/* A count's kind: the first byte of its labels in state, the low two bits of its delta's
 * family in r->live (the partition is the rest). A campaign count's labels are its
 * metric's name, journey, version, node and detail (campaign.h). */
enum { COUNT_NODE = 0, COUNT_PATH = 1, COUNT_CAMPAIGN = 2, COUNT_KINDS = 4 };
_Static_assert(COUNT_KINDS * STATE_PARTITIONS_MAX <= UINT16_MAX,
               "partition and kind fit a family");
_Static_assert(ADMIN_CAMPAIGN_BOUNCED - ADMIN_CAMPAIGN_ENTERED == CAMPAIGN_BOUNCED &&
                   ADMIN_CAMPAIGN_SENT - ADMIN_CAMPAIGN_ENTERED == CAMPAIGN_SENT &&
                   ADMIN_CAMPAIGN_CALL_REVENUE - ADMIN_CAMPAIGN_ENTERED ==
                       CAMPAIGN_CALL_REVENUE &&
                   ADMIN_CAMPAIGN_CALL_REVENUE + 1 == ADMIN_FAMILY__COUNT,
               "the admin server's campaign families follow campaign_metric_t");

static const admin_family_t count_families[] = {ADMIN_NODE_CONTACTS, ADMIN_PATH_CONTACTS};
static const size_t count_labels[] = {3, 5, 5};

/* Whether ids a and b are the same: a decision's ids are mostly the journey's own strings,
 * so the pointers are compared before the text. */
static bool id_same(const char *a, const char *b) {
    assert(a && b);
    return a == b || strcmp(a, b) == 0;
}

/* The loaded version (id, version), or NULL; remembers the last one found. */
static const journey_t *journey_find(runner_t *r, const char *id, int32_t version) {
    const journey_set_t *set = &r->journeys->set;
    assert(id);
    if (r->journey_hint < set->count) {
        const journey_t *j = set->journeys[r->journey_hint];
        if (j->version == version && id_same(j->id, id))
            return j;
    }
    for (size_t i = 0; i < set->count; i++)
        if (set->journeys[i]->version == version && strcmp(set->journeys[i]->id, id) == 0) {
            r->journey_hint = i;
            return set->journeys[i];
        }
    return NULL;
}

/* j's node of that id, or NULL (also for no journey). */
static const journey_node_t *node_find(const journey_t *j, const char *id) {
    assert(id);
    int i = j ? journey_node_index(j, id) : -1;
    return i < 0 ? NULL : &j->nodes[i];
}

/* Add delta to partition's count of kind with values; its series, or NULL when it could
 * not be kept (warned). */
static admin_series_t *live_add(runner_t *r, int32_t partition, int kind,
                                const char *const *values, double delta) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX && kind >= 0 &&
           kind <= COUNT_CAMPAIGN);
    uint16_t family = (uint16_t)(partition * COUNT_KINDS + kind);
    admin_series_t *s = admin_table_series(&r->live, family, values, count_labels[kind]);
    if (s)
        admin_series_add(s, delta);
    else
        log_warn("live counts: a count of partition %d could not be kept (out of memory)",
                 (int)partition);
    return s;
}

/* The slot of r->moves for the move of journey j in partition from node `from` (-1: an
 * entry) to node `to`. */
static runner_move_t *move_slot(runner_t *r, const journey_t *j, int32_t partition,
                                int32_t from, int32_t to) {
    const uint64_t k = 0x9e3779b97f4a7c15u; /* 2^64 over the golden ratio: spreads the bits */
    assert(j && from >= -1 && to >= 0);
    uint64_t h = ((uint64_t)(uintptr_t)j * k) ^ ((uint64_t)partition << 40) ^
                 ((uint64_t)(uint32_t)from << 20) ^ (uint64_t)to;
    return &r->moves[(h * k) >> (64 - RUNNER_MOVES_BITS)];
}

/* Whether m is that move along path, its series still where they were. */
static bool move_is(const runner_move_t *m, const runner_t *r, const journey_t *j,
                    int32_t partition, int32_t from, int32_t to, const char *path) {
    assert(path);
    return m->journey == j && m->partition == partition && m->from == from && m->to == to &&
           m->moved == r->live.moved && strcmp(m->path, path) == 0;
}

/* Count decision d (sender and to: its nodes in j, NULL: not one of them) by its labels,
 * and remember its series in m (NULL: not to be remembered) when all could be kept. */
static void decision_count(runner_t *r, const sy_decision_t *d, const char *version,
                           const journey_t *j, const journey_node_t *sender,
                           const journey_node_t *to, runner_move_t *m) {
    const char *from = d->from_node ? d->from_node : "", *path = d->path ? d->path : "";
    const char *edge[] = {d->journey_id, version, from, d->to_node, path};
    int32_t p = r->batch_partition;
    uint64_t moved = r->live.moved;
    runner_move_t found = {.journey = j, .partition = p, .moved = moved};
    assert(!m || (j && to));
    found.path_series = live_add(r, p, COUNT_PATH, edge, 1);
    bool stays = to && sender == to; /* a move from a node to itself changes no node's count */
    if (!stays && d->from_node) {
        const char *left[] = {d->journey_id, version, d->from_node};
        found.left = live_add(r, p, COUNT_NODE, left, -1);
    }
    bool ends = !to || to->kind == JOURNEY_NODE_EXIT; /* goal:, exit: and exit nodes end it */
    if (!stays && !ends) {
        const char *entered[] = {d->journey_id, version, d->to_node};
        found.entered = live_add(r, p, COUNT_NODE, entered, 1);
    }
    if (!m)
        return;
    bool whole = found.path_series && (stays || !d->from_node || found.left) &&
                 (stays || ends || found.entered) && r->live.moved == moved;
    found.from = sender ? (int32_t)(sender - j->nodes) : -1;
    found.to = (int32_t)(to - j->nodes);
    found.path = whole ? admin_series_label(found.path_series, 4) : "";
    *m = whole ? found : (runner_move_t){0};
}

void runner_counts_decision(runner_t *r, const sy_decision_t *d, const char *version) {
    assert(d && d->journey_id && d->to_node && version && r->txn_state == RUNNER_TXN_OPEN);
    const journey_t *j = journey_find(r, d->journey_id, d->journey_version);
    const journey_node_t *to = node_find(j, d->to_node);
    const journey_node_t *sender = d->from_node ? node_find(j, d->from_node) : NULL;
    if (sender && sender != to && sender->kind == JOURNEY_NODE_SEND && d->path) {
        const char *reason[] = {d->path}; /* the move on from a send says why not */
        runner_metrics_count(r, ADMIN_SENDS_STOPPED, reason, 1);
    }
    if (!j || !to || (d->from_node && !sender)) { /* not a move between j's nodes */
        decision_count(r, d, version, j, sender, to, NULL);
        return;
    }
    int32_t p = r->batch_partition, at = (int32_t)(to - j->nodes);
    int32_t from = sender ? (int32_t)(sender - j->nodes) : -1;
    runner_move_t *m = move_slot(r, j, p, from, at);
    if (!move_is(m, r, j, p, from, at, d->path ? d->path : "")) {
        decision_count(r, d, version, j, sender, to, m);
        return;
    }
    admin_series_add(m->path_series, 1);
    if (m->left)
        admin_series_add(m->left, -1);
    if (m->entered)
        admin_series_add(m->entered, 1);
}

/* The loaded journey whose id is the string at id (not its text: only a loaded journey's
 * own id is known to stay), or NULL. */
static const journey_t *journey_of_id(runner_t *r, const char *id) {
    const journey_set_t *set = &r->journeys->set;
    assert(id);
    if (r->journey_hint < set->count && set->journeys[r->journey_hint]->id == id)
        return set->journeys[r->journey_hint];
    for (size_t i = 0; i < set->count; i++)
        if (set->journeys[i]->id == id) {
            r->journey_hint = i;
            return set->journeys[i];
        }
    return NULL;
}

/* The index of node in j; -1 for ""; -2: not one of j's nodes. */
static int32_t node_index_of(const journey_t *j, const char *node) {
    assert(j && node);
    if (!node[0])
        return -1;
    int i = journey_node_index(j, node);
    return i < 0 ? -2 : (int32_t)i;
}

/* The slot of r->campaign_counts for metric of journey j at node in partition. */
static runner_campaign_count_t *campaign_slot(runner_t *r, const journey_t *j,
                                              int32_t partition, int32_t metric,
                                              int32_t node) {
    const uint64_t k = 0x9e3779b97f4a7c15u; /* 2^64 over the golden ratio: spreads the bits */
    assert(j && node >= -1);
    uint64_t h = ((uint64_t)(uintptr_t)j * k) ^ ((uint64_t)partition << 40) ^
                 ((uint64_t)(uint32_t)metric << 20) ^ (uint64_t)(uint32_t)node;
    return &r->campaign_counts[(h * k) >> (64 - RUNNER_CAMPAIGN_COUNTS_BITS)];
}

void runner_counts_campaign(void *ctx, const campaign_count_t *k, int64_t delta) {
    runner_t *r = ctx;
    assert(r && k && r->txn_state == RUNNER_TXN_OPEN);
    const char *labels[] = {campaign_metrics[k->metric].name, k->journey, k->version, k->node,
                            k->detail};
    int32_t p = r->batch_partition, metric = (int32_t)k->metric;
    const journey_t *j = journey_of_id(r, k->journey);
    int32_t node = j ? node_index_of(j, k->node) : -2;
    if (node < -1) { /* not one of a loaded journey's nodes */
        live_add(r, p, COUNT_CAMPAIGN, labels, (double)delta);
        return;
    }
    runner_campaign_count_t *c = campaign_slot(r, j, p, metric, node);
    if (c->journey == j && c->partition == p && c->metric == metric && c->node == node &&
        c->moved == r->live.moved && strcmp(c->version, k->version) == 0 &&
        strcmp(c->detail, k->detail) == 0) {
        admin_series_add(c->series, (double)delta);
        return;
    }
    admin_series_t *s = live_add(r, p, COUNT_CAMPAIGN, labels, (double)delta);
    *c = s ? (runner_campaign_count_t){.journey = j, .partition = p, .metric = metric,
                                       .node = node, .moved = r->live.moved,
                                       .version = admin_series_label(s, 2),
                                       .detail = admin_series_label(s, 4), .series = s}
           : (runner_campaign_count_t){0};
}

void runner_counts_migrated(runner_t *r, int32_t partition, const journey_t *from,
                            uint16_t from_node, const journey_t *to, uint16_t to_node) {
    char v_from[16], v_to[16];
    assert(from_node < from->nodes_count && to_node < to->nodes_count);
    snprintf(v_from, sizeof v_from, "%d", (int)from->version);
    snprintf(v_to, sizeof v_to, "%d", (int)to->version);
    const char *left[] = {from->id, v_from, from->nodes[from_node].id};
    const char *entered[] = {to->id, v_to, to->nodes[to_node].id};
    live_add(r, partition, COUNT_NODE, left, -1);
    live_add(r, partition, COUNT_NODE, entered, 1);
}

/* A count's id in state: a hash of its kind and labels (collisions at 2^-64 odds). */
static uint64_t count_id(int kind, const char *labels, size_t len) {
    uint8_t k = (uint8_t)kind;
    assert(labels || !len);
    uint64_t h = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, &k, 1);
    return sy_hash_mix64(sy_hash_fnv1a64(h, labels, len));
}

sy_err_t runner_counts_stage(runner_t *r, char *errbuf, size_t errbuf_size) {
    char labels[1 + ADMIN_LABELS_BYTES_MAX];
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    for (size_t i = 0; i < r->live.cap; i++) {
        const admin_series_t *s = &r->live.slots[i];
        if (!s->hash || !s->present || s->value == 0)
            continue;
        int32_t partition = s->family / COUNT_KINDS;
        int kind = s->family % COUNT_KINDS;
        int64_t count = 0;
        sy_err_t err = state_store_count_get(r->store, partition, count_id(kind, s->labels,
                                                                           s->labels_len),
                                             &count, errbuf, errbuf_size);
        labels[0] = (char)kind;
        memcpy(labels + 1, s->labels, s->labels_len);
        if (err == SY_OK)
            err = state_store_count_put(r->store, partition,
                                        count_id(kind, s->labels, s->labels_len),
                                        count + (int64_t)s->value, labels, 1 + s->labels_len);
        if (err != SY_OK) {
            if (err != SY_ERR_STATE)
                snprintf(errbuf, errbuf_size, "live counts: %s", sy_err2str(err));
            return err;
        }
    }
    return SY_OK;
}

/* A campaign count's series: its metric's family and labels (values[0] is the metric's
 * name; the node and detail only where the metric has them). */
static void campaign_gauge_add(runner_t *r, const char *const *values, double delta) {
    int m = campaign_metric_parse(values[0]);
    const char *labels[4];
    size_t n = 0;
    assert(values[1] && values[4]);
    if (m < 0)
        return; /* a metric of a later version: not shown */
    labels[n++] = values[1];
    labels[n++] = values[2];
    if (campaign_metrics[m].per_node)
        labels[n++] = values[3];
    if (campaign_metrics[m].detail)
        labels[n++] = values[4];
    if (campaign_metric_is_revenue((campaign_metric_t)m))
        delta /= CAMPAIGN_REVENUE_SCALE;
    admin_table_add(&r->gauges, (uint16_t)(ADMIN_CAMPAIGN_ENTERED + m), labels, n, delta);
}

/* Add delta to the gauge of kind with the packed labels. */
static void gauge_add(runner_t *r, int kind, const char *labels, size_t len, double delta) {
    const char *values[ADMIN_LABELS_MAX];
    size_t n = 0;
    assert(kind >= COUNT_NODE && kind <= COUNT_CAMPAIGN);
    for (size_t at = 0; at < len && n < ADMIN_LABELS_MAX; n++) {
        values[n] = labels + at;
        at += strnlen(labels + at, len - at) + 1;
    }
    if (n != count_labels[kind])
        return;
    if (kind == COUNT_CAMPAIGN)
        campaign_gauge_add(r, values, delta);
    else
        admin_table_add(&r->gauges, (uint16_t)count_families[kind], values, n, delta);
}

void runner_counts_committed(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    for (size_t i = 0; i < r->live.cap; i++) {
        const admin_series_t *s = &r->live.slots[i];
        if (s->hash && s->present && s->value != 0)
            gauge_add(r, s->family % COUNT_KINDS, s->labels, s->labels_len, s->value);
    }
}

static int reload_visit(void *ctx, int32_t partition, uint64_t id, int64_t count,
                        const uint8_t *labels, size_t labels_len) {
    runner_t *r = ctx;
    (void)id;
    assert(r && partition >= 0);
    if (labels_len >= 1 && labels[0] <= COUNT_CAMPAIGN && labels[labels_len - 1] == '\0')
        gauge_add(r, labels[0], (const char *)labels + 1, labels_len - 1, (double)count);
    return 0;
}

sy_err_t runner_counts_reload(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_IDLE); /* between batches: the state is committed */
    for (size_t i = 0; i < r->gauges.cap; i++) {
        admin_series_t *s = &r->gauges.slots[i];
        if (s->family == ADMIN_NODE_CONTACTS || s->family == ADMIN_PATH_CONTACTS ||
            s->family >= ADMIN_CAMPAIGN_ENTERED) {
            s->value = 0;
            s->present = false;
        }
    }
    for (int i = 0; r->assigned && i < r->assigned->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &r->assigned->elems[i];
        if (strcmp(tp->topic, r->config->topic_events) != 0)
            continue; /* the profiles topic's partitions carry the same numbers */
        sy_err_t err = state_store_counts_scan(r->store, tp->partition, reload_visit, r,
                                               errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}
