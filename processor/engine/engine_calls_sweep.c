/* engine_calls_sweep.c — calls and ended leases are not kept for ever: past the calls
 * document's retention (event time) they count as gone at once (engine_calls_expired),
 * and a sweep after each call callback and each lease deletes a few of them for good,
 * changelogged as deletes. Not which number to lease (engine_calls_lease.c) nor what a
 * call is worth (engine_calls_inbound.c). */
#include "engine_calls.h"

#include <assert.h>
#include <stdlib.h>

#include "engine_int.h"

bool engine_calls_expired(const engine_calls_conf_t *conf, int64_t time_ms, int64_t t_ms) {
    assert(conf && conf->retention_ms > 0);
    return time_ms < t_ms && t_ms - time_ms > conf->retention_ms;
}

sy_err_t engine_calls_sweep(engine_t *e, int32_t partition, int64_t t_ms, char *errbuf,
                            size_t errbuf_size) {
    assert(e && e->calls && e->calls->retention_ms > 0);
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_OK; /* no assert: the store refuses such a partition for every record */
    if (!e->calls_sweep[partition] &&
        !(e->calls_sweep[partition] = calloc(1, sizeof *e->calls_sweep[partition])))
        return SY_OK; /* no memory for its place: expired records still count as gone */
    int64_t before = t_ms > INT64_MIN + e->calls->retention_ms
                         ? t_ms - e->calls->retention_ms : INT64_MIN;
    state_leases_sweep_t sweep = {.calls_before_ms = before, .leases_before_ms = before,
                                  .records_max = ENGINE_CALLS_SWEEP_RECORDS};
    size_t removed = 0;
    sy_err_t err = state_store_leases_sweep(e->store, partition, &sweep,
                                            e->calls_sweep[partition], &removed, errbuf,
                                            errbuf_size);
    e->calls_counts.swept += removed;
    return err;
}
