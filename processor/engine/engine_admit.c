/* engine_admit.c — the checks an input event passes before the engine: a plausible time
 * and an unseen event id (engine_admit.h). The ids live in the state store; this file
 * only decides. */
#include "engine_admit.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "sy_hash.h"
#include "sy_limits.h"

engine_admit_conf_t engine_admit_conf_default(void) {
    /* no assert: returns constants */
    return (engine_admit_conf_t){.future_skew_max_ms = ENGINE_FUTURE_SKEW_MAX_MS_DEFAULT,
                                 .future_gap_max_ms = ENGINE_FUTURE_GAP_MAX_MS_DEFAULT,
                                 .dedup_window_ms = ENGINE_DEDUP_WINDOW_MS_DEFAULT,
                                 .dedup_ids_max = ENGINE_DEDUP_IDS_MAX_DEFAULT};
}

engine_admit_conf_t engine_admit_conf_from_config(const sy_config_t *c) {
    assert(c != NULL && c->events_dedup_ids_max > 0);
    return (engine_admit_conf_t){.future_skew_max_ms = c->events_future_skew_max_ms,
                                 .future_gap_max_ms = c->events_future_gap_max_ms,
                                 .dedup_window_ms = c->events_dedup_window_ms,
                                 .dedup_ids_max = (size_t)c->events_dedup_ids_max};
}

/* SY_ERR_IMPLAUSIBLE_TIME when t is out of bounds or too far ahead of the reference. */
static sy_err_t admit_time(state_store_t *store, const engine_admit_conf_t *conf,
                           int32_t partition, int64_t t, int64_t wall_ms, char *errbuf,
                           size_t errbuf_size) {
    assert(conf->future_gap_max_ms >= 0 && conf->future_skew_max_ms >= 0);
    if (t < SY_TIME_MIN_MS || t > SY_TIME_MAX_MS) {
        sy_errf(errbuf, errbuf_size, "event time %" PRId64 " ms is outside the instant "
                "bounds (years 0000-9999)", t);
        return SY_ERR_IMPLAUSIBLE_TIME;
    }
    /* Times within the bounds: the differences cannot overflow. */
    int64_t stream_ms = state_store_stream_time_get(store, partition);
    bool known_stream = stream_ms != INT64_MIN, known_wall = wall_ms != INT64_MIN;
    if ((!known_stream && !known_wall) ||
        (known_stream && t - stream_ms <= conf->future_gap_max_ms) ||
        (known_wall && t - wall_ms <= conf->future_skew_max_ms))
        return SY_OK;
    if (known_stream)
        sy_errf(errbuf, errbuf_size, "event time %" PRId64 " ms is %" PRId64 " ms ahead of "
                "the partition's event time (events.future.gap.max.ms = %" PRId64 ")%s", t,
                t - stream_ms, conf->future_gap_max_ms, known_wall ? " and the clock" : "");
    else
        sy_errf(errbuf, errbuf_size, "event time %" PRId64 " ms is %" PRId64 " ms ahead of "
                "the wall clock (events.future.skew.max.ms = %" PRId64 ")", t, t - wall_ms,
                conf->future_skew_max_ms);
    return SY_ERR_IMPLAUSIBLE_TIME;
}

sy_err_t engine_admit_event(state_store_t *store, const engine_admit_conf_t *conf,
                            int32_t partition, const sy_event_t *ev, int64_t wall_ms,
                            bool *duplicate, char *errbuf, size_t errbuf_size) {
    assert(store != NULL && conf != NULL && ev != NULL && duplicate != NULL);
    *duplicate = false;
    sy_err_t err = admit_time(store, conf, partition, ev->occurred_at_ms, wall_ms, errbuf,
                              errbuf_size);
    if (err != SY_OK || conf->dedup_window_ms <= 0 || !ev->event_id || !ev->event_id[0])
        return err;
    state_event_ids_conf_t ids = {conf->dedup_window_ms, conf->dedup_ids_max};
    uint64_t hash = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, ev->event_id,
                                    strlen(ev->event_id));
    return state_store_event_id_seen(store, partition, ev->contact_id, hash,
                                     ev->occurred_at_ms, &ids, duplicate, errbuf,
                                     errbuf_size);
}
