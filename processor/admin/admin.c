/* admin.c — the admin server's published state: what the runner hands over (counts once
 * per committed batch, gauges, readiness) kept behind one mutex for the HTTP thread, and
 * the loop's heartbeat as one atomic. Not HTTP (admin_server.c), nor the journeys
 * (admin_snapshot.c). */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"
#include "sy_clock.h"

void admin_loop_turned(admin_t *a) {
    if (!a)
        return; /* no assert: the server is off */
    atomic_store_explicit(&a->turned_ms, sy_clock_mono_ms(), memory_order_relaxed);
}

void admin_publish(admin_t *a, const admin_batch_t *batch) {
    if (!a)
        return; /* no assert: the server is off */
    assert(batch && batch->commit_s >= 0 && batch->acknowledge_s >= 0 &&
           batch->transaction_s >= 0);
    pthread_mutex_lock(&a->lock);
    if (batch->counters)
        admin_table_merge(&a->counters, batch->counters);
    if (batch->gauges)
        admin_table_assign(&a->gauges, batch->gauges);
    if (batch->committed) {
        admin_hist_observe(&a->batch_records, (double)batch->records);
        admin_hist_observe(&a->commit_seconds, batch->commit_s);
        admin_hist_observe(&a->commit_phase_seconds[ADMIN_PHASE_ACKNOWLEDGE],
                           batch->acknowledge_s);
        admin_hist_observe(&a->commit_phase_seconds[ADMIN_PHASE_TRANSACTION],
                           batch->transaction_s);
    }
    pthread_mutex_unlock(&a->lock);
}

void admin_ready_set(admin_t *a, const char *missing) {
    if (!a)
        return; /* no assert: the server is off */
    pthread_mutex_lock(&a->lock);
    a->ready = missing == NULL;
    snprintf(a->not_ready, sizeof a->not_ready, "%s", missing ? missing : "");
    pthread_mutex_unlock(&a->lock);
}

bool admin_health(admin_t *a, char *reason, size_t reason_size) {
    int64_t turned = atomic_load_explicit(&a->turned_ms, memory_order_relaxed);
    int64_t age = sy_clock_mono_ms() - turned;
    assert(reason && reason_size);
    if (turned == 0) {
        snprintf(reason, reason_size, "the loop has not started (opening, waiting for the "
                 "broker)");
        return false;
    }
    if (age > a->stall_ms) {
        snprintf(reason, reason_size, "the loop has not turned for %" PRId64 " ms (limit %"
                 PRId64 " ms)", age, a->stall_ms);
        return false;
    }
    snprintf(reason, reason_size, "ok: the loop turned %" PRId64 " ms ago", age);
    return true;
}

bool admin_readiness(admin_t *a, char *reason, size_t reason_size) {
    assert(a && reason && reason_size);
    pthread_mutex_lock(&a->lock);
    bool ready = a->ready;
    snprintf(reason, reason_size, "%s", ready ? "ok: every assigned partition is restored "
                                                "and consuming" : a->not_ready);
    pthread_mutex_unlock(&a->lock);
    return ready;
}
