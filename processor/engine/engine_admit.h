/* engine_admit.h — what an input event passes before the engine sees it, the same in the
 * service, `simulate` and `replay`: a plausible time (else a dead letter, so one bad
 * record cannot move a partition's time and fire its timers), and an event id not seen
 * for the contact within the dedup window (else it is dropped). Not the engine's work. */
#ifndef SY_ENGINE_ADMIT_H
#define SY_ENGINE_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "records.h"
#include "state_store.h"
#include "sy_error.h"

#define ENGINE_DAY_MS (INT64_C(24) * 3600 * 1000)
/* Defaults of events.future.skew.max.ms, events.future.gap.max.ms,
 * events.dedup.window.ms, events.dedup.ids.max: a day ahead of the wall clock covers
 * clocks off by hours; event time may legitimately jump days on a quiet partition or in
 * a simulation ("much later every contact opens the app"), but not 90 days; a day covers
 * providers retrying for a day; 64 ids per contact (1 KiB) cover any contact's events of
 * a day in a marketing journey. */
#define ENGINE_FUTURE_SKEW_MAX_MS_DEFAULT ENGINE_DAY_MS
#define ENGINE_FUTURE_GAP_MAX_MS_DEFAULT (90 * ENGINE_DAY_MS)
#define ENGINE_DEDUP_WINDOW_MS_DEFAULT ENGINE_DAY_MS
#define ENGINE_DEDUP_IDS_MAX_DEFAULT 64

typedef struct engine_admit_conf {
    int64_t future_skew_max_ms; /* how far ahead of the wall clock an event may be */
    int64_t future_gap_max_ms;  /* how far ahead of its partition's event time */
    int64_t dedup_window_ms;    /* 0: no deduplication */
    size_t dedup_ids_max;       /* 1..STATE_EVENT_IDS_MAX */
} engine_admit_conf_t;

/* The defaults above. */
engine_admit_conf_t engine_admit_conf_default(void);

/* The conf the config's events.* options give (config borrowed). */
engine_admit_conf_t engine_admit_conf_from_config(const sy_config_t *config);

/* Admit ev of partition. Its time must be within SY_TIME_MIN_MS..SY_TIME_MAX_MS, and is
 * implausible when it is too far ahead of every reference known: more than
 * conf->future_gap_max_ms ahead of the partition's stream time (when it has one) and
 * more than conf->future_skew_max_ms ahead of wall_ms (INT64_MIN when time is the
 * events' own: time.mode = event, simulate, replay; the service in wallclock mode keeps
 * no stream time, so there the wall clock alone counts). Without a reference, any time
 * in bounds passes. Else SY_ERR_IMPLAUSIBLE_TIME, the input's fault, with the reason in errbuf, and
 * nothing is recorded. Then *duplicate says whether its event id was seen for the
 * contact within the window (state_store_event_id_seen; the id is recorded when not).
 * Errors: SY_ERR_IMPLAUSIBLE_TIME, SY_ERR_LIMIT, SY_ERR_STATE, SY_ERR_NOMEM. */
sy_err_t engine_admit_event(state_store_t *store, const engine_admit_conf_t *conf,
                            int32_t partition, const sy_event_t *ev, int64_t wall_ms,
                            bool *duplicate, char *errbuf, size_t errbuf_size);

#endif
