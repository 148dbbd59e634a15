/* runner_standby.c — where standby replicas go (state.standby.replicas): librdkafka's
 * assignors place no standbys and give the members' list to the group leader only, so every
 * instance describes the group (the admin API's DescribeConsumerGroups: each member's
 * client id and member id) and computes the same placement from it: for each partition,
 * the members ranked by a hash of (member key, partition), highest first;
 * the first standby.replicas + 1 of them keep it warm, but for its owner. The
 * member key is its group.instance.id (stable across restarts), else its member id. The
 * same description serves the fencing of members that left (runner_fence.c). Not the
 * tailing itself (runner_restore.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"
#include "sy_hash.h"

/* Longest the description of the group may take. */
#define RUNNER_STANDBY_DESCRIBE_MS 2000
#define RUNNER_STANDBY_MEMBERS_MAX 256

typedef struct member {
    const char *key; /* ranks it: group.instance.id or member id */
    bool self;
} member_t;

/* The member's rank for partition p: FNV-1a 64 of its key, mixed with the partition
 * (sy_hash_mix64: similar keys and neighbouring partitions rank unrelated). */
static uint64_t rank(const member_t *m, int32_t p) {
    assert(m->key && p >= 0);
    uint64_t h = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, m->key, strlen(m->key));
    return sy_hash_mix64(h ^ sy_hash_mix64((uint64_t)p + 1));
}

/* Whether this instance (members[self]) keeps partition p warm: it ranks among the
 * standby.replicas + 1 highest members for p and does not process p itself. The owner is
 * not known here (the description's assignments are not relied on), so a partition whose
 * owner ranks outside that set has one standby more. */
static bool standby_here(const runner_t *r, const member_t *members, int n, int self,
                         int32_t p) {
    int k = (int)r->config->state_standby_replicas;
    uint8_t phase = r->restore.phase[p];
    assert(self >= 0 && self < n && n <= RUNNER_STANDBY_MEMBERS_MAX);
    if (phase != RUNNER_RESTORE_NONE && phase != RUNNER_RESTORE_STANDBY)
        return false;
    int above = 0;
    uint64_t mine = rank(&members[self], p);
    for (int j = 0; j < n; j++) {
        uint64_t theirs = rank(&members[j], p);
        above += j != self && (theirs > mine || (theirs == mine && strcmp(members[j].key,
                                                                        members[self].key) < 0));
    }
    return above <= k;
}

/* The events topic's partition count, from the consumer's metadata; -1 unknown. */
static int partitions_count(runner_t *r) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *t = rd_kafka_topic_new(r->consumer, r->config->topic_events, NULL);
    assert(t);
    int count = -1;
    if (!rd_kafka_metadata(r->consumer, 0, t, &md, RUNNER_STANDBY_DESCRIBE_MS) &&
        md->topic_cnt == 1 && !md->topics[0].err)
        count = md->topics[0].partition_cnt;
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return count > STATE_PARTITIONS_MAX ? STATE_PARTITIONS_MAX : count;
}

/* Apply the placement the description gives. When this instance is not among its members
 * yet, or the partition count is unknown, nothing changes and the placement stays due. */
static sy_err_t placement_apply(runner_t *r, const rd_kafka_ConsumerGroupDescription_t *g,
                                char *errbuf, size_t errbuf_size) {
    member_t members[RUNNER_STANDBY_MEMBERS_MAX];
    assert(g && r->txn_state == RUNNER_TXN_IDLE);
    int n = (int)rd_kafka_ConsumerGroupDescription_member_count(g), self = -1;
    char *id_self = rd_kafka_memberid(r->consumer);
    n = n > RUNNER_STANDBY_MEMBERS_MAX ? RUNNER_STANDBY_MEMBERS_MAX : n;
    for (int i = 0; i < n; i++) {
        const rd_kafka_MemberDescription_t *m = rd_kafka_ConsumerGroupDescription_member(g, i);
        const char *id = rd_kafka_MemberDescription_consumer_id(m);
        const char *instance = rd_kafka_MemberDescription_group_instance_id(m);
        members[i] = (member_t){.key = instance && instance[0] ? instance : id,
                                .self = id_self && id && strcmp(id_self, id) == 0};
        self = members[i].self ? i : self;
    }
    if (id_self)
        rd_kafka_mem_free(r->consumer, id_self);
    int partitions = self >= 0 ? partitions_count(r) : -1;
    if (partitions < 0)
        return SY_OK;
    r->restore.placement_stale = false;
    sy_err_t err = SY_OK;
    char names[512] = "";
    bool changed = false;
    for (int32_t p = 0; err == SY_OK && p < partitions; p++) {
        bool want = standby_here(r, members, n, self, p);
        changed |= want != (r->restore.phase[p] == RUNNER_RESTORE_STANDBY);
        err = runner_restore_standby(r, p, want, errbuf, errbuf_size);
        size_t len = strlen(names);
        if (want)
            snprintf(names + len, sizeof names - len, " %" PRId32, p);
    }
    if (changed)
        log_info("standby of partition(s):%s (%d members)", names[0] ? names : " none", n);
    return err;
}

/* Ask for the group's description; the answer is taken by answer(), the loop never waits
 * for it (a broker that cannot describe groups does not slow processing down). */
static void describe_send(runner_t *r) {
    const char *groups[1] = {r->config->group_id};
    char errbuf[256];
    assert(!r->restore.describing);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(r->consumer, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    rd_kafka_AdminOptions_set_request_timeout(options, RUNNER_STANDBY_DESCRIBE_MS, errbuf,
                                              sizeof errbuf);
    r->restore.describing = rd_kafka_queue_new(r->consumer);
    r->fence.asked = r->fence.gains;
    rd_kafka_DescribeConsumerGroups(r->consumer, groups, 1, options, r->restore.describing);
    rd_kafka_AdminOptions_destroy(options);
}

/* The description asked for, once it is there; NULL while it is not, or when it failed
 * (asked again later). */
static rd_kafka_event_t *answer(runner_t *r) {
    assert(r->restore.describing);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(r->restore.describing, 0);
    if (!ev)
        return NULL;
    runner_standby_forget(r);
    if (rd_kafka_event_error(ev)) {
        /* Not asked again for RUNNER_STANDBY_LOOK_MS, whatever the hurry. */
        r->restore.placement_ms = sy_clock_mono_ms() + RUNNER_STANDBY_LOOK_MS;
        log_debug("describe group %s: %s", r->config->group_id, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

void runner_standby_forget(runner_t *r) {
    assert(r);
    if (r->restore.describing)
        rd_kafka_queue_destroy(r->restore.describing);
    r->restore.describing = NULL;
}

sy_err_t runner_standby_place(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_restore_t *rs = &r->restore;
    int64_t now = sy_clock_mono_ms();
    assert(r->txn_state == RUNNER_TXN_IDLE);
    /* After a rebalance, looked at again soon (the group may not be stable yet); sooner
     * still when partitions came here: a member that left may need fencing. */
    bool fence_due = runner_fence_enabled(r);
    bool standbys = r->config->state_standby_replicas > 0 && rs->count == 0;
    int64_t every = fence_due && r->fence.gains > r->fence.handled ? RUNNER_FENCE_LOOK_MS
                    : rs->placement_stale        ? RUNNER_STANDBY_LOOK_MS / 10
                                                 : RUNNER_STANDBY_LOOK_MS;
    if (!rs->describing && ((!standbys && !fence_due) || now - rs->placement_ms < every))
        return SY_OK;
    if (!rs->describing) {
        rs->placement_ms = now;
        describe_send(r);
    }
    rd_kafka_event_t *ev = answer(r);
    if (!ev)
        return SY_OK;
    size_t count = 0;
    const rd_kafka_DescribeConsumerGroups_result_t *result =
        rd_kafka_event_DescribeConsumerGroups_result(ev);
    const rd_kafka_ConsumerGroupDescription_t **groups =
        result ? rd_kafka_DescribeConsumerGroups_result_groups(result, &count) : NULL;
    sy_err_t err = SY_OK;
    if (count == 1 && !rd_kafka_ConsumerGroupDescription_error(groups[0]) &&
        rd_kafka_ConsumerGroupDescription_state(groups[0]) ==
            RD_KAFKA_CONSUMER_GROUP_STATE_STABLE) {
        runner_fence_vanished(r, groups[0]);
        if (standbys)
            err = placement_apply(r, groups[0], errbuf, errbuf_size);
        else if (r->config->state_standby_replicas <= 0)
            rs->placement_stale = false; /* no placement to keep */
    }
    rd_kafka_event_destroy(ev);
    return err;
}
